import Hardware
import Testing

/// The shared round trip, flipping the opcode's lowest bit: PERSISTENT RESERVE IN and OUT
/// (0x5E, 0x5F) differ only there, so each must refuse the other's CDB.
private func roundTrip<C: CommandDescriptorBlock>(
    _ command: C, _ expected: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
) {
    checkRoundTrip(command, expected, opcodeFlip: 0x01, sourceLocation: sourceLocation)
}

@Suite("MODE SENSE and PERSISTENT RESERVE CDBs")
struct CDBModeSenseReserveTests {
    @Test("MODE SENSE (6) and (10): DBD, LLBAA, PC, page, subpage, allocation length")
    func modeSense() {
        roundTrip(CDB.ModeSense6(pageCode: 0x08, allocationLength: 0xFF), [0x1A, 0x00, 0x08, 0x00, 0xFF, 0x00])
        roundTrip(
            CDB.ModeSense6(
                pageCode: 0x3F, subpageCode: 0xFF, pageControl: .default, disableBlockDescriptors: true,
                allocationLength: 4, control: 0x04),
            [0x1A, 0x08, 0xBF, 0xFF, 0x04, 0x04])
        roundTrip(
            CDB.ModeSense10(pageCode: 0x08, pageControl: .changeable, longLBAAccepted: true, allocationLength: 0x0102),
            [0x5A, 0x10, 0x48, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00])
        roundTrip(
            CDB.ModeSense10(pageCode: 0x0A, pageControl: .saved, disableBlockDescriptors: true, allocationLength: 0),
            [0x5A, 0x08, 0xCA, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])
        #expect(CDB.decode([0x1A, 0, 0x08, 0, 0xFF, 0]) == .modeSense6(CDB.ModeSense6(pageCode: 8)))
    }

    @Test("PERSISTENT RESERVE IN and OUT: service action, scope/type, lengths")
    func persistentReserve() {
        roundTrip(
            CDB.PersistentReserveIn(serviceAction: .readKeys, allocationLength: 0x0400),
            [0x5E, 0x00, 0, 0, 0, 0, 0, 0x04, 0x00, 0x00])
        roundTrip(
            CDB.PersistentReserveIn(serviceAction: .readReservation, allocationLength: 24, control: 0x80),
            [0x5E, 0x01, 0, 0, 0, 0, 0, 0x00, 0x18, 0x80])
        roundTrip(
            CDB.PersistentReserveOut(serviceAction: .register),
            [0x5F, 0x00, 0x00, 0, 0, 0x00, 0x00, 0x00, 0x18, 0x00])
        roundTrip(
            CDB.PersistentReserveOut(serviceAction: .reserve, type: .writeExclusiveRegistrantsOnly),
            [0x5F, 0x01, 0x05, 0, 0, 0x00, 0x00, 0x00, 0x18, 0x00])
        roundTrip(
            CDB.PersistentReserveOut(
                serviceAction: .preempt, type: .exclusiveAccessRegistrantsOnly, scope: 0x2,
                parameterListLength: 0x0102_0304),
            [0x5F, 0x04, 0x26, 0, 0, 0x01, 0x02, 0x03, 0x04, 0x00])
        roundTrip(
            CDB.PersistentReserveOut(serviceAction: .registerAndIgnoreExistingKey),
            [0x5F, 0x06, 0x00, 0, 0, 0x00, 0x00, 0x00, 0x18, 0x00])
        // An unknown service action still parses; the device rejects it.
        #expect(
            CDB.decode([0x5E, 0x1F, 0, 0, 0, 0, 0, 0, 8, 0])
                == .persistentReserveIn(
                    CDB.PersistentReserveIn(
                        serviceAction: PersistentReserveInAction(rawValue: 0x1F), allocationLength: 8)))
    }
}

