import Hardware
import Testing

/// Builds `command`, checks its bytes against `expected` (written out by hand from the
/// standards' tables), parses them back to the same value, and refuses short, long and
/// wrong-opcode CDBs (the opcode with the bits of `opcodeFlip` flipped).
func checkRoundTrip<C: CommandDescriptorBlock>(
    _ command: C, _ expected: [UInt8], opcodeFlip: UInt8 = 0x40, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(command.bytes == expected, "\(C.self) bytes", sourceLocation: sourceLocation)
    #expect(C(bytes: expected) == command, "\(C.self) parse", sourceLocation: sourceLocation)
    #expect(C(bytes: expected.dropLast()) == nil, "\(C.self) short", sourceLocation: sourceLocation)
    #expect(C(bytes: expected + [0]) == nil, "\(C.self) long", sourceLocation: sourceLocation)
    var wrongOpcode = expected
    wrongOpcode[0] ^= opcodeFlip
    #expect(C(bytes: wrongOpcode) == nil, "\(C.self) opcode", sourceLocation: sourceLocation)
}
