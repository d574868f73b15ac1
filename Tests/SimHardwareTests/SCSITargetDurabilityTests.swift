import Hardware
import SimHardware
import Testing

@Suite("SCSITarget durability, media errors")
struct SCSITargetDurabilityTests {
    @Test("power loss with the write cache on loses unflushed writes, keeps flushed and FUA ones; then one UNIT ATTENTION")
    func powerLoss() {
        var rig = TargetRig(TargetRig.scsiDisk(writeCache: true))
        let blockSize = rig.target.configuration.blockSize
        let flushed = TargetRig.pattern(8 * blockSize, seed: 1)
        let forced = TargetRig.pattern(8 * blockSize, seed: 2)
        let lost = TargetRig.pattern(8 * blockSize, seed: 3)
        let zeros = [UInt8](repeating: 0, count: 8 * blockSize)

        rig.write(flushed, at: 0)
        #expect(rig.target.dirtyBlockCount == 8)
        #expect(rig.run(CDB.SynchronizeCache10().bytes).status == .good)
        #expect(rig.target.dirtyBlockCount == 0)
        rig.write(forced, at: 64, fua: true)
        rig.write(lost, at: 128)
        // The cached write overwrites half of the flushed range too: 8 + 4 dirty blocks.
        rig.write(Array(lost.prefix(4 * blockSize)), at: 2)
        #expect(rig.target.dirtyBlockCount == 8 + 4)
        // Reads see the latest acknowledged data, cached or not.
        #expect(rig.read(8, at: 128).dataIn == lost)

        rig.target.powerLost()
        rig.target.powerRestored()
        #expect(rig.target.dirtyBlockCount == 0)

        // Red's first command after power on: UNIT ATTENTION, POWER ON OCCURRED, once.
        let first = rig.read(8, at: 0)
        #expect(first.status == .checkCondition)
        #expect(TargetRig.sense(first)?.senseKey == .unitAttention)
        #expect(TargetRig.sense(first)?.additionalSenseCode == .powerOnOccurred)
        #expect(rig.read(8, at: 0).dataIn == flushed)
        #expect(rig.read(8, at: 64).dataIn == forced)
        #expect(rig.read(8, at: 128).dataIn == zeros)
        // Blue has its own unit attention, taken by REQUEST SENSE; INQUIRY does not take it.
        let inquiry = rig.run(CDB.Inquiry().bytes, .fromDevice(count: 96), from: Controller.blue)
        #expect(inquiry.status == .good)
        let requestSense = rig.run(CDB.RequestSense().bytes, .fromDevice(count: 252), from: Controller.blue)
        let reported = try? SenseData(decoding: requestSense.dataIn)
        #expect(reported?.senseKey == .unitAttention && reported?.additionalSenseCode == .powerOnOccurred)
        #expect(rig.run(CDB.TestUnitReady().bytes, from: Controller.blue).status == .good)
    }

    @Test("with the write cache off every write is durable")
    func writeThrough() {
        var rig = TargetRig(TargetRig.scsiDisk(writeCache: false))
        let data = TargetRig.pattern(4_096, seed: 5)
        rig.write(data, at: 10)
        #expect(rig.target.dirtyBlockCount == 0)
        rig.target.powerLost()
        #expect(rig.read(8, at: 10).dataIn == data)
    }

    @Test("writes are applied at finish, not at begin")
    func appliedAtFinish() throws {
        var rig = TargetRig()
        let data = TargetRig.pattern(512, seed: 9)
        guard case .access(let pending) = rig.begin(CDB.Write10(lba: 7, transferLength: 1).bytes, .toDevice(data))
        else {
            Issue.record("a write needs the medium")
            return
        }
        #expect(pending.access == .write(lba: 7, blocks: 1, forceUnitAccess: false))
        #expect(rig.read(1, at: 7).dataIn == [UInt8](repeating: 0, count: 512))
        #expect(rig.target.finish(pending).status == .good)
        #expect(rig.read(1, at: 7).dataIn == data)
    }

    @Test("a read over a media error: MEDIUM ERROR 11/00, failing LBA in the information field, the blocks before it")
    func mediaError() {
        var rig = TargetRig()
        let blockSize = rig.target.configuration.blockSize
        let data = TargetRig.pattern(16 * blockSize, seed: 4)
        rig.write(data, at: 1_000)
        let bad: Range<UInt64> = 1_005..<1_007
        rig.target.injectMediaError(lbas: bad)

        let response = rig.read(16, at: 1_000)
        #expect(response.status == .checkCondition)
        let decoded = TargetRig.sense(response)
        #expect(decoded?.senseKey == .mediumError)
        #expect(decoded?.additionalSenseCode == .unrecoveredReadError)
        #expect(decoded?.information == bad.lowerBound)
        // Good blocks = failing LBA − first LBA; residual = the rest of the buffer.
        let good = Int(bad.lowerBound - 1_000) * blockSize
        #expect(response.dataIn == Array(data.prefix(good)))
        #expect(response.residual == 16 * blockSize - good)

        // Writing over the bad blocks reassigns them.
        rig.write(Array(data[(5 * blockSize)..<(7 * blockSize)]), at: UInt32(bad.lowerBound))
        #expect(rig.read(16, at: 1_000).dataIn == data)
        rig.target.injectMediaError(lbas: 1_010..<1_011)
        rig.target.clearMediaErrors()
        #expect(rig.read(16, at: 1_000).status == .good)
    }
}
