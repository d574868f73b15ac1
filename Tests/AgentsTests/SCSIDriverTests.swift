import Agents
import Hardware
import SimCore
import SimHardware
import Testing

/// The SCSI DDM against a simulated atlas10K disk behind a SCSI HBA on a shelf loop.
@Suite("SCSI device driver on a simulated disk")
struct SCSIDriverTests {
    @Test("identify: INQUIRY vendor/product, VPD 80h serial, VPD 83h NAA, READ CAPACITY(16) = the model's block count")
    func identify() throws {
        let rig = SimulatedDiskRig(model: .atlas10K)
        let result = try #require(rig.run(1) { $0.identify(tag: 1) })
        #expect(result.status == .good)
        let identity = try #require(result.identity)
        let configuration = rig.disk.configuration
        #expect(identity.vendor == configuration.vendor)
        #expect(identity.product == String(configuration.product.prefix(16)))
        #expect(identity.serialNumber == configuration.serialNumber)
        #expect(identity.worldWideName == configuration.worldWideName)
        #expect(identity.blockLength == UInt32(configuration.blockSize))
        #expect(identity.blockCount == DiskModel.atlas10K.blockCount)
        // Four commands: standard INQUIRY, two VPD pages, READ CAPACITY(16).
        #expect(rig.statistics.commandsIssued == 4)
        #expect(rig.driver.format == "scsi")
    }

    @Test("write then read returns the bytes written; FUA leaves nothing dirty, a flush empties the write cache")
    func writeThenRead() throws {
        let rig = SimulatedDiskRig(model: .atlas10K)
        _ = rig.run(0) { $0.identify(tag: 0) }
        let data = blockPattern(blocks: 16, seed: 7)
        #expect(rig.run(1) { $0.write(lba: 4096, data: data, forceUnitAccess: false, tag: 1) }?.status == .good)
        #expect(rig.disk.dirtyBlockCount == 16, "the write cache holds the 16 blocks written without FUA")
        let read = try #require(rig.run(2) { $0.read(lba: 4096, blocks: 16, tag: 2) })
        #expect(read.status == .good && read.data == data)
        #expect(rig.run(3) { $0.flush(tag: 3) }?.status == .good)
        #expect(rig.disk.dirtyBlockCount == 0)
        let durable = blockPattern(blocks: 4, seed: 9)
        #expect(rig.run(4) { $0.write(lba: 100, data: durable, forceUnitAccess: true, tag: 4) }?.status == .good)
        #expect(rig.disk.dirtyBlockCount == 0, "FUA writes through to the medium")
        #expect(rig.run(5) { $0.read(lba: 100, blocks: 4, tag: 5) }?.data == durable)
        #expect(!rig.recorder.completedInsideCall)
    }

    @Test("a media error: MEDIUM ERROR 11/00 with the failing LBA in the information field")
    func mediaError() throws {
        let rig = SimulatedDiskRig(model: .atlas10K)
        let failing: UInt64 = 2_005
        rig.disk.apply(.mediaError(lbas: failing..<(failing + 1)))
        let result = try #require(rig.run(1) { $0.read(lba: 2_000, blocks: 16, tag: 1) })
        guard case .checkCondition(let sense) = result.status else {
            Issue.record("expected CHECK CONDITION, got \(result.status)")
            return
        }
        #expect(sense.senseKey == .mediumError && sense.additionalSenseCode == 0x11)
        #expect(sense.information == failing)
        #expect(result.data.isEmpty)
        #expect(rig.statistics.checkConditions == 1)
    }

    @Test("a killed disk: the command times out after the configured timeout → device unavailable")
    func killedDisk() throws {
        let configuration = DeviceDriverConfiguration(commandTimeout: .milliseconds(200))
        let rig = SimulatedDiskRig(model: .atlas10K, configuration: configuration)
        rig.disk.apply(.kill)
        let result = try #require(rig.run(1) { $0.read(lba: 0, blocks: 8, tag: 1) })
        #expect(result.status == .deviceUnavailable)
        // Timeouts are not retried (a write's outcome is unknown): duration = one timeout.
        #expect(result.duration == configuration.commandTimeout)
        #expect(rig.statistics.timeouts == 1)
    }

    @Test("past the HBA's queue depth (32): the rest wait in the driver, every request completes exactly once")
    func queueing() throws {
        let rig = SimulatedDiskRig(model: .atlas10K)
        let depth = rig.path.queueDepth
        let count = depth + 8
        rig.recorder.calling {
            for tag in 0..<UInt64(count) { rig.driver.read(lba: tag * 64, blocks: 8, tag: tag) }
        }
        #expect(rig.path.outstandingCount == depth)
        #expect(rig.statistics.queuedForSlot == count - depth)
        rig.simulator.run()
        #expect(rig.recorder.results.map(\.tag).sorted() == Array(0..<UInt64(count)))
        #expect(rig.recorder.results.allSatisfy { $0.result.status == .good && $0.result.data.count == 8 * 512 })
        #expect(rig.statistics.commandsIssued == count)
        #expect(!rig.recorder.completedInsideCall)
    }

    @Test("a pulled disk is unavailable; reinserted, its POWER ON unit attention is retried transparently")
    func pulledAndReinserted() throws {
        let rig = SimulatedDiskRig(model: .atlas10K)
        let data = blockPattern(blocks: 8, seed: 3)
        #expect(rig.run(1) { $0.write(lba: 512, data: data, forceUnitAccess: true, tag: 1) }?.status == .good)
        rig.pull()
        #expect(rig.run(2) { $0.read(lba: 512, blocks: 8, tag: 2) }?.status == .deviceUnavailable)
        rig.reinsert()
        // Let it spin up: SimDisk establishes POWER ON at the end of the spin-up (a command
        // arriving during the spin-up waits and is answered without it).
        rig.simulator.run(until: rig.simulator.now + DiskModel.atlas10K.spinUpTime + .milliseconds(1))
        let result = try #require(rig.run(3) { $0.read(lba: 512, blocks: 8, tag: 3) })
        #expect(result.status == .good && result.data == data)
        #expect(rig.statistics.unitAttentionRetries == 1)
        #expect(rig.statistics.commandsIssued == 3, "the write, the read answered UNIT ATTENTION and its retry")
    }
}
