import Agents
import Hardware
import Testing

/// One valid message of every opcode (and every status and operation), for round trips and fuzzing.
let agentMessageSamples: [AgentMessage] = {
    let identity = DeviceIdentity(
        vendor: "SEAGATE", product: "ST3146807FC", serialNumber: "3HY0XK7Q", worldWideName: 0x5000_c500_0a1b_2c3d,
        blockLength: 512, blockCount: 286_749_488)
    let segments = [
        BusSegment(address: BusAddress(rawValue: 0x8000_0000), length: 4096),
        BusSegment(address: BusAddress(rawValue: 0x8000_1000), length: 512),
    ]
    let times = RTATimes(rta: .microseconds(12), disk: .milliseconds(4))
    let medium = SenseSummary(
        senseKey: .mediumError, additionalSenseCode: 0x11, additionalSenseCodeQualifier: 0x00, information: 4096)
    let notReady = SenseSummary(senseKey: .notReady, additionalSenseCode: 0x04, additionalSenseCodeQualifier: 0x01)
    var messages: [AgentMessage] = [
        .attach(buffers: BusSegment(address: BusAddress(rawValue: 0x8000_0000), length: 1 << 20), segmentSize: 4096),
        .discover(generation: 7),
        .connectionAdd(ConnectionID(rawValue: 3), devices: [0, 1, 5]),
        .connectionAdd(ConnectionID(rawValue: 4), devices: []),
        .connectionRemove(ConnectionID(rawValue: 3)),
        .resources(generation: 7, devices: [DeviceProfile(device: 0, identity: identity),
                                            DeviceProfile(device: 2, identity: DeviceIdentity(
                                                vendor: "ATA", product: "Ünïcødé ✓", serialNumber: "", worldWideName: 0,
                                                blockLength: 4096, blockCount: 1))]),
        .resources(generation: 8, devices: []),
        .dataPlaced(transaction: 42),
        .transferDone(transaction: .max),
        .buffersReady(transaction: 43, segments),
        .buffersReady(transaction: 44, []),
        .dataReady(transaction: 45, segments, times),
    ]
    for operation in BlockOperation.allCases {
        messages.append(.ioRequest(RTARequest(transaction: 100 + UInt64(operation.rawValue), connection: ConnectionID(rawValue: 3),
                                              device: 1, operation: operation, lba: 1 << 40, blocks: 8)))
    }
    messages.append(.resources(generation: 9, devices: [DeviceProfile(device: 0, identity: identity),
                                                        DeviceProfile(device: 1, identity: identity, partner: true)]))
    let requests: [ReservationRequest] = [
        .register(key: 0x5245_4400_0000_0001), .registerIgnoringExisting(key: 1), .reserve(key: .max),
        .preempt(key: 1, victim: 2), .release(key: 3), .readKeys, .readReservation, .drain,
    ]
    for (index, request) in requests.enumerated() {
        messages.append(.reservation(transaction: 300 + UInt64(index), device: UInt16(index), request))
    }
    messages.append(.reservationDone(transaction: 310, .good, ReservationResult(generation: 4, keys: [1, 2], holder: 2)))
    messages.append(.reservationDone(transaction: 311, .good, ReservationResult()))
    messages.append(.reservationDone(transaction: 312, .reservationConflict, ReservationResult()))
    var statuses: [IOStatus] = [.good, .checkCondition(medium), .checkCondition(notReady), .deviceUnavailable, .transferFailed,
                                .reservationConflict]
    statuses += RejectReason.allCases.map { .rejected($0) }
    for (index, status) in statuses.enumerated() {
        messages.append(.ioComplete(transaction: 200 + UInt64(index), status, times))
    }
    return messages
}()

@Suite("AgentMessage codec")
struct AgentMessageCodecTests {
    @Test("every sample round-trips, and its header declares its body length")
    func roundTrip() throws {
        for message in agentMessageSamples {
            let bytes = message.encoded()
            #expect(bytes.count >= AgentMessage.headerSize)
            #expect(Int(bytes[4]) << 8 | Int(bytes[5]) == bytes.count - AgentMessage.headerSize)
            #expect(try AgentMessage(decoding: bytes) == message)
        }
    }

    @Test("ioRequest is header + 8 + 4 + 2 + 1 + 8 + 4 bytes, big-endian")
    func ioRequestLayout() {
        let request = RTARequest(transaction: 0x0102_0304_0506_0708, connection: ConnectionID(rawValue: 0x0a0b_0c0d),
                                 device: 0x0e0f, operation: .write, lba: 0x1112_1314_1516_1718, blocks: 0x191a_1b1c)
        let bytes = AgentMessage.ioRequest(request).encoded()
        #expect(bytes.count == AgentMessage.headerSize + 8 + 4 + 2 + 1 + 8 + 4)
        #expect(Array(bytes[0..<6]) == [0x52, 0x54, 1, 6, 0, 27])
        #expect(Array(bytes[6..<14]) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(bytes[20] == BlockOperation.write.rawValue)
    }

