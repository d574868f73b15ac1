import Agents
import Hardware
import SimCore
import SimHardware
import Testing
import Timebase

/// Collects a borrowed driver's results with the instant each arrived.
private final class WriteWatcher: DeviceDriverDelegate {
    let simulator: Simulator
    private(set) var done: [UInt64: (status: IOStatus, at: Instant)] = [:]
    init(_ simulator: Simulator) { self.simulator = simulator }
    func deviceCompleted(_ driver: any DeviceDriver, tag: UInt64, result: DeviceResult) {
        done[tag] = (result.status, simulator.now)
    }
}

/// The UMA's fence with its drain barrier (issue #6): PREEMPT AND ABORT everywhere, then a drain
/// on every fenced disk, all answered, before the fence completes and the replay may start.
@Suite("UMA fence drain barrier")
struct UMAFenceDrainTests {
    /// Every step `uma` passes through while the simulator runs to the end, consecutive repeats
    /// folded, with the instant each began.
    static func steps(of uma: UnitManagementAgent, _ simulator: Simulator, until stop: ((ClusterStep) -> Bool)? = nil)
        -> [(step: ClusterStep, at: Instant)]
    {
        var steps: [(step: ClusterStep, at: Instant)] = [(uma.clusterStep, simulator.now)]
        simulator.run { simulator in
            if uma.clusterStep != steps.last!.step { steps.append((uma.clusterStep, simulator.now)) }
            return stop?(uma.clusterStep) ?? false
        }
        return steps
    }

    /// Blue (the partner about to be fenced) has a FUA write in service on its bay 1, slowed ×
    /// `slowFactor`, through its own loop-A driver (borrowed from its RTA): the command PREEMPT
    /// AND ABORT leaves to finish.
    fileprivate static func blueWriteInService(_ rig: UMAClusterRig, slowFactor: Double = 50) -> WriteWatcher {
        let watcher = WriteWatcher(rig.simulator)
        let driver = rig.blue.primaryDrivers[1]
        driver.delegate = watcher
        rig.blueDisks[1].slow(factor: slowFactor)
        driver.write(lba: 128, data: blockPattern(blocks: 16, seed: 3), forceUnitAccess: true, tag: 1)
        rig.simulator.run(until: rig.simulator.now + .milliseconds(2))
        precondition(rig.blueDisks[1].queuedCommands == 1 && watcher.done[1] == nil, "Blue's write is in service")
        return watcher
    }

    @Test("fence: mailbox preempt → partner preempts → drain → reserve → won (fenced); the drain ends after the partner's write in service")
    func fenceDrainsBeforeCompleting() throws {
        let rig = UMAClusterRig(bays: 2)
        rig.boot()
        #expect(rig.red.uma.partnerShelf == .none)
        let watcher = Self.blueWriteInService(rig)
        var outcome: (FenceOutcome, Instant)?
        rig.red.uma.fencePartner { outcome = ($0, rig.simulator.now) }
        let steps = Self.steps(of: rig.red.uma, rig.simulator)
        #expect(steps.map(\.step) == [.fenceMailbox, .fencePartnerDevices, .fenceDraining, .fenceReserving, .idle])
        let (result, completed) = try #require(outcome)
        #expect(result == .won)
        #expect(rig.red.uma.partnerShelf == .fenced)
        let write = try #require(watcher.done[1])
        #expect(write.status == .good, "PREEMPT AND ABORT does not abort the command in service")
        let draining = try #require(steps.first { $0.step == .fenceDraining }).at
        let reserving = try #require(steps.first { $0.step == .fenceReserving }).at
        // The barrier waited: it began while Blue's write was in service and ended after it.
        #expect(draining < write.at)
        #expect(reserving >= write.at)
        #expect(completed >= write.at)
        // Only now may the partner be taken over (its log replayed).
        rig.red.uma.takeOverPartner(configuration: try ClusterUnitConfiguration(decoding: rig.blue.uma.clusterConfiguration))
        #expect(rig.red.uma.partnerShelf == .mapped)
    }

