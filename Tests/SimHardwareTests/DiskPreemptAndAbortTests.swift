import Hardware
import SimCore
import SimHardware
import Testing
import Timebase

/// Records every write a disk executes, with its initiator.
private final class WriteLog: DiskWriteObserver {
    var writes: [(lba: UInt64, initiator: InitiatorID, time: Instant)] = []
    let simulator: Simulator
    init(simulator: Simulator) { self.simulator = simulator }
    func disk(_ disk: SimDisk, wrote lba: UInt64, blocks: Int, for initiator: InitiatorID) {
        writes.append((lba, initiator, simulator.now))
    }
}

@Suite("SimDisk PREEMPT AND ABORT")
struct DiskPreemptAndAbortTests {
    private static let red = InitiatorID(rawValue: 0x5000_0000_0000_00AA)
    private static let blue = InitiatorID(rawValue: 0x5000_0000_0000_00BB)

    private static func reserveOut(
        _ action: PersistentReserveOutAction, type: PersistentReservationType = .init(rawValue: 0), key: UInt64,
        victim: UInt64 = 0, from initiator: InitiatorID, exchange: UInt64
    ) -> DriveCommand {
        let parameters = PersistentReserveOutParameters(reservationKey: key, serviceActionReservationKey: victim)
        let request = try! SCSIRequest(
            CDB.PersistentReserveOut(serviceAction: action, type: type), dataTransfer: .toDevice(parameters.bytes),
            timeout: .seconds(30), tag: exchange)
        return DriveCommand(initiator: initiator, exchange: exchange, request: request)
    }

    /// Red queues writes behind one in service; Blue's PREEMPT AND ABORT (or plain PREEMPT) arrives.
    /// Returns the writes the disk executed and the responses Red got.
    private func run(abort: Bool) -> (writes: [(lba: UInt64, initiator: InitiatorID, time: Instant)], redAnswers: Int, aborted: Int) {
        let (simulator, disk, loop) = diskRig(.cheetah15K, writeCacheEnabled: false)
        let observer = WriteLog(simulator: simulator)
        disk.writeObserver = observer
        let redCommands = DiskCommands(initiator: Self.red)
        var redAnswers = 0
        loop.onResponse = { response in if response.initiator == Self.red && response.exchange >= 100 { redAnswers += 1 } }
        // Both register; Red holds Write Exclusive (only the holder writes).
        loop.submit(Self.reserveOut(.register, key: 0, victim: 0xAA, from: Self.red, exchange: 1))
        loop.submit(Self.reserveOut(.register, key: 0, victim: 0xBB, from: Self.blue, exchange: 2))
        loop.submit(Self.reserveOut(.reserve, type: .writeExclusive, key: 0xAA, from: Self.red, exchange: 3))
        simulator.run(until: .zero + .milliseconds(1))
        // Eight writes far apart: one goes into service, seven wait in the queue.
        for index in 0..<8 {
            loop.submit(redCommands.write(lba: UInt64(index) * 1_000_000, blocks: 8, exchange: 100 + UInt64(index)))
        }
        simulator.run(until: .zero + .milliseconds(2))
        loop.submit(Self.reserveOut(
            abort ? .preemptAndAbort : .preempt, type: .writeExclusive, key: 0xBB, victim: 0xAA, from: Self.blue, exchange: 4))
        simulator.run(until: .zero + .seconds(1))
        return (observer.writes, redAnswers, disk.statistics.tasksAborted)
    }

    @Test("PREEMPT AND ABORT clears the victim's queued writes: only the one in service reaches the medium")
    func abortClearsQueue() {
        let (writes, redAnswers, aborted) = run(abort: true)
        // One write was in service when the preemption arrived (single actuator); it finishes.
        #expect(writes.count == 1)
        #expect(writes.allSatisfy { $0.initiator == Self.red })
        #expect(aborted == 7)
        // Aborted tasks get no response; the one in service does.
        #expect(redAnswers == 1)
    }

    @Test("A plain PREEMPT leaves the victim's queued writes to run after it (why a takeover aborts)")
    func plainPreemptLetsQueuedWritesRun() {
        let (writes, redAnswers, aborted) = run(abort: false)
        // The reservation is checked when a command begins: queued writes already passed the check.
        #expect(writes.count == 8)
        #expect(aborted == 0)
        #expect(redAnswers == 8)
    }
}
