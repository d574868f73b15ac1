/// A bus master attached to a ``PCIBus``: the host bridge, an HCA, a storage node's I/O
/// processor, an I/O controller.
public struct PCIMasterID: Hashable, Comparable, Sendable {
    public var index: Int
    public static func < (lhs: PCIMasterID, rhs: PCIMasterID) -> Bool { lhs.index < rhs.index }
}

/// One memory transaction a master asks the bus to perform.
public struct PCITransaction: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case memoryRead
        case memoryWrite
    }

    public var kind: Kind
    /// Bytes to move (more than zero).
    public var bytes: Int
    /// The target address, for traces and for a fault rule to match.
    public var address: UInt64

    public init(_ kind: Kind, bytes: Int, address: UInt64 = 0) {
        precondition(bytes > 0, "a PCI transaction moves at least one byte")
        self.kind = kind
        self.bytes = bytes
        self.address = address
    }
}

/// How a PCI transaction ended, as its initiator sees it.
public enum PCITransactionStatus: String, Sendable, Equatable {
    /// Every byte moved.
    case completed
    /// No target claimed the address (no DEVSEL# within 5 clocks); nothing moved.
    case masterAbort
    /// The target claimed the address and then signalled target abort; nothing moved.
    case targetAbort
    /// The data moved but a parity error was signalled (PERR#): it cannot be trusted.
    case parityError
}

/// The initiator side of a bus master: told when each of its transactions ends.
public protocol PCIMaster: AnyObject {
    /// The transaction requested with `tag` ended with `status`, at the bus's current time.
    func pciTransactionEnded(tag: UInt64, status: PCITransactionStatus)
}

/// A fault the bus applies to transactions, drawn per transaction from the bus's own random
/// stream: `probability` (numerator, denominator) of the transactions of `master` (nil: all).
public struct PCIFaultRule: Sendable, Equatable {
    public var status: PCITransactionStatus
    public var master: PCIMasterID?
    public var numerator: UInt64
    public var denominator: UInt64

    public init(_ status: PCITransactionStatus, master: PCIMasterID? = nil, probability numerator: UInt64, in denominator: UInt64) {
        precondition(status != .completed, "a fault must end a transaction in error")
        precondition(denominator > 0 && numerator <= denominator)
        self.status = status
        self.master = master
        self.numerator = numerator
        self.denominator = denominator
    }
}
