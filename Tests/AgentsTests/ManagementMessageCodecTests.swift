import Agents
import Hardware
import Testing

/// The management datagram codec: round trips, the header and caps checks, and a fuzz run.
@Suite("ManagementMessage codec")
struct ManagementMessageCodecTests {
    static let endpoint = TransportEndpoint(address: [0x00, 0x03], queuePairNumber: 0x48, packetSequenceNumber: 0x12_3456)
    static let offer = ConnectionOffer(
        clientGUID: 0x0002_c903_0000_0001, serviceID: ServiceEntry.blockStorage.serviceID, requestedLUNs: [0, 1, 7],
        regions: [RemoteBuffer(address: 0x1000, length: 65_536, rkey: 0x12)], maxOutstanding: 16)

    /// One message of every opcode and every reply kind.
    static let samples: [ManagementMessage] = [
        .query(transaction: 1, .ioUnitInfo),
        .query(transaction: 2, .ioControllerProfile(slot: 1)),
        .query(transaction: 3, .serviceEntries(slot: 2)),
        .reply(transaction: 4, .ioUnitInfo(IOUnitInfo(changeID: 3, controllerCount: 2), unitGUID: 0xfeed)),
        .reply(transaction: 5, .ioControllerProfile(IOControllerProfile(
            slot: 1, guid: 0xabc, luns: [LUNProfile(lun: 0, blockLength: 512, blockCount: 1 << 30),
                                         LUNProfile(lun: 1, blockLength: 4096, blockCount: 12)]))),
        .reply(transaction: 6, .serviceEntries(slot: 1, [.blockStorage, ServiceEntry(name: "é-storage", serviceID: 9)])),
        .reply(transaction: 7, .noSuchController(slot: 9)),
        .connectRequest(transaction: 8, endpoint: endpoint, offer: offer),
        .connectReply(transaction: 9, connection: ConnectionID(rawValue: 7), endpoint: endpoint,
                      grant: ConnectionGrant(luns: [0, 1], maxTransferBytes: 1 << 20, maxOutstanding: 8)),
        .connectReject(transaction: 10, reason: .noLUNsGranted),
        .disconnectRequest(transaction: 11, connection: ConnectionID(rawValue: 3)),
        .disconnectReply(transaction: 12, connection: ConnectionID(rawValue: 3)),
    ]

    @Test("Every sample decodes to itself")
    func roundTrip() throws {
        for message in Self.samples {
            #expect(try ManagementMessage(decoding: message.encoded()) == message)
        }
    }

    @Test("Header: magic, version 1, opcode, body length = bytes − 6")
    func header() {
        let bytes = ManagementMessage.disconnectReply(transaction: 0x0102, connection: ConnectionID(rawValue: 5)).encoded()
        // Body: transaction (8) + connection (4).
        #expect(bytes.count == 6 + 8 + 4)
        #expect(Array(bytes[0..<6]) == [0x4d, 0x47, 1, 7, 0, 12])
    }

    @Test("Malformed inputs throw the matching error")
    func rejections() {
        let good = Self.samples[7].encoded()
        #expect(throws: MessageDecodingError.truncated(needed: 6, available: 3)) { try ManagementMessage(decoding: [0x4d, 0x47, 1]) }
        var badMagic = good; badMagic[0] = 0
        #expect(throws: MessageDecodingError.badHeader) { try ManagementMessage(decoding: badMagic) }
        var badVersion = good; badVersion[2] = 2
        #expect(throws: MessageDecodingError.badHeader) { try ManagementMessage(decoding: badVersion) }
        var badOpcode = good; badOpcode[3] = 99
        #expect(throws: MessageDecodingError.unknownOpcode(99)) { try ManagementMessage(decoding: badOpcode) }
        #expect(throws: MessageDecodingError.lengthMismatch(declared: good.count - 6, actual: good.count - 5)) {
            try ManagementMessage(decoding: good + [0])
        }
        // A declared length that matches but a body one byte longer than the message: trailing byte.
        var trailing = good + [0]
        trailing[4] = UInt8((good.count - 5) >> 8); trailing[5] = UInt8((good.count - 5) & 0xff)
        #expect(throws: MessageDecodingError.trailingBytes(1)) { try ManagementMessage(decoding: trailing) }
        let reject = ManagementMessage.connectReject(transaction: 1, reason: .notReady).encoded()
        var badReason = reject; badReason[badReason.count - 1] = 0
        #expect(throws: MessageDecodingError.fieldOutOfRange("reject reason")) { try ManagementMessage(decoding: badReason) }
        // An endpoint address of 17 bytes (the length byte follows the 8-byte transaction).
        var longAddress = good; longAddress[6 + 8] = 17
        #expect(throws: MessageDecodingError.fieldOutOfRange("endpoint address length")) { try ManagementMessage(decoding: longAddress) }
    }

    @Test("A service name of 41 bytes, or invalid UTF-8, is rejected")
    func serviceNames() {
        let message = ManagementMessage.reply(transaction: 1, .serviceEntries(slot: 1, [ServiceEntry(name: "ab", serviceID: 1)]))
        var bytes = message.encoded()
        // Header 6, transaction 8, kind 1, slot 1, count 2 → the name length is at 18, name at 19.
        bytes[19] = 0xff
        #expect(throws: MessageDecodingError.fieldOutOfRange("service name encoding")) { try ManagementMessage(decoding: bytes) }
        bytes[18] = 41
        #expect(throws: (any Error).self) { try ManagementMessage(decoding: bytes) }
    }

    @Test("The largest capped profile (64 LUNs) fits a 1024-byte datagram: 6 + 8 + 12 + 64 × 14")
    func capFitsMTU() {
        let luns = (0..<ManagementMessage.maxLUNsPerController).map { LUNProfile(lun: UInt16($0), blockLength: 512, blockCount: 1) }
        let bytes = ManagementMessage.reply(transaction: 1, .ioControllerProfile(IOControllerProfile(slot: 1, guid: 1, luns: luns))).encoded()
        #expect(bytes.count == 6 + 8 + 12 + ManagementMessage.maxLUNsPerController * 14)
        #expect(bytes.count <= 1024)
    }

    @Test("Fuzz: 10 000 inputs, no trap, every accepted input re-encodes stably")
    func fuzzDecoder() {
        let outcome = fuzz(seed: 0x4d47, count: 10_000, samples: Self.samples, encode: { $0.encoded() },
                           decode: { try ManagementMessage(decoding: $0) })
        #expect(outcome.inputs == 10_000)
        #expect(outcome.unstable == 0)
        #expect(outcome.rejected > 0)
        #expect(outcome.accepted > 0)
    }
}
