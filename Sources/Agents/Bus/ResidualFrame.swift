import Hardware

/// One frame of the residual message store's protocol on the bus (big-endian):
///
///     magic "RM" (0x52 0x4D) | version 1 | kind (1 data, 2 ack) | epoch (32) | sequence (32) | payload (data only)
///
/// A data frame carries one message, numbered from 0 within the sender's epoch; an ack carries
/// the epoch it acknowledges and the next sequence number its sender expects (cumulative).
public enum ResidualFrame: Hashable, Sendable {
    case data(epoch: UInt32, sequence: UInt32, payload: [UInt8])
    case ack(epoch: UInt32, nextExpected: UInt32)

    /// The first two bytes of every frame ("RM").
    public static let magic: UInt16 = 0x524D
    public static let version: UInt8 = 1
    /// Bytes before a data frame's payload; an ack is exactly this long.
    public static let headerSize = 12

    /// The frame's bytes on the bus.
    public func encoded() -> [UInt8] {
        var writer = AgentWireWriter(capacity: Self.headerSize)
        writer.u16(Self.magic)
        writer.u8(Self.version)
        switch self {
        case .data(let epoch, let sequence, let payload):
            writer.u8(1)
            writer.u32(epoch)
            writer.u32(sequence)
            writer.append(payload)
        case .ack(let epoch, let nextExpected):
            writer.u8(2)
            writer.u32(epoch)
            writer.u32(nextExpected)
        }
        return writer.bytes
    }

    /// Decodes one whole frame; throws on anything malformed, never traps.
    public init(decoding bytes: [UInt8]) throws(MessageDecodingError) {
        guard bytes.count >= Self.headerSize else { throw .truncated(needed: Self.headerSize, available: bytes.count) }
        var reader = AgentWireReader(bytes)
        guard try reader.u16() == Self.magic, try reader.u8() == Self.version else { throw .badHeader }
        let kind = try reader.u8()
        let epoch = try reader.u32()
        let sequence = try reader.u32()
        switch kind {
        case 1:
            self = .data(epoch: epoch, sequence: sequence, payload: reader.rest())
        case 2:
            try reader.finish()
            self = .ack(epoch: epoch, nextExpected: sequence)
        default:
            throw .unknownOpcode(kind)
        }
    }
}
