import Hardware

/// One client's connection information, as the partner's manager needs it to connect.
public struct ClusterClientEndpoint: Hashable, Sendable {
    /// The client's ``ClusterConnectionClient/clusterClientName`` (UTF-8, at most 64 bytes).
    public var name: String
    /// Its RC QP on this interconnect.
    public var queuePairNumber: UInt32
    /// The first PSN it sends.
    public var packetSequenceNumber: UInt32
    /// Its exposed memory: rkey, address and length (all 0 when it exposes none).
    public var rkey: UInt32
    public var address: UInt64
    public var length: UInt64

    public init(name: String, queuePairNumber: UInt32, packetSequenceNumber: UInt32, rkey: UInt32, address: UInt64, length: UInt64) {
        self.name = name
        self.queuePairNumber = queuePairNumber
        self.packetSequenceNumber = packetSequenceNumber
        self.rkey = rkey
        self.address = address
        self.length = length
    }

    /// The longest name a client may have.
    public static let maxNameBytes = 64
}

/// What the managers of a cluster send each other over the slam QP once it is Connected.
public enum ClusterManagerMessage: Hashable, Sendable {
    /// Every client's connection information on this interconnect, in registration order.
    case connectionInfo([ClusterClientEndpoint])
    /// This side connected every client QP that has a counterpart (they are in RTS).
    case ready
}

extension ClusterManagerMessage {
    /// Magic and version: `0xC1`, 1.
    static let magic: UInt8 = 0xc1
    static let version: UInt8 = 1
    static let infoOpcode: UInt8 = 1
    static let readyOpcode: UInt8 = 2
    /// Bytes of one entry after its name: QPN, PSN, rkey (4 each), address, length (8 each).
    static let entryFixedBytes = 28

    /// The wire form: magic, version, opcode, then for `connectionInfo` a 2-byte count and per
    /// entry a 1-byte name length, the name, and the fixed fields, big-endian.
    public func encoded() -> [UInt8] {
        switch self {
        case .ready:
            return [Self.magic, Self.version, Self.readyOpcode]
        case .connectionInfo(let entries):
            var bytes: [UInt8] = [Self.magic, Self.version, Self.infoOpcode, UInt8(entries.count >> 8), UInt8(entries.count & 0xff)]
            for entry in entries {
                let name = Array(entry.name.utf8)
                precondition(name.count <= ClusterClientEndpoint.maxNameBytes, "cluster client name too long")
                bytes.append(UInt8(name.count))
                bytes += name
                Self.append(UInt64(entry.queuePairNumber), bytes: 4, to: &bytes)
                Self.append(UInt64(entry.packetSequenceNumber), bytes: 4, to: &bytes)
                Self.append(UInt64(entry.rkey), bytes: 4, to: &bytes)
                Self.append(entry.address, bytes: 8, to: &bytes)
                Self.append(entry.length, bytes: 8, to: &bytes)
            }
            return bytes
        }
    }

    private static func append(_ value: UInt64, bytes count: Int, to bytes: inout [UInt8]) {
        for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
    }

    private static func read(_ bytes: [UInt8], at offset: inout Int, count: Int) throws(MessageDecodingError) -> UInt64 {
        guard bytes.count - offset >= count else { throw .truncated(needed: offset + count, available: bytes.count) }
        var value: UInt64 = 0
        for index in 0..<count { value = value << 8 | UInt64(bytes[offset + index]) }
        offset += count
        return value
    }

    /// Decodes a message; throws (never traps) on malformed bytes.
    public init(decoding bytes: [UInt8]) throws(MessageDecodingError) {
        guard bytes.count >= 3 else { throw .truncated(needed: 3, available: bytes.count) }
        guard bytes[0] == Self.magic, bytes[1] == Self.version else { throw .badHeader }
        switch bytes[2] {
        case Self.readyOpcode:
            guard bytes.count == 3 else { throw .trailingBytes(bytes.count - 3) }
            self = .ready
        case Self.infoOpcode:
            var offset = 3
            let count = Int(try Self.read(bytes, at: &offset, count: 2))
            var entries: [ClusterClientEndpoint] = []
            for _ in 0..<count {
                let nameLength = Int(try Self.read(bytes, at: &offset, count: 1))
                guard nameLength <= ClusterClientEndpoint.maxNameBytes else { throw .fieldOutOfRange("client name length") }
                guard bytes.count - offset >= nameLength else { throw .truncated(needed: offset + nameLength, available: bytes.count) }
                guard let name = String(validating: bytes[offset..<offset + nameLength], as: UTF8.self) else {
                    throw .fieldOutOfRange("client name")
                }
                offset += nameLength
                let qpn = UInt32(try Self.read(bytes, at: &offset, count: 4))
                let psn = UInt32(try Self.read(bytes, at: &offset, count: 4))
                let rkey = UInt32(try Self.read(bytes, at: &offset, count: 4))
                let address = try Self.read(bytes, at: &offset, count: 8)
                let length = try Self.read(bytes, at: &offset, count: 8)
                guard qpn <= 0xff_ffff else { throw .fieldOutOfRange("queue pair number") }
                guard psn <= 0xff_ffff else { throw .fieldOutOfRange("packet sequence number") }
                entries.append(ClusterClientEndpoint(name: name, queuePairNumber: qpn, packetSequenceNumber: psn, rkey: rkey,
                                                     address: address, length: length))
            }
            guard offset == bytes.count else { throw .trailingBytes(bytes.count - offset) }
            self = .connectionInfo(entries)
        default:
            throw .unknownOpcode(bytes[2])
        }
    }
}
