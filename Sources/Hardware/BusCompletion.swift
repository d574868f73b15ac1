/// The outcome of a bus operation: OK or one of the PCI bus errors.
///
/// A closed set the project owns; agents switch over it. The RTA's residual message store
/// retransmits after any error.
public enum BusStatus: Hashable, Sendable, CustomStringConvertible {
    /// The operation completed.
    case ok
    /// No endpoint claimed the address or the destination: the target is absent, powered off,
    /// crashed, or the address is outside every window.
    case masterAbort
    /// The target claimed the transaction and refused it: a window without the needed access,
    /// a transfer running past the end of a window, or a destination with no receiver.
    case targetAbort
    /// Data parity error: the data were corrupted on the bus and discarded.
    case parityError

    /// `OK`, `master abort`, `target abort` or `parity error`.
    public var description: String {
        switch self {
        case .ok: "OK"
        case .masterAbort: "master abort"
        case .targetAbort: "target abort"
        case .parityError: "parity error"
        }
    }
}

/// The kind of a bus operation.
public enum BusOperation: Hashable, Sendable {
    /// A message to another endpoint's receiver.
    case send
    /// A DMA write into a window.
    case dmaWrite
    /// A DMA read from a window.
    case dmaRead
}

/// The completion of one bus operation, delivered to its ``BusCompletionHandler`` on the loop.
public struct BusCompletion: Hashable, Sendable, CustomStringConvertible {
    /// The tag the operation was issued with.
    public var tag: UInt64
    /// What the operation was.
    public var operation: BusOperation
    /// How it ended.
    public var status: BusStatus
    /// For a successful DMA read, the bytes read; empty otherwise.
    public var data: [UInt8]

    public init(tag: UInt64, operation: BusOperation, status: BusStatus, data: [UInt8] = []) {
        self.tag = tag
        self.operation = operation
        self.status = status
        self.data = data
    }

    /// E.g. `tag 9 dmaRead: OK, 512 bytes`.
    public var description: String {
        "tag \(tag) \(operation): \(status)" + (operation == .dmaRead && status == .ok ? ", \(data.count) bytes" : "")
    }
}

/// An object told of the completions of bus operations, without a closure per operation.
public protocol BusCompletionHandler: AnyObject {
    /// The operation tagged `completion.tag` completed. Runs on the node's loop, never from
    /// inside the call that issued the operation.
    func busOperationCompleted(_ completion: BusCompletion)
}

/// An object that receives the messages sent to an endpoint.
public protocol BusMessageReceiver: AnyObject {
    /// `message` arrived from `source`. Runs on the node's loop.
    func busMessageReceived(_ message: [UInt8], from source: BusEndpoint)
}
