// The failover message's wire format (big-endian throughout).
//
//     header   magic 0x464D ("FM", 2) · version 2 (1) · opcode (1) · incarnation (8) · sequence (8)
//              · sender state (1, a FailoverMonitorState raw value) · flags (1: bit 0 the sender's
//              NVRAM log is in sync in the receiver's mirror half; the other bits 0)
//     body     1 hello             configuration length (2, ≤ maxConfigurationBytes) · configuration
//              2 heartbeat         (empty)
//              3 giveback request  (empty)
//              4 giveback ready    (empty)
//              5 giveback done     (empty)
//
// Every message is exactly its header and body: trailing bytes are refused.

extension FailoverMessage {
    /// "FM": the first two bytes of every failover message.
    static let magic: UInt16 = 0x464d
    /// The only version this codec speaks (2: the flags byte; version 1 had none).
    static let version: UInt8 = 2
    /// Magic, version, opcode, incarnation, sequence, state, flags.
    static let headerLength = 22
    /// Flags bit 0: ``mirrorInSync``.
    static let mirrorInSyncFlag: UInt8 = 0x01
    /// The longest configuration a hello carries. [assumption: a LUN map of 256 LUNs × 16 bytes;
    /// the coordinator's map format is its own]
    public static let maxConfigurationBytes = 4096
    /// The longest encoded message (a hello with the longest configuration): what the monitor
    /// asks the cluster connection manager to post receives for.
    public static let maxEncodedLength = headerLength + 2 + maxConfigurationBytes

    private var opcode: UInt8 {
        switch body {
        case .hello: 1
        case .heartbeat: 2
        case .givebackRequest: 3
        case .givebackReady: 4
        case .givebackDone: 5
        }
    }

    /// The message's bytes on the wire.
    ///
    /// - Precondition: a hello's configuration is at most ``maxConfigurationBytes`` long.
    public func encoded() -> [UInt8] {
        var writer = AgentWireWriter(capacity: Self.headerLength + 2)
        writer.u16(Self.magic)
        writer.u8(Self.version)
        writer.u8(opcode)
        writer.u64(incarnation)
        writer.u64(sequence)
        writer.u8(state.rawValue)
        writer.u8(mirrorInSync ? Self.mirrorInSyncFlag : 0)
        if case .hello(let configuration) = body {
            precondition(configuration.count <= Self.maxConfigurationBytes, "failover configuration too long")
            writer.u16(UInt16(configuration.count))
            writer.append(configuration)
        }
        return writer.bytes
    }

    /// Decodes one whole message; throws on anything malformed, never traps.
    public init(decoding bytes: [UInt8]) throws(MessageDecodingError) {
        guard bytes.count >= Self.headerLength else {
            throw .truncated(needed: Self.headerLength, available: bytes.count)
        }
        var reader = AgentWireReader(bytes)
        guard try reader.u16() == Self.magic, try reader.u8() == Self.version else { throw .badHeader }
        let opcode = try reader.u8()
        let incarnation = try reader.u64()
        let sequence = try reader.u64()
        guard let state = FailoverMonitorState(rawValue: try reader.u8()) else { throw .fieldOutOfRange("sender state") }
        let flags = try reader.u8()
        guard flags & ~Self.mirrorInSyncFlag == 0 else { throw .fieldOutOfRange("flags") }
        let body: FailoverMessageBody
        switch opcode {
        case 1:
            let count = Int(try reader.u16())
            guard count <= Self.maxConfigurationBytes else { throw .fieldOutOfRange("configuration length") }
            guard count <= reader.remaining else {
                throw .lengthMismatch(declared: count, actual: reader.remaining)
            }
            let start = reader.offset
            body = .hello(configuration: Array(bytes[start..<(start + count)]))
            reader = AgentWireReader(bytes, from: start + count)
        case 2: body = .heartbeat
        case 3: body = .givebackRequest
        case 4: body = .givebackReady
        case 5: body = .givebackDone
        default: throw .unknownOpcode(opcode)
        }
        try reader.finish()
        self.init(incarnation: incarnation, sequence: sequence, state: state, mirrorInSync: flags != 0, body: body)
    }
}
