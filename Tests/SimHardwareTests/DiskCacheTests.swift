import SimCore
import SimHardware
import Testing
import Timebase

@Suite("Disk write cache and task attributes")
struct DiskCacheTests {
    let commands = DiskCommands()

    /// Sends `command` at the current time and runs until idle; returns its response time.
    func latency(of command: DriveCommand, _ simulator: Simulator, _ loop: IdealLoop) -> TimeSpan {
        let start = simulator.now
        let before = loop.deliveries.count
        loop.submit(command)
        simulator.run()
        #expect(loop.deliveries.count == before + 1)
        #expect(loop.deliveries.last?.response.status == .good)
        return loop.deliveries.last!.time - start
    }

    @Test("write cache on: a 4 KiB write takes write-cached overhead + 4096 B / buffer rate, far below a media write")
    func cachedWrite() {
        let model = DiskModel.atlas10K
        let lba = model.blockCount / 2
        let (simulator, disk, loop) = diskRig(model)
        let cached = latency(of: commands.write(lba: lba, blocks: 8, exchange: 1), simulator, loop)
        #expect(cached == model.writeCachedOverhead + model.bufferTransfer(bytes: 4096))
        #expect(disk.dirtyBlockCount == 8)

        // Write cache off: write-miss overhead + seek + write settle + (rotation) + media transfer.
        let (simulator2, disk2, loop2) = diskRig(model, writeCacheEnabled: false)
        let through = latency(of: commands.write(lba: lba, blocks: 8, exchange: 1), simulator2, loop2)
        let cylinder = model.layout.locate(lba).cylinder
        let floor = model.writeMissOverhead + model.seekCurve.time(distance: cylinder) + model.writeSettle
        #expect(through >= floor)
        #expect(through < floor + model.rotationPeriod + model.rotationPeriod)
        #expect(disk2.dirtyBlockCount == 0)
        #expect(cached.seconds < through.seconds / 10)
        print("Atlas 10K 4 KiB write: cached \(cached), write-through \(through)")
    }

    @Test("FUA bypasses the cache: positioning included, nothing dirty")
    func forceUnitAccess() {
        let model = DiskModel.cheetah15K
        let lba = model.blockCount - 64
        let (simulator, disk, loop) = diskRig(model)
        let time = latency(of: commands.write(lba: lba, blocks: 8, exchange: 1, forceUnitAccess: true), simulator, loop)
        let cylinder = model.layout.locate(lba).cylinder
        #expect(time >= model.writeMissOverhead + model.seekCurve.time(distance: cylinder) + model.writeSettle)
        #expect(disk.dirtyBlockCount == 0)
    }

    @Test("SYNCHRONIZE CACHE destages: dirtyBlockCount goes to 0 and the flush costs media writes")
    func flushDestages() {
        let model = DiskModel.atlas10K
        let (simulator, disk, loop) = diskRig(model)
        for index in 0..<10 {
            _ = latency(
                of: commands.write(lba: UInt64(index) * 100_000, blocks: 8, exchange: UInt64(index + 1)), simulator, loop)
        }
        #expect(disk.dirtyBlockCount == 80)
        let flush = latency(of: commands.synchronizeCache(exchange: 99), simulator, loop)
        #expect(disk.dirtyBlockCount == 0)
        // At least the overhead plus ten positioned writes, each at least its write settle.
        #expect(flush >= model.writeMissOverhead + model.writeSettle * 10)
        print("Atlas 10K flush of 10 scattered 4 KiB writes: \(flush)")
    }

    @Test("writes beyond the write capacity force a destage (dirty blocks stay ≤ capacity)")
    func overflowDestages() {
        let model = DiskModel.atlas10K
        let (simulator, disk, loop) = diskRig(model)
        let writes = model.cache.writeCapacityBlocks / 8 + 5
        var most = 0
        for index in 0..<writes {
            _ = latency(
                of: commands.write(lba: UInt64(index) * 50_000, blocks: 8, exchange: UInt64(index + 1)), simulator, loop)
            most = max(most, disk.dirtyBlockCount)
        }
        #expect(most <= model.cache.writeCapacityBlocks)
        #expect(disk.dirtyBlockCount < writes * 8)
    }

    @Test("TCQ: the 33rd command at once is answered TASK SET FULL (queue depth 32)")
    func taskSetFull() {
        let model = DiskModel.atlas10K
        let (simulator, disk, loop) = diskRig(model)
        for index in 0..<(model.queueDepth + 1) {
            loop.submit(commands.read(lba: UInt64(index) * 200_000, blocks: 8, exchange: UInt64(index + 1)))
        }
        simulator.run()
        let full = loop.deliveries.filter { $0.response.status == .taskSetFull }
        #expect(full.count == 1 && full.first?.response.exchange == UInt64(model.queueDepth + 1))
        #expect(loop.deliveries.count == model.queueDepth + 1)
        #expect(disk.statistics.taskSetFull == 1)
    }

    @Test("ordered tag is a barrier; head-of-queue runs next")
    func taskAttributes() {
        let model = DiskModel.atlas10K
        let (simulator, _, loop) = diskRig(model)
        // 1 starts at once; then simple 2, 3; ordered 4; simple 5, 6; head-of-queue 7.
        let far = model.blockCount - 1_000
        loop.submit(commands.read(lba: far, blocks: 8, exchange: 1))
        loop.submit(commands.read(lba: 10_000_000, blocks: 8, exchange: 2))
        loop.submit(commands.read(lba: 100, blocks: 8, exchange: 3))
        loop.submit(commands.read(lba: 5_000_000, blocks: 8, exchange: 4, attribute: .ordered))
        loop.submit(commands.read(lba: far + 16, blocks: 8, exchange: 5))
        loop.submit(commands.read(lba: 200, blocks: 8, exchange: 6))
        loop.submit(commands.read(lba: 50, blocks: 8, exchange: 7, attribute: .headOfQueue))  // the farthest: only its tag runs it next
        simulator.run()
        let order = loop.deliveries.map(\.response.exchange)
        #expect(order.count == 7)
        let position = { (exchange: UInt64) in order.firstIndex(of: exchange)! }
        #expect(order[0] == 1 && order[1] == 7)
        #expect(position(2) < position(4) && position(3) < position(4))
        #expect(position(4) < position(5) && position(4) < position(6))
    }
}
