/// Why bytes from the wire or the bus are not a valid message. Decoders throw it and never
/// trap: every agent counts it and drops the message.
public enum MessageDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message ended early: `needed` bytes at least, `available` present.
    case truncated(needed: Int, available: Int)
    /// The first bytes are not this protocol's magic and version.
    case badHeader
    /// An opcode this version does not define.
    case unknownOpcode(UInt8)
    /// The length field disagrees with the bytes received.
    case lengthMismatch(declared: Int, actual: Int)
    /// A field's value is outside its range; names the field.
    case fieldOutOfRange(String)
    /// Bytes left over after a complete message.
    case trailingBytes(Int)

    public var description: String {
        switch self {
        case .truncated(let needed, let available): "truncated: needs \(needed) bytes, has \(available)"
        case .badHeader: "bad magic or version"
        case .unknownOpcode(let opcode): "unknown opcode \(opcode)"
        case .lengthMismatch(let declared, let actual): "length \(declared) declared, \(actual) present"
        case .fieldOutOfRange(let field): "\(field) out of range"
        case .trailingBytes(let count): "\(count) trailing bytes"
        }
    }
}
