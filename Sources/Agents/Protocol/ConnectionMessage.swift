import Hardware

/// Names one client connection; the target assigns it when it accepts the connection.
public struct ConnectionID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static func < (lhs: ConnectionID, rhs: ConnectionID) -> Bool { lhs.rawValue < rhs.rawValue }
    /// E.g. `conn 7`.
    public var description: String { "conn \(rawValue)" }
    /// The host storage node's own connection (never a client's: the UMA numbers clients from 1):
    /// the writes the host issues itself, such as replaying a partner's NVRAM log after a takeover.
    public static let host = ConnectionID(rawValue: 0)
}

/// A span of a client's registered memory that the target may move data into or out of by RDMA:
/// what a client declares at connect, and what a request names.
public struct RemoteBuffer: Hashable, Sendable, CustomStringConvertible {
    public var address: UInt64
    public var length: UInt32
    public var rkey: UInt32

    public init(address: UInt64, length: UInt32, rkey: UInt32) {
        self.address = address
        self.length = length
        self.rkey = rkey
    }

    /// Whether `other` lies wholly inside this span, with the same rkey.
    public func contains(_ other: RemoteBuffer) -> Bool {
        other.rkey == rkey && other.address >= address
            && other.address - address <= UInt64(length) && UInt64(other.length) <= UInt64(length) - (other.address - address)
    }

    /// E.g. `0x1000+4096 rkey 0x12`.
    public var description: String {
        "0x" + String(address, radix: 16) + "+\(length) rkey 0x" + String(rkey, radix: 16)
    }
}

/// A client's service request, sent on its connection (an RC SEND): move `blocks` blocks at
/// `lba` of `lun` between the device and `buffer`.
public struct ClientRequest: Hashable, Sendable {
    /// The client's own tag; the response carries it back.
    public var tag: UInt64
    /// The connection the client believes it is on: checked against the one it arrived on.
    public var connection: ConnectionID
    public var lun: UInt16
    public var operation: BlockOperation
    public var lba: UInt64
    /// Blocks to move (0 for a flush).
    public var blocks: UInt32
    /// Where the data goes (read) or comes from (write); length = blocks × the LUN's block length.
    public var buffer: RemoteBuffer

    public init(tag: UInt64, connection: ConnectionID, lun: UInt16, operation: BlockOperation, lba: UInt64, blocks: UInt32,
                buffer: RemoteBuffer) {
        self.tag = tag
        self.connection = connection
        self.lun = lun
        self.operation = operation
        self.lba = lba
        self.blocks = blocks
        self.buffer = buffer
    }
}

/// Where a request's time went inside the target, as the target measured it: each part is a
/// duration on one clock, so no clock synchronisation is needed. The client adds the fabric's
/// share (its own round-trip time minus ``total``).
public struct ServiceTimes: Hashable, Sendable {
    /// CTA processing and queueing on the host storage node.
    public var cta: TimeSpan
    /// CTA⇄RTA messages and DMA across the PCI bus (including retransmissions).
    public var pci: TimeSpan
    /// RTA processing on the storage node, without the device.
    public var rta: TimeSpan
    /// The device: from the command's submission to its completion.
    public var disk: TimeSpan
    /// The RDMA transfer of the data between the target and the client's buffer.
    public var rdma: TimeSpan

    public init(cta: TimeSpan = .zero, pci: TimeSpan = .zero, rta: TimeSpan = .zero, disk: TimeSpan = .zero,
                rdma: TimeSpan = .zero) {
        self.cta = cta
        self.pci = pci
        self.rta = rta
        self.disk = disk
        self.rdma = rdma
    }

    /// The request's whole residence in the target.
    public var total: TimeSpan { cta + pci + rta + disk + rdma }
}

/// The target's answer to one ``ClientRequest``, sent on the same connection after the data moved.
public struct ClientResponse: Hashable, Sendable {
    public var tag: UInt64
    public var status: IOStatus
    public var times: ServiceTimes

    public init(tag: UInt64, status: IOStatus, times: ServiceTimes = ServiceTimes()) {
        self.tag = tag
        self.status = status
        self.times = times
    }
}

/// Everything sent on an established connection (RC SEND/RECV): the data path.
///
/// Wire format (all integers big-endian), shared by every network protocol: see
/// `ConnectionMessage+Codec.swift`. Decoding never traps: malformed input throws
/// ``MessageDecodingError``.
public enum ConnectionMessage: Hashable, Sendable {
    case request(ClientRequest)
    case response(ClientResponse)
}
