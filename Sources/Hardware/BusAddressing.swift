/// An endpoint on the node bus: the host storage node or one of its storage nodes (a PCI
/// device, in the hardware this models; an in-process or shared-memory peer in real mode).
public struct BusEndpoint: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The endpoint's number on its bus (its PCI device number, in the hardware this models).
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public static func < (lhs: BusEndpoint, rhs: BusEndpoint) -> Bool { lhs.rawValue < rhs.rawValue }

    /// E.g. `bus:3`.
    public var description: String { "bus:\(rawValue)" }
}

/// An address in the bus's memory space, the target of DMA.
///
/// The space is shared by every endpoint, as a PCI bus's is: an address belongs to whichever
/// endpoint exposed a ``BusWindow`` covering it, so DMA names an address, not an endpoint.
public struct BusAddress: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: BusAddress, rhs: BusAddress) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The address `offset` bytes further on; traps on overflow.
    public static func + (address: BusAddress, offset: Int) -> BusAddress {
        precondition(offset >= 0, "negative bus address offset \(offset)")
        return BusAddress(rawValue: address.rawValue + UInt64(offset))
    }

    /// Sixteen hexadecimal digits, e.g. `0x0000000080001000`.
    public var description: String { "0x" + HexFormatting.hex(rawValue, digits: 16) }
}

/// What DMA from other endpoints may do in a ``BusWindow``.
public struct BusWindowAccess: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Other endpoints may DMA-read the window.
    public static let read = BusWindowAccess(rawValue: 1 << 0)
    /// Other endpoints may DMA-write the window.
    public static let write = BusWindowAccess(rawValue: 1 << 1)
    /// Both.
    public static let readWrite: BusWindowAccess = [.read, .write]
}

/// A range of an endpoint's memory exposed to DMA from the rest of the bus, at
/// [``address``, ``address`` + ``length``).
///
/// Made by ``BusChannel/exposeWindow(_:offset:length:access:)``; the owner tells peers the
/// address in a message (the RTA advertises its data buffers to the CTA this way).
public struct BusWindow: Hashable, Sendable, CustomStringConvertible {
    /// The channel's identifier of the window, for ``BusChannel/removeWindow(_:)``.
    public var id: UInt64
    /// The bus address of the window's first byte.
    public var address: BusAddress
    /// The window's size in bytes.
    public var length: Int
    /// What other endpoints may do.
    public var access: BusWindowAccess

    public init(id: UInt64, address: BusAddress, length: Int, access: BusWindowAccess) {
        self.id = id
        self.address = address
        self.length = length
        self.access = access
    }

    /// Whether `count` bytes at `start` lie inside the window.
    public func contains(_ start: BusAddress, count: Int) -> Bool {
        guard start >= address, count >= 0 else { return false }
        let offset = start.rawValue - address.rawValue
        return offset <= UInt64(length) && UInt64(count) <= UInt64(length) - offset
    }

    /// E.g. `window 3 0x0000000080000000+65536 rw`.
    public var description: String {
        "window \(id) \(address)+\(length) " + (access.contains(.read) ? "r" : "-")
            + (access.contains(.write) ? "w" : "-")
    }
}
