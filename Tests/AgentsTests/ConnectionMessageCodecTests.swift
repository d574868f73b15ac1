import Agents
import Hardware
import Testing

@Suite("ConnectionMessage codec")
struct ConnectionMessageCodecTests {
    static let buffer = RemoteBuffer(address: 0x1_0000_2000, length: 262_144, rkey: 0x1234_5678)

    /// One message of every opcode and every status kind (both sense forms).
    static let samples: [ConnectionMessage] = {
        var messages: [ConnectionMessage] = []
        for operation in BlockOperation.allCases {
            messages.append(
                .request(
                    ClientRequest(
                        tag: 0xdead_beef_0000_0001, connection: ConnectionID(rawValue: 7), lun: 3, operation: operation,
                        lba: 0x1_2345_6789, blocks: operation == .flush ? 0 : 512, buffer: buffer)))
        }
        let times = ServiceTimes(
            cta: .nanoseconds(1_500), pci: .microseconds(12), rta: .nanoseconds(800), disk: .milliseconds(7),
            rdma: .microseconds(260))
        let statuses: [IOStatus] =
            [
                .good, .deviceUnavailable, .transferFailed,
                .checkCondition(SenseSummary(senseKey: .mediumError, additionalSenseCode: 0x11, additionalSenseCodeQualifier: 0, information: 4096)),
                .checkCondition(SenseSummary(senseKey: .notReady, additionalSenseCode: 0x04, additionalSenseCodeQualifier: 0x01)),
            ] + RejectReason.allCases.map { IOStatus.rejected($0) }
        for (index, status) in statuses.enumerated() {
            messages.append(.response(ClientResponse(tag: UInt64(index) << 40 | 9, status: status, times: times)))
        }
        return messages
    }()

    @Test("every sample round-trips")
    func roundTrip() throws {
        for message in Self.samples {
            #expect(try ConnectionMessage(decoding: message.encoded()) == message)
        }
    }

    @Test("a request is the 6-byte header and a 43-byte body; the header is magic, version, opcode, length")
    func requestLayout() {
        let bytes = Self.samples[0].encoded()
        #expect(bytes.count == 6 + 43)
        #expect(Array(bytes[0..<6]) == [0x49, 0x43, 1, 1, 0, 43])
        // tag, big-endian, first in the body
        #expect(BigEndianBytes.read(bytes, at: 6, count: 8) == 0xdead_beef_0000_0001)
    }

    @Test("a response's body is tag 8 + status + 5 × 8 bytes of nanoseconds; CHECK CONDITION adds 12 bytes")
    func responseLayout() throws {
        let good = ConnectionMessage.response(ClientResponse(tag: 1, status: .good, times: ServiceTimes(disk: .microseconds(3))))
        let bytes = good.encoded()
        #expect(bytes.count == 6 + 8 + 1 + 5 * 8)
        // disk is the fourth time: after tag (8), status (1) and three times (24); 3 µs = 3000 ns.
        #expect(BigEndianBytes.read(bytes, at: 6 + 8 + 1 + 24, count: 8) == 3_000)
        let sense = SenseSummary(senseKey: .mediumError, additionalSenseCode: 0x11, additionalSenseCodeQualifier: 0, information: 77)
        #expect(ConnectionMessage.response(ClientResponse(tag: 1, status: .checkCondition(sense))).encoded().count == bytes.count + 12)
    }

    @Test("times travel in whole nanoseconds: sub-nanosecond parts round down, negative parts become zero")
    func nanosecondResolution() throws {
        let times = ServiceTimes(cta: .picoseconds(1_999), pci: .picoseconds(-5))
        let decoded = try ConnectionMessage(decoding: ConnectionMessage.response(ClientResponse(tag: 1, status: .good, times: times)).encoded())
        #expect(decoded == .response(ClientResponse(tag: 1, status: .good, times: ServiceTimes(cta: .nanoseconds(1)))))
    }

    @Test("malformed headers, lengths and fields are rejected with the right error")
    func rejections() {
        let request = Self.samples[0].encoded()
        func error(_ bytes: [UInt8]) -> MessageDecodingError? {
            do {
                _ = try ConnectionMessage(decoding: bytes)
                return nil
            } catch {
                return error
            }
        }
        #expect(error([]) == .truncated(needed: 6, available: 0))
        var bad = request
        bad[0] = 0x50
        #expect(error(bad) == .badHeader)
        bad = request
        bad[2] = 2
        #expect(error(bad) == .badHeader)
        bad = request
        bad[3] = 9
        #expect(error(bad) == .unknownOpcode(9))
        #expect(error(Array(request.dropLast())) == .truncated(needed: 49, available: 48))
        #expect(error(request + [0]) == .trailingBytes(1))
        // A body length that disagrees with the fields: 44 declared, 44 present, 43 used.
        bad = request + [0]
        bad[5] = 44
        #expect(error(bad) == .lengthMismatch(declared: 44, actual: 43))
        bad = request
        bad[6 + 14] = 4  // operation
        #expect(error(bad) == .fieldOutOfRange("operation"))

        let check = ConnectionMessage.response(
            ClientResponse(tag: 1, status: .checkCondition(SenseSummary(senseKey: .mediumError, additionalSenseCode: 0x11, additionalSenseCodeQualifier: 0)))
        ).encoded()
        bad = check
        bad[6 + 9] = 0x10  // sense key
        #expect(error(bad) == .fieldOutOfRange("sense key"))
        bad = check
        bad[6 + 12] = 2  // flags
        #expect(error(bad) == .fieldOutOfRange("sense flags"))
        bad = check
        bad[6 + 20] = 1  // information without the valid flag
        #expect(error(bad) == .fieldOutOfRange("sense information"))
        bad = check
        bad[6 + 8] = 5  // status kind
        #expect(error(bad) != nil)
        let rejected = ConnectionMessage.response(ClientResponse(tag: 1, status: .rejected(.malformed))).encoded()
        bad = rejected
        bad[6 + 9] = 0
        #expect(error(bad) == .fieldOutOfRange("reject reason"))
        bad = rejected
        for index in (6 + 10)..<(6 + 18) { bad[index] = 0xff }  // cta = 2^64 − 1 ns
        #expect(error(bad) == .fieldOutOfRange("times.cta"))
    }

    @Test("fuzz: 10 000 inputs never trap, and whatever decodes re-encodes to itself")
    func fuzzDecoder() {
        let outcome = fuzz(
            seed: 0xC0_4E_C7, count: 10_000, samples: Self.samples, encode: { $0.encoded() },
            decode: { try ConnectionMessage(decoding: $0) })
        #expect(outcome.inputs == 10_000)
        #expect(outcome.unstable == 0)
        #expect(outcome.rejected > 0)
        #expect(outcome.accepted > 0)
    }
}
