import Agents
import Hardware
import SimCore
import SimHardware
import Testing

/// The ATA DDM against a simulated barracudaATA4 disk behind an ATA controller (queue depth 1).
@Suite("ATA device driver on a simulated disk")
struct ATADriverTests {
    @Test("identify through IDENTIFY DEVICE: vendor ATA, model, serial, capacity = the model's block count")
    func identify() throws {
        let rig = SimulatedDiskRig(model: .barracudaATA4)
        let result = try #require(rig.run(1) { $0.identify(tag: 1) })
        #expect(result.status == .good)
        let identity = try #require(result.identity)
        let configuration = rig.disk.configuration
        #expect(identity.vendor == "ATA")
        #expect(identity.product == configuration.product)
        #expect(identity.serialNumber == configuration.serialNumber)
        #expect(identity.blockLength == UInt32(configuration.blockSize))
        #expect(identity.blockCount == DiskModel.barracudaATA4.blockCount)
        // IDENTIFY words 108–111 carry the disk's WWN, as VPD page 83h does for SCSI.
        #expect(identity.worldWideName == configuration.worldWideName)
        #expect(rig.statistics.commandsIssued == 1)
        #expect(rig.driver.format == "ata")
    }

    @Test("write then read returns the bytes written; FUA is the write then FLUSH CACHE EXT (nothing dirty)")
    func writeThenRead() throws {
        let rig = SimulatedDiskRig(model: .barracudaATA4)
        _ = rig.run(0) { $0.identify(tag: 0) }
        let data = blockPattern(blocks: 16, seed: 5)
        #expect(rig.run(1) { $0.write(lba: 8192, data: data, forceUnitAccess: false, tag: 1) }?.status == .good)
        #expect(rig.disk.dirtyBlockCount == 16)
        let read = try #require(rig.run(2) { $0.read(lba: 8192, blocks: 16, tag: 2) })
        #expect(read.status == .good && read.data == data)
        #expect(rig.run(3) { $0.flush(tag: 3) }?.status == .good)
        #expect(rig.disk.dirtyBlockCount == 0)
        let issued = rig.statistics.commandsIssued
        #expect(rig.run(4) { $0.write(lba: 64, data: data, forceUnitAccess: true, tag: 4) }?.status == .good)
        #expect(rig.disk.dirtyBlockCount == 0)
        #expect(rig.statistics.commandsIssued == issued + 2, "WRITE DMA EXT + FLUSH CACHE EXT")
        #expect(!rig.recorder.completedInsideCall)
    }

    @Test("a media error: UNC in the ATA registers → MEDIUM ERROR 11/00 with the failing LBA")
    func mediaError() throws {
        let rig = SimulatedDiskRig(model: .barracudaATA4)
        let failing: UInt64 = 70_007
        rig.disk.apply(.mediaError(lbas: failing..<(failing + 2)))
        let result = try #require(rig.run(1) { $0.read(lba: 70_000, blocks: 16, tag: 1) })
        #expect(
            result.status
                == .checkCondition(
                    SenseSummary(senseKey: .mediumError, additionalSenseCode: 0x11, additionalSenseCodeQualifier: 0, information: failing)))
    }

    @Test("a read past the end: IDNF → ILLEGAL REQUEST 21/00")
    func pastTheEnd() throws {
        let rig = SimulatedDiskRig(model: .barracudaATA4)
        let result = try #require(rig.run(1) { $0.read(lba: DiskModel.barracudaATA4.blockCount - 4, blocks: 8, tag: 1) })
        #expect(result.status == .checkCondition(SenseSummary(senseKey: .illegalRequest, additionalSenseCode: 0x21, additionalSenseCodeQualifier: 0)))
    }

    @Test("a killed disk: the command times out after the configured timeout → device unavailable")
    func killedDisk() throws {
        let configuration = DeviceDriverConfiguration(commandTimeout: .milliseconds(300))
        let rig = SimulatedDiskRig(model: .barracudaATA4, configuration: configuration)
        rig.disk.apply(.kill)
        let result = try #require(rig.run(1) { $0.write(lba: 0, data: blockPattern(blocks: 1, seed: 1), forceUnitAccess: false, tag: 1) })
        #expect(result.status == .deviceUnavailable)
        #expect(result.duration == configuration.commandTimeout)
        #expect(rig.statistics.timeouts == 1)
    }

    @Test("queue depth 1: the rest wait in the driver and complete in arrival order, each once")
    func queueing() throws {
        let rig = SimulatedDiskRig(model: .barracudaATA4)
        #expect(rig.path.queueDepth == 1)
        let count = 6
        rig.recorder.calling {
            for tag in 0..<UInt64(count) { rig.driver.read(lba: 10_000 - tag * 100, blocks: 8, tag: tag) }
        }
        #expect(rig.path.outstandingCount == 1)
        #expect(rig.statistics.queuedForSlot == count - 1)
        rig.simulator.run()
        #expect(rig.recorder.results.map(\.tag) == Array(0..<UInt64(count)))
        #expect(rig.recorder.results.allSatisfy { $0.result.status == .good })
        // Each waits for the ones before it: completion times strictly increase.
        let durations = rig.recorder.results.map(\.result.duration)
        #expect(zip(durations, durations.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test("a pulled disk is unavailable; reinserted, its POWER ON unit attention is retried transparently")
    func pulledAndReinserted() throws {
        let rig = SimulatedDiskRig(model: .barracudaATA4)
        let data = blockPattern(blocks: 8, seed: 11)
        #expect(rig.run(1) { $0.write(lba: 512, data: data, forceUnitAccess: true, tag: 1) }?.status == .good)
        rig.pull()
        #expect(rig.run(2) { $0.read(lba: 512, blocks: 8, tag: 2) }?.status == .deviceUnavailable)
        rig.reinsert()
        rig.simulator.run(until: rig.simulator.now + DiskModel.barracudaATA4.spinUpTime + .milliseconds(1))
        let result = try #require(rig.run(3) { $0.read(lba: 512, blocks: 8, tag: 3) })
        #expect(result.status == .good && result.data == data)
        #expect(rig.statistics.unitAttentionRetries == 1)
    }
}

