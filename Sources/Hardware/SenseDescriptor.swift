/// One descriptor of descriptor-format sense data (SPC-4 4.5.2): a type byte, then a payload
/// of at most 255 bytes (the wire form carries the payload length in its second byte).
public struct SenseDescriptor: Hashable, Sendable, CustomStringConvertible {
    /// The descriptor type, e.g. 0x09 for SAT's ATA Status Return.
    public var type: UInt8
    /// The bytes after the two-byte header.
    public var payload: [UInt8]

    /// The Information descriptor (type 00h).
    public static let informationType: UInt8 = 0x00
    /// The Command-specific information descriptor (type 01h).
    public static let commandSpecificInformationType: UInt8 = 0x01
    /// The Sense key specific descriptor (type 02h).
    public static let senseKeySpecificType: UInt8 = 0x02
    /// The Field replaceable unit descriptor (type 03h).
    public static let fieldReplaceableUnitType: UInt8 = 0x03
    /// The Stream commands descriptor (type 04h).
    public static let streamCommandsType: UInt8 = 0x04
    /// The Block commands descriptor (type 05h).
    public static let blockCommandsType: UInt8 = 0x05
    /// SAT's ATA Status Return descriptor (type 09h).
    public static let ataStatusReturnType: UInt8 = 0x09

    /// - Precondition: `payload.count <= 255`.
    public init(type: UInt8, payload: [UInt8]) {
        precondition(payload.count <= 255, "sense descriptor payload of \(payload.count) bytes exceeds 255")
        self.type = type
        self.payload = payload
    }

    /// The wire form: type, payload length, payload.
    public var bytes: [UInt8] { [type, UInt8(payload.count)] + payload }

    /// E.g. `descriptor 0x09: 01 00 00 01 …`.
    public var description: String {
        "descriptor 0x" + HexFormatting.hex(type, digits: 2) + ": " + HexFormatting.bytes(payload)
    }
}