    @Test("malformed input is refused with the right error")
    func refusals() {
        let good = AgentMessage.ioRequest(RTARequest(transaction: 1, connection: ConnectionID(rawValue: 1), device: 0,
                                                     operation: .read, lba: 0, blocks: 1)).encoded()
        #expect(throws: MessageDecodingError.truncated(needed: 6, available: 3)) { try AgentMessage(decoding: [0x52, 0x54, 1]) }
        var badMagic = good
        badMagic[0] = 0
        #expect(throws: MessageDecodingError.badHeader) { try AgentMessage(decoding: badMagic) }
        var badVersion = good
        badVersion[2] = 2
        #expect(throws: MessageDecodingError.badHeader) { try AgentMessage(decoding: badVersion) }
        var badOpcode = good
        badOpcode[3] = 99
        #expect(throws: MessageDecodingError.unknownOpcode(99)) { try AgentMessage(decoding: badOpcode) }
        #expect(throws: MessageDecodingError.lengthMismatch(declared: 27, actual: 28)) {
            try AgentMessage(decoding: good + [0])
        }
        var badOperation = good
        badOperation[20] = 9
        #expect(throws: MessageDecodingError.fieldOutOfRange("block operation")) { try AgentMessage(decoding: badOperation) }
        // Trailing bytes inside the declared body: a discover with 5 body bytes instead of 4.
        #expect(throws: MessageDecodingError.trailingBytes(1)) {
            try AgentMessage(decoding: [0x52, 0x54, 1, 2, 0, 5, 0, 0, 0, 7, 0])
        }
    }

    @Test("status tags, reject reasons, sense keys above 0x0f and bad UTF-8 are refused")
    func fieldChecks() {
        let complete = AgentMessage.ioComplete(transaction: 1, .rejected(.malformed), RTATimes()).encoded()
        let tagAt = AgentMessage.headerSize + 8
        var badTag = complete
        badTag[tagAt] = 5
        #expect(throws: MessageDecodingError.self) { try AgentMessage(decoding: badTag) }
        var badReason = complete
        badReason[tagAt + 1] = 0
        #expect(throws: MessageDecodingError.fieldOutOfRange("reject reason")) { try AgentMessage(decoding: badReason) }
        let sense = SenseSummary(senseKey: .mediumError, additionalSenseCode: 0x11, additionalSenseCodeQualifier: 0)
        var badKey = AgentMessage.ioComplete(transaction: 1, .checkCondition(sense), RTATimes()).encoded()
        badKey[tagAt + 1] = 0x10
        #expect(throws: MessageDecodingError.fieldOutOfRange("sense key")) { try AgentMessage(decoding: badKey) }
        let identity = DeviceIdentity(vendor: "AB", product: "", serialNumber: "", worldWideName: 0, blockLength: 512,
                                      blockCount: 1)
        var badUTF8 = AgentMessage.resources(generation: 1, devices: [DeviceProfile(device: 0, identity: identity)]).encoded()
        let vendorAt = AgentMessage.headerSize + 4 + 2 + 2 + 1
        badUTF8[vendorAt] = 0xc3  // a lead byte followed by 'B': invalid UTF-8
        #expect(throws: MessageDecodingError.fieldOutOfRange("vendor")) { try AgentMessage(decoding: badUTF8) }
    }

    @Test("a segment count above the cap is refused before anything is allocated")
    func countCap() {
        var bytes = AgentMessage.buffersReady(transaction: 1, []).encoded()
        bytes[AgentMessage.headerSize + 8] = 0xff
        bytes[AgentMessage.headerSize + 9] = 0xff
        #expect(throws: MessageDecodingError.fieldOutOfRange("segment count")) { try AgentMessage(decoding: bytes) }
    }

    @Test("a string longer than 255 bytes is cut at a whole scalar")
    func longString() throws {
        let long = String(repeating: "é", count: 200)  // 400 bytes of UTF-8
        let identity = DeviceIdentity(vendor: long, product: "p", serialNumber: "s", worldWideName: 1, blockLength: 512,
                                      blockCount: 2)
        let decoded = try AgentMessage(decoding: AgentMessage.resources(generation: 1, devices: [DeviceProfile(device: 0, identity: identity)]).encoded())
        guard case .resources(_, let devices) = decoded else { Issue.record("not resources"); return }
        #expect(devices[0].identity.vendor == String(repeating: "é", count: 255 / 2))
        #expect(devices[0].identity.product == "p")
    }

    @Test("resources without a partner device carry no partner trailer; with one, a count and a flag per profile")
    func partnerTrailer() throws {
        let identity = DeviceIdentity(vendor: "V", product: "P", serialNumber: "S", worldWideName: 1, blockLength: 512, blockCount: 8)
        let lone = AgentMessage.resources(generation: 1, devices: [DeviceProfile(device: 0, identity: identity),
                                                                   DeviceProfile(device: 1, identity: identity)])
        let cluster = AgentMessage.resources(generation: 1, devices: [DeviceProfile(device: 0, identity: identity),
                                                                      DeviceProfile(device: 1, identity: identity, partner: true)])
        // The trailer: a 16-bit count (2) and one flag byte per profile (2).
        #expect(cluster.encoded().count == lone.encoded().count + 2 + 2)
        #expect(Array(cluster.encoded().suffix(4)) == [0, 2, 0, 1])
        // A trailer of zeros is not canonical: refused.
        var zeros = lone.encoded() + [0, 2, 0, 0]
        zeros[5] &+= 4
        #expect(throws: MessageDecodingError.self) { try AgentMessage(decoding: zeros) }
    }

    @Test("fuzz: 10 000 inputs never trap and whatever is accepted re-encodes stably")
    func fuzzDecoder() {
        let outcome = fuzz(seed: 0xA6E7, count: 10_000, samples: agentMessageSamples, encode: { $0.encoded() },
                           decode: { try AgentMessage(decoding: $0) })
        #expect(outcome.inputs == 10_000)
        #expect(outcome.unstable == 0)
        #expect(outcome.rejected > 0)
        #expect(outcome.accepted > 0)
    }
}