/// The ATA DDM's command sequences, against a scripted device.
@Suite("ATA device driver commands")
struct ATADriverCommandTests {
    @Test("a read of 65 536 + 1 sectors is two READ DMA EXT: COUNT 0 (65 536) at lba, then COUNT 1 at lba + 65 536")
    func splitRead() throws {
        let simulator = Simulator(seed: 3)
        let runtime = SimNodeRuntime(nodeName: "node", simulator: simulator)
        let device = ScriptedDevice(runtime: runtime) { request, _ in
            guard case .fromDevice(let count) = request.dataTransfer else { return ScriptedDevice.good(request) }
            let passThrough = CDB.ATAPassThrough16(bytes: request.cdb)!
            // Every sector's first byte is its LBA's low byte.
            let data = (0..<count).map { $0 % 512 == 0 ? UInt8(truncatingIfNeeded: passThrough.taskFile.lba + UInt64($0 / 512)) : 0 }
            return ScriptedDevice.good(request, dataIn: data)
        }
        let driver = ATADeviceDriver(name: "ata", device: device, runtime: runtime)
        let recorder = DriverRecorder()
        driver.delegate = recorder
        let lba: UInt64 = 1_000
        let blocks = UInt32(65_536 + 1)
        driver.read(lba: lba, blocks: blocks, tag: 1)
        simulator.run()
        let commands = device.requests.map { CDB.ATAPassThrough16(bytes: $0.cdb)! }
        #expect(commands.map(\.taskFile.command) == [.readDMAExt, .readDMAExt])
        #expect(commands.map(\.taskFile.lba) == [lba, lba + 65_536])
        #expect(commands.map(\.taskFile.count) == [0, 1])
        let result = try #require(recorder.result(1))
        #expect(result.status == .good && result.data.count == Int(blocks) * 512)
        #expect(result.data[65_536 * 512] == UInt8(truncatingIfNeeded: lba + 65_536))
        #expect(result.duration == device.latency * 2)
    }

    @Test("a FUA write of 65 537 sectors: two WRITE DMA EXT carrying the right bytes, then FLUSH CACHE EXT")
    func splitFUAWrite() throws {
        let simulator = Simulator(seed: 3)
        let runtime = SimNodeRuntime(nodeName: "node", simulator: simulator)
        let device = ScriptedDevice(runtime: runtime) { request, _ in ScriptedDevice.good(request) }
        let driver = ATADeviceDriver(name: "ata", device: device, runtime: runtime)
        let recorder = DriverRecorder()
        driver.delegate = recorder
        let data = blockPattern(blocks: 65_537, seed: 1)
        driver.write(lba: 0, data: data, forceUnitAccess: true, tag: 1)
        simulator.run()
        let commands = device.requests.map { CDB.ATAPassThrough16(bytes: $0.cdb)!.taskFile.command }
        #expect(commands == [.writeDMAExt, .writeDMAExt, .flushCacheExt])
        let written = device.requests.prefix(2).flatMap { request -> [UInt8] in
            if case .toDevice(let bytes) = request.dataTransfer { return bytes }
            return []
        }
        #expect(written == data)
        #expect(recorder.result(1)?.status == .good)
    }

    @Test("an LBA range past 48 bits is rejected without a command")
    func beyond48Bits() {
        let simulator = Simulator(seed: 3)
        let runtime = SimNodeRuntime(nodeName: "node", simulator: simulator)
        let device = ScriptedDevice(runtime: runtime) { request, _ in ScriptedDevice.good(request) }
        let driver = ATADeviceDriver(name: "ata", device: device, runtime: runtime)
        let recorder = DriverRecorder()
        driver.delegate = recorder
        driver.read(lba: (1 << 48) - 1, blocks: 2, tag: 1)
        simulator.run()
        #expect(recorder.result(1)?.status == .rejected(.invalidRange))
        #expect(device.requests.isEmpty)
    }
}
