import Agents
import Hardware
import SimCore
import SimHardware
import Testing
import Timebase

/// Collects a driver's results with the instant each arrived.
private final class TimedRecorder: DeviceDriverDelegate {
    let simulator: Simulator
    private(set) var results: [UInt64: (result: DeviceResult, at: Instant)] = [:]
    init(_ simulator: Simulator) { self.simulator = simulator }
    func deviceCompleted(_ driver: any DeviceDriver, tag: UInt64, result: DeviceResult) {
        results[tag] = (result, simulator.now)
    }
}

/// The fence's drain barrier through the DDMs (issue #6): ``ReservationRequest/drain`` is the
/// format's cache flush, which a disk executes after the command it is servicing.
@Suite("Fence drain through the SCSI and ATA DDMs")
struct FenceDrainDriverTests {
    @Test("drain is one SYNCHRONIZE CACHE (10) through the SCSI DDM, one FLUSH CACHE EXT through the ATA DDM", arguments: [false, true])
    func drainCommand(ata: Bool) {
        let simulator = Simulator(seed: 1)
        let runtime = SimNodeRuntime(nodeName: "blue", simulator: simulator)
        let device = ScriptedDevice(runtime: runtime) { request, _ in ScriptedDevice.good(request) }
        let driver: any DeviceDriver =
            ata
            ? ATADeviceDriver(name: "blue.ddm0", device: device, runtime: runtime)
            : SCSIDeviceDriver(name: "blue.ddm0", device: device, runtime: runtime)
        let recorder = DriverRecorder()
        driver.delegate = recorder
        driver.reserve(.drain, tag: 7)
        simulator.run()
        #expect(device.requests.count == 1)
        let cdb = device.requests.first?.cdb ?? []
        if ata {
            // ATA PASS-THROUGH (16) (85h, SAT-4 12.2.2), non-data, COMMAND EAh (ACS-3 7.10).
            #expect(cdb == CDB.ATAPassThrough16.flushCacheExt().bytes)
            #expect(cdb.first == 0x85 && cdb[14] == 0xEA)
        } else {
            // SYNCHRONIZE CACHE (10) is 35h (SBC-3 5.22), LBA 0 and NUMBER OF BLOCKS 0: the whole medium.
            #expect(cdb == CDB.SynchronizeCache10().bytes)
            #expect(cdb.first == 0x35 && cdb[2...8].allSatisfy { $0 == 0 })
        }
        #expect(device.requests.first?.dataTransfer == SCSIDataTransfer.none)
        #expect(recorder.result(7)?.status == .good)
        #expect(recorder.result(7)?.reservation == ReservationResult())
    }

    /// Red writes with FUA to a SCSI disk slowed × 50 (its medium write takes hundreds of ms);
    /// while it is in service Blue preempts Red with PREEMPT AND ABORT, answered at once, then
    /// drains. The command in service is not aborted and ends GOOD; the drain answers after it.
    ///
    /// SCSI only: the simulated ATA disk runs one command at a time (queue depth 1, no TCQ) and
    /// answers TASK SET FULL to any other while one is in service, so on a busy ATA disk both the
    /// fence's PREEMPT and the drain fail once the DDM's retries (5, 3 ms apart) are spent.
    @Test("the drain answers after the fenced initiator's command in service, which PREEMPT AND ABORT does not abort")
    func drainWaitsForCommandInService() throws {
        let ata = false
        let rig = UMAClusterRig(bays: 1, ata: ata, cluster: false)
        let recorder = TimedRecorder(rig.simulator)
        let red = rig.red.primaryDrivers[0]
        let blue = rig.blue.partnerDrivers[0]
        red.delegate = recorder
        blue.delegate = recorder
        let disk = rig.redDisks[0]
        func run(_ tag: UInt64, _ body: () -> Void) -> DeviceResult? {
            body()
            rig.simulator.run()
            return recorder.results[tag]?.result
        }
        #expect(run(1) { red.reserve(.register(key: UMAClusterRig.redKey), tag: 1) }?.status == .good)
        #expect(run(2) { red.reserve(.reserve(key: UMAClusterRig.redKey), tag: 2) }?.status == .good)
        #expect(run(3) { blue.reserve(.register(key: UMAClusterRig.blueKey), tag: 3) }?.status == .good)

        let slowFactor = 50.0
        disk.slow(factor: slowFactor)
        red.write(lba: 64, data: blockPattern(blocks: 8, seed: 9), forceUnitAccess: true, tag: 4)
        // Until Red's medium access is in service: the disk holds one command of Red's and the
        // write has not completed.
        rig.simulator.run(until: rig.simulator.now + .milliseconds(5))
        #expect(disk.queuedCommands == 1)
        #expect(recorder.results[4] == nil)
        blue.reserve(.preempt(key: UMAClusterRig.blueKey, victim: UMAClusterRig.redKey), tag: 5)
        blue.reserve(.drain, tag: 6)
        rig.simulator.run()
        let write = try #require(recorder.results[4])
        let preempt = try #require(recorder.results[5])
        let drain = try #require(recorder.results[6])
        #expect(preempt.result.status == .good)
        #expect(write.result.status == .good, "the command in service is not aborted")
        #expect(drain.result.status == .good)
        // The fence is answered while Red's command is still in service …
        #expect(preempt.at < write.at)
        // … and the drain only after it ended.
        #expect(drain.at >= write.at)
        // Red is fenced: its next write conflicts.
        #expect(run(7) { red.write(lba: 64, data: blockPattern(blocks: 8, seed: 9), forceUnitAccess: true, tag: 7) }?.status
            == .reservationConflict)
    }

    /// Red writes without FUA (into the volatile cache); Blue's drain destages it: the drain is
    /// a media access of the disk's mechanism, not an answer on arrival.
    @Test("the drain on a simulated disk is a media access: it destages the write cache", arguments: [false, true])
    func drainDestages(ata: Bool) throws {
        let rig = UMAClusterRig(bays: 1, ata: ata, cluster: false)
        let recorder = TimedRecorder(rig.simulator)
        rig.red.primaryDrivers[0].delegate = recorder
        rig.blue.partnerDrivers[0].delegate = recorder
        let disk = rig.redDisks[0]
        rig.red.primaryDrivers[0].write(lba: 32, data: blockPattern(blocks: 8, seed: 1), forceUnitAccess: false, tag: 1)
        rig.simulator.run()
        #expect(recorder.results[1]?.result.status == .good)
        #expect(disk.dirtyBlockCount == 8)
        let accesses = disk.statistics.accessesCompleted
        rig.blue.partnerDrivers[0].reserve(.drain, tag: 2)
        rig.simulator.run()
        #expect(recorder.results[2]?.result.status == .good)
        #expect(disk.dirtyBlockCount == 0)
        #expect(disk.statistics.accessesCompleted == accesses + 1)
    }
}
