import SimCore
import SimHardware
import Testing
import Timebase

/// The fixed-latency disk with `overlap` commands in service and arrival order: the twin of
/// a real target whose `sgWorkers` threads each block in one SG_IO on scsi_debug (a timer
/// per command, so the commands in flight overlap fully).
@Suite("Fixed-latency disk: overlapping commands, arrival order")
struct DiskFixedLatencyOverlapTests {
    let commands = DiskCommands()
    /// The VM's scsi_debug figures (SimTwinCalibration.vmDefaults): read < write, so
    /// shortest-positioning-first would put every read before every waiting write.
    let read = TimeSpan.microseconds(4_243)
    let write = TimeSpan.microseconds(4_382)

    func model(overlap: Int, order: DiskScheduling? = .firstComeFirstServed) -> DiskModel {
        .fixedLatency(read: read, write: write, blockCount: 131_072, overlap: overlap, order: order)
    }

    /// Submits `burst` at time 0 and runs: the deliveries, in completion order.
    func run(_ model: DiskModel, _ burst: [DriveCommand]) -> [IdealLoop.Delivery] {
        let (simulator, _, loop) = diskRig(model)
        for command in burst { loop.submit(command) }
        simulator.run()
        #expect(loop.deliveries.count == burst.count)
        #expect(loop.deliveries.allSatisfy { $0.response.status == .good })
        return loop.deliveries
    }

    /// A burst of `count` 4 KiB reads at distinct LBAs (all misses), exchanges 1…count.
    func reads(_ count: Int) -> [DriveCommand] {
        (1...count).map { commands.read(lba: UInt64($0) * 1_024, blocks: 8, exchange: UInt64($0)) }
    }

    /// One command's slack above its calibrated time: rotational wait ≤ 1 revolution + 8 of
    /// 512 sectors of media time (DiskModel.fixedLatency's doc), bounded by 2 revolutions.
    func slack(_ model: DiskModel) -> TimeSpan { model.rotationPeriod * 2 }

    @Test("defaults unchanged: overlap 1, the interface's order (SCSI: shortest positioning first)")
    func defaults() {
        let model = DiskModel.fixedLatency(read: read, write: write, blockCount: 131_072)
        #expect(model.overlap == 1 && model.order == nil)
        let (_, disk, _) = diskRig(model)
        #expect(disk.scheduling == .shortestPositioningTimeFirst)
        let (_, fcfs, _) = diskRig(self.model(overlap: 2))
        #expect(fcfs.scheduling == .firstComeFirstServed)
    }

    @Test("N = 1 serializes: the k-th of a burst of reads completes at k × read (+ ≤ 2 revolutions each)")
    func oneAtATime() {
        let model = model(overlap: 1)
        let deliveries = run(model, reads(6))
        for (index, delivery) in deliveries.enumerated() {
            let k = Int64(index + 1)
            let earliest = Instant.zero + read * k
            #expect(delivery.time >= earliest && delivery.time <= earliest + slack(model) * k, "k = \(k): \(delivery.time)")
        }
    }

    @Test("N = 2 overlaps: the k-th of a burst of reads completes at ⌈k / 2⌉ × read (+ ≤ 2 revolutions per round)")
    func twoAtATime() {
        let model = model(overlap: 2)
        let deliveries = run(model, reads(6))
        for (index, delivery) in deliveries.enumerated() {
            let rounds = Int64((index + 1 + 1) / 2)
            let earliest = Instant.zero + read * rounds
            #expect(delivery.time >= earliest && delivery.time <= earliest + slack(model) * rounds, "k = \(index + 1): \(delivery.time)")
        }
        // The whole burst: ⌈6 / 2⌉ = 3 reads' time, half the serial 6.
        #expect(deliveries.last!.time < Instant.zero + read * 4)
    }