    /// Sent by the fence: 1 mailbox PREEMPT, one PREEMPT per partner device (`bays`), one drain
    /// per device preempted plus the mailbox (Red's own bay 0, not a partner path), one RESERVE
    /// per partner device.
    @Test("the fence sends 1 + bays preempts, bays + 1 drains (the fenced disks and the mailbox), bays reserves")
    func fenceOperationCount() {
        let bays = 2
        let rig = UMAClusterRig(bays: bays)
        rig.boot()
        let before = rig.red.uma.statistics.reservationsSent
        rig.red.uma.fencePartner { _ in }
        rig.simulator.run()
        #expect(rig.red.uma.statistics.reservationsSent - before == (1 + bays) + (bays + 1) + bays)
        #expect(rig.red.uma.statistics.reservationFailures == 0)
    }

    /// A disk that dies between its PREEMPT and its drain answers nothing: the DDM ends the drain
    /// `deviceUnavailable` after its command timeout, and the fence goes on (a dead disk has
    /// nothing in service).
    @Test("a drain on a disk that died after its preempt does not block the fence: it ends after the DDM's command timeout")
    func deadDiskDrain() throws {
        let rig = UMAClusterRig(bays: 2)
        rig.boot()
        var outcome: FenceOutcome?
        rig.red.uma.fencePartner { outcome = $0 }
        let reached = Self.steps(of: rig.red.uma, rig.simulator) { $0 == .fenceDraining }
        let draining = try #require(reached.last { $0.step == .fenceDraining }).at
        rig.blueDisks[1].kill()
        let failuresBefore = rig.red.uma.statistics.reservationFailures
        let steps = Self.steps(of: rig.red.uma, rig.simulator)
        #expect(outcome == .won)
        #expect(rig.red.uma.partnerShelf == .fenced)
        let reserving = try #require(steps.first { $0.step == .fenceReserving }).at
        // The drain waited for the command timeout (Linux sd's 30 s, the DDM's default), not longer
        // than that plus the loop's and the bus's few ms.
        let timeout = DeviceDriverConfiguration().commandTimeout
        #expect(reserving - draining >= timeout)
        #expect(reserving - draining < timeout + .seconds(1))
        // The failed drain, and the RESERVE of the dead disk after it, are counted.
        #expect(rig.red.uma.statistics.reservationFailures - failuresBefore == 2)
    }

    @Test("reclaim (the taker died holding the shelf): preempt → drain → reserve; the drain ends after the taker's write in service")
    func reclaimDrains() throws {
        let rig = UMAClusterRig(bays: 2)
        rig.boot()
        rig.red.uma.fencePartner { _ in }
        rig.simulator.run()
        rig.blue.uma.stopServing()
        // Red, the taker, has a write in service on Blue's bay 0 through its partner path.
        let watcher = WriteWatcher(rig.simulator)
        rig.red.partnerDrivers[0].delegate = watcher
        rig.blueDisks[0].slow(factor: 50)
        rig.red.partnerDrivers[0].write(lba: 256, data: blockPattern(blocks: 16, seed: 5), forceUnitAccess: true, tag: 1)
        rig.simulator.run(until: rig.simulator.now + .milliseconds(2))
        #expect(rig.blueDisks[0].queuedCommands == 1 && watcher.done[1] == nil)
        var reclaimed: Bool?
        rig.blue.uma.reclaimOwnShelf { reclaimed = $0 }
        let steps = Self.steps(of: rig.blue.uma, rig.simulator)
        #expect(steps.map(\.step) == [.reclaimRegistering, .reclaimReading, .reclaimPreempting, .reclaimDraining, .reclaimReserving, .idle])
        #expect(reclaimed == true)
        let write = try #require(watcher.done[1])
        #expect(write.status == .good)
        #expect(try #require(steps.first { $0.step == .reclaimDraining }).at < write.at)
        #expect(try #require(steps.first { $0.step == .reclaimReserving }).at >= write.at)
    }
}