@Suite("Mode and persistent reservation parameter data")
struct ModeReserveParameterDataTests {
    @Test("PR OUT parameter list: keys big-endian, APTPL bit 0 of byte 20")
    func outParameters() {
        let list = PersistentReserveOutParameters(
            reservationKey: 0x0102_0304_0506_0708, serviceActionReservationKey: 0xAABB, activatePersistThroughPowerLoss: true,
            allTargetPorts: true)
        var expected = [UInt8](repeating: 0, count: 24)
        expected.replaceSubrange(0..<8, with: [1, 2, 3, 4, 5, 6, 7, 8])
        expected[14] = 0xAA
        expected[15] = 0xBB
        expected[20] = 0x05
        #expect(list.bytes == expected)
        #expect(PersistentReserveOutParameters(bytes: expected) == list)
        #expect(PersistentReserveOutParameters(bytes: expected.prefix(23)) == nil)
    }

    @Test("READ KEYS data: generation, additional length = 8 × keys, truncation reported")
    func readKeys() {
        let data = PersistentReserveInKeys(generation: 7, keys: [0xA, 0xB])
        let bytes = data.bytes
        #expect(bytes.count == 8 + 8 * 2)
        #expect(Array(bytes[0..<8]) == [0, 0, 0, 7, 0, 0, 0, 16])
        #expect(PersistentReserveInKeys(bytes: bytes) == data)
        let cut = PersistentReserveInKeys(bytes: bytes.prefix(16))
        #expect(cut?.keys == [0xA])
        #expect(cut?.reportedCount == 2)
    }

    @Test("READ RESERVATION data: 8 bytes without, 24 bytes with scope/type in byte 21")
    func readReservation() {
        let none = PersistentReserveInReservation(generation: 3, reservation: nil)
        #expect(none.bytes == [0, 0, 0, 3, 0, 0, 0, 0])
        #expect(PersistentReserveInReservation(bytes: none.bytes) == none)
        let held = PersistentReserveInReservation(
            generation: 4, reservation: .init(key: 0xBEEF, type: .writeExclusiveRegistrantsOnly))
        let bytes = held.bytes
        #expect(bytes.count == 24)
        #expect(bytes[7] == 16)
        #expect(bytes[21] == 0x05)
        #expect(PersistentReserveInReservation(bytes: bytes) == held)
    }

    @Test("mode parameters: 6- and 10-byte headers, block descriptor, caching page round-trip")
    func modeParameters() {
        let descriptor = ModeParameters.shortBlockDescriptor(blockCount: 0x1_0000_0000, blockLength: 512)
        #expect(descriptor == [0xFF, 0xFF, 0xFF, 0xFF, 0, 0x00, 0x02, 0x00])
        let caching = CachingModePage(writeCacheEnabled: true)
        let parameters = ModeParameters(
            deviceSpecificParameter: 0x10, blockDescriptors: descriptor, pages: [caching.page])
        let six = parameters.mode6Bytes
        // MODE DATA LENGTH = 3 (rest of header) + 8 (descriptor) + 2 + 0x12 (caching page).
        #expect(six.count == 4 + 8 + 2 + CachingModePage.parameterLength)
        #expect(Array(six[0..<4]) == [UInt8(3 + 8 + 2 + CachingModePage.parameterLength), 0, 0x10, 8])
        #expect(six[12] == 0x08 && six[13] == 0x12 && six[14] == 0x04)
        #expect(ModeParameters(mode6: six) == parameters)
        let ten = parameters.mode10Bytes
        #expect(ten.count == 8 + 8 + 2 + CachingModePage.parameterLength)
        #expect(Array(ten[0..<8]) == [0, UInt8(6 + 8 + 2 + CachingModePage.parameterLength), 0, 0x10, 0, 0, 0, 8])
        #expect(ModeParameters(mode10: ten) == parameters)
        #expect(ModeParameters(mode10: ten)?.page(0x08).flatMap(CachingModePage.init) == caching)
        let long = ModeParameters.longBlockDescriptor(blockCount: 0x1_0000_0000, blockLength: 4096)
        #expect(long == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0])
        let subpage = ModePage(code: 0x0A, subpage: 1, parameters: [1, 2, 3])
        #expect(subpage.bytes == [0x4A, 0x01, 0x00, 0x03, 1, 2, 3])
        #expect(ModeParameters(mode6: ModeParameters(pages: [subpage]).mode6Bytes)?.pages == [subpage])
        #expect(ModeParameters(mode6: [3, 0, 0, 8]) == nil)
    }
}
