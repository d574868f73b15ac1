import SimCore
import SimHardware
import Testing
import Timebase

@Suite("Disk faults")
struct DiskFaultTests {
    let commands = DiskCommands()

    @Test("a dead disk takes commands and answers nothing")
    func dead() {
        let (simulator, disk, loop) = diskRig(.atlas10K)
        loop.submit(commands.read(lba: 1_000, blocks: 8, exchange: 1))
        disk.kill()
        loop.submit(commands.read(lba: 2_000, blocks: 8, exchange: 2))
        simulator.run()
        #expect(loop.deliveries.isEmpty)
        #expect(disk.statistics.commandsDropped == 2)
        #expect(disk.state == .dead)
    }

    @Test("a scheduled kill stops answers from that time")
    func scheduledKill() {
        let (simulator, disk, loop) = diskRig(.atlas10K)
        let load = ClosedLoopLoad(loop: loop, blocks: 8, pattern: .random, total: 1_000, outstanding: 4)
        disk.schedule(.kill, at: Instant.zero + .milliseconds(100))
        load.start()
        simulator.run()
        #expect(load.completed > 0 && load.completed < 1_000)
        #expect(loop.deliveries.allSatisfy { $0.time <= Instant.zero + .milliseconds(100) })
    }

    @Test("a pulled disk is not present, loses its outstanding commands and write cache; inserted, it answers after spin-up")
    func pulled() {
        let model = DiskModel.atlas10K
        let (simulator, disk, loop) = diskRig(model)
        loop.submit(commands.write(lba: 10, blocks: 8, exchange: 1))
        simulator.run()
        #expect(disk.dirtyBlockCount == 8)
        for index in 0..<4 { loop.submit(commands.read(lba: UInt64(index) * 3_000_000, blocks: 8, exchange: UInt64(10 + index))) }
        disk.pull()
        #expect(disk.isPresent == false)
        #expect(disk.dirtyBlockCount == 0)
        simulator.run()
        #expect(loop.deliveries.count == 1)
        disk.insert()
        let inserted = simulator.now
        loop.submit(commands.read(lba: 0, blocks: 8, exchange: 20))
        simulator.run()
        #expect(disk.isPresent && loop.deliveries.count == 2)
        #expect(loop.deliveries[1].time >= inserted + model.spinUpTime)
    }

    @Test("power loss drops the queue and the write cache; restored, the disk answers only after the model's spin-up time")
    func powerCycle() {
        let model = DiskModel.cheetah15K
        let (simulator, disk, loop) = diskRig(model)
        loop.submit(commands.write(lba: 10, blocks: 8, exchange: 1))
        simulator.run()
        loop.submit(commands.read(lba: 5_000_000, blocks: 8, exchange: 2))
        disk.losePower()
        #expect(disk.dirtyBlockCount == 0 && disk.state == .unpowered)
        loop.submit(commands.read(lba: 6_000_000, blocks: 8, exchange: 3))  // unpowered: dropped
        simulator.run()
        #expect(loop.deliveries.count == 1)
        disk.restorePower()
        let restored = simulator.now
        loop.submit(commands.read(lba: 7_000_000, blocks: 8, exchange: 4))
        loop.submit(commands.synchronizeCache(exchange: 5))
        for index in 0..<model.queueDepth { loop.submit(commands.read(lba: UInt64(index), blocks: 1, exchange: 100 + UInt64(index))) }
        simulator.run()
        // Every answer (media access, flush, even TASK SET FULL) leaves after spin-up.
        #expect(loop.deliveries.count == 3 + model.queueDepth)
        #expect(loop.deliveries.dropFirst().allSatisfy { $0.time >= restored + model.spinUpTime })
        let read = loop.deliveries.first { $0.response.exchange == 4 }!
        #expect(read.response.status == .good && read.time < restored + model.spinUpTime + .milliseconds(30))
    }

    @Test("slow(×2) roughly doubles QD1 random read service time (mean latency ratio within 1.8 … 2.2)")
    func slowDoubles() {
        func meanLatency(factor: Double) -> Double {
            let (simulator, disk, loop) = diskRig(.atlas10K)
            if factor != 1 { disk.slow(factor: factor) }
            let load = ClosedLoopLoad(loop: loop, blocks: 8, pattern: .random, total: 800, outstanding: 1)
            load.start()
            simulator.run()
            return load.meanLatency
        }
        let healthy = meanLatency(factor: 1)
        let slowed = meanLatency(factor: 2)
        print("Atlas 10K QD1 random read latency: healthy \(healthy * 1e3) ms, slow ×2 \(slowed * 1e3) ms")
        #expect(slowed / healthy > 1.8 && slowed / healthy < 2.2)
    }
}