    @Test("N = 3 with a burst of 7: rounds of 3 → completions at 1, 1, 1, 2, 2, 2, 3 × read")
    func threeAtATime() {
        let model = model(overlap: 3)
        let deliveries = run(model, reads(7))
        for (index, delivery) in deliveries.enumerated() {
            let rounds = Int64((index + 3) / 3)
            let earliest = Instant.zero + read * rounds
            #expect(delivery.time >= earliest && delivery.time <= earliest + slack(model) * rounds, "k = \(index + 1): \(delivery.time)")
        }
    }

    /// Writes then reads alternate in arrival order: W1 R2 W3 R4 W5 R6.
    func mixed() -> [DriveCommand] {
        (1...6).map { index in
            let lba = UInt64(index) * 1_024
            return index % 2 == 1
                ? commands.write(lba: lba, blocks: 8, exchange: UInt64(index))
                : commands.read(lba: lba, blocks: 8, exchange: UInt64(index))
        }
    }

    @Test("arrival order kept: N = 1, writes and reads alternating complete in arrival order (shortest-positioning-first would serve the reads first)")
    func arrivalOrder() {
        let fcfs = run(model(overlap: 1), mixed()).map(\.response.exchange)
        #expect(fcfs == [1, 2, 3, 4, 5, 6])
        // The contrast, so that the test can fail: the interface's order takes W1 first (it is
        // alone when it arrives), then every waiting read (read < write), then the writes.
        let sptf = run(model(overlap: 1, order: nil), mixed()).map(\.response.exchange)
        #expect(sptf == [1, 2, 4, 6, 3, 5])
    }

    @Test("arrival order kept with N = 2: commands start in arrival order, two by two; each completes its own time after its start")
    func arrivalOrderOverlapped() {
        let model = model(overlap: 2)
        let deliveries = run(model, mixed())
        // W1 and R2 start at 0; R2 ends first (read < write) and its slot goes to W3 (arrival
        // order; shortest-positioning-first would take R4), W1's to R4, and so on: each command
        // starts in the slot that frees first, in arrival order, and ends its own time later.
        var slots: [Instant] = [.zero, .zero]
        var expected: [(exchange: UInt64, time: Instant)] = []
        for (index, command) in mixed().enumerated() {
            let slot = slots[0] <= slots[1] ? 0 : 1
            let cost = index % 2 == 0 ? write : read
            slots[slot] = slots[slot] + cost
            expected.append((command.exchange, slots[slot]))
        }
        for item in expected {
            let delivery = deliveries.first { $0.response.exchange == item.exchange }!
            // ≤ 3 commands per slot, each ≤ 2 revolutions over its calibration.
            #expect(delivery.time >= item.time && delivery.time <= item.time + slack(model) * 3, "exchange \(item.exchange)")
        }
    }

    @Test("queuedCommands counts every command in service: a burst of 5 with N = 2 → 5, then 3 after the first round")
    func queuedCommandsCountsTheSlots() {
        let (simulator, disk, loop) = diskRig(model(overlap: 2))
        for command in reads(5) { loop.submit(command) }
        #expect(disk.queuedCommands == 5)
        simulator.run(until: Instant.zero + read + slack(disk.model))
        #expect(loop.deliveries.count == 2 && disk.queuedCommands == 3)
        simulator.run()
        #expect(disk.queuedCommands == 0 && disk.statistics.accessesCompleted == 5)
    }

    @Test("power loss with N = 2: both commands in service and the queue are lost, and none answers afterwards")
    func powerLossDropsEverySlot() {
        let (simulator, disk, loop) = diskRig(model(overlap: 2))
        for command in reads(4) { loop.submit(command) }
        simulator.run(until: Instant.zero + TimeSpan(picoseconds: read.picoseconds / 2))
        disk.losePower()
        #expect(disk.queuedCommands == 0 && disk.statistics.commandsDropped == 4)
        simulator.run()
        #expect(loop.deliveries.isEmpty)
    }
}
