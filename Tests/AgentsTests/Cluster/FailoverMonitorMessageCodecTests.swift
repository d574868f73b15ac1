import Agents
import Testing

/// The failover message codec: round trips, the header, the rejections, and a fuzz run.
@Suite("FailoverMessage codec")
struct FailoverMonitorMessageCodecTests {
    /// One message of every opcode, and every sender state.
    static let samples: [FailoverMessage] =
        [
            FailoverMessage(incarnation: 0x0102_0304_0506_0708, sequence: 1, state: .booting, body: .hello(configuration: [1, 2, 3])),
            FailoverMessage(incarnation: 7, sequence: 2, state: .takenOver, body: .hello(configuration: [])),
            FailoverMessage(incarnation: 7, sequence: 3, state: .normal, body: .heartbeat),
            FailoverMessage(incarnation: 7, sequence: 6, state: .normal, mirrorInSync: true, body: .heartbeat),
            FailoverMessage(incarnation: 7, sequence: 7, state: .takenOver, mirrorInSync: true, body: .hello(configuration: [4, 5])),
            FailoverMessage(incarnation: 7, sequence: 4, state: .waitingForGiveback, body: .givebackRequest),
            FailoverMessage(incarnation: 7, sequence: 5, state: .normal, body: .givebackReady),
            FailoverMessage(incarnation: .max, sequence: .max, state: .normal, body: .givebackDone),
        ] + FailoverMonitorState.allCases.map { FailoverMessage(incarnation: 9, sequence: 10, state: $0, body: .heartbeat) }

    @Test("Every sample decodes to itself")
    func roundTrip() throws {
        for message in Self.samples {
            #expect(try FailoverMessage(decoding: message.encoded()) == message)
        }
    }

    @Test("Header: magic FM, version 2, opcode, incarnation, sequence, state, flags; a hello adds 2 + configuration bytes")
    func header() {
        let heartbeat = FailoverMessage(incarnation: 0x0102, sequence: 0x0304, state: .normal, body: .heartbeat).encoded()
        #expect(heartbeat == [0x46, 0x4d, 2, 2, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 3, 4, FailoverMonitorState.normal.rawValue, 0])
        // The flags byte: bit 0 the sender's log is in sync in the receiver's mirror half.
        let inSync = FailoverMessage(incarnation: 0x0102, sequence: 0x0304, state: .normal, mirrorInSync: true, body: .heartbeat).encoded()
        #expect(inSync == Array(heartbeat.dropLast()) + [1])
        let configuration: [UInt8] = [9, 8, 7, 6, 5]
        let hello = FailoverMessage(incarnation: 1, sequence: 1, state: .booting, body: .hello(configuration: configuration)).encoded()
        // 22-byte header + 2-byte length + the configuration.
        #expect(hello.count == 22 + 2 + configuration.count)
        #expect(Array(hello[22...]) == [0, 5] + configuration)
        let longest = FailoverMessage(
            incarnation: 1, sequence: 1, state: .booting,
            body: .hello(configuration: [UInt8](repeating: 0xaa, count: FailoverMessage.maxConfigurationBytes))).encoded()
        #expect(longest.count == FailoverMessage.maxEncodedLength)
    }

    @Test("Malformed inputs throw the matching error")
    func rejections() {
        let heartbeat = Self.samples[2].encoded()
        #expect(throws: MessageDecodingError.truncated(needed: 22, available: 21)) {
            try FailoverMessage(decoding: Array(heartbeat.dropLast()))
        }
        var badMagic = heartbeat; badMagic[1] = 0
        #expect(throws: MessageDecodingError.badHeader) { try FailoverMessage(decoding: badMagic) }
        var badVersion = heartbeat; badVersion[2] = 1  // version 1 had no flags byte
        #expect(throws: MessageDecodingError.badHeader) { try FailoverMessage(decoding: badVersion) }
        var badOpcode = heartbeat; badOpcode[3] = 6
        #expect(throws: MessageDecodingError.unknownOpcode(6)) { try FailoverMessage(decoding: badOpcode) }
        var badState = heartbeat; badState[20] = UInt8(FailoverMonitorState.allCases.count)
        #expect(throws: MessageDecodingError.fieldOutOfRange("sender state")) { try FailoverMessage(decoding: badState) }
        for bit in 1..<8 {
            var badFlags = heartbeat; badFlags[21] = 1 << UInt8(bit)
            #expect(throws: MessageDecodingError.fieldOutOfRange("flags")) { try FailoverMessage(decoding: badFlags) }
        }
        #expect(throws: MessageDecodingError.trailingBytes(1)) { try FailoverMessage(decoding: heartbeat + [0]) }
        let hello = Self.samples[0].encoded()  // configuration of 3 bytes
        #expect(throws: MessageDecodingError.lengthMismatch(declared: 3, actual: 2)) {
            try FailoverMessage(decoding: Array(hello.dropLast()))
        }
        var tooLong = hello; tooLong[22] = 0xff; tooLong[23] = 0xff
        #expect(throws: MessageDecodingError.fieldOutOfRange("configuration length")) { try FailoverMessage(decoding: tooLong) }
    }

    @Test("Fuzz: 10 000 inputs never trap, every accepted one is stable")
    func fuzzing() {
        let outcome = fuzz(seed: 0xfa11_0e4, samples: Self.samples, encode: { $0.encoded() },
                           decode: { try FailoverMessage(decoding: $0) })
        #expect(outcome.inputs == 10_000)
        #expect(outcome.unstable == 0)
        #expect(outcome.rejected > 0)
        #expect(outcome.accepted > 0)
    }
}
