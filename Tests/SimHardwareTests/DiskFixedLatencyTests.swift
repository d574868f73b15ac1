import SimCore
import SimHardware
import Testing
import Timebase

@Suite("Fixed-latency disk preset (SG_IO-calibrated)")
struct DiskFixedLatencyTests {
    let commands = DiskCommands()
    /// The VM's scsi_debug figures, REAL-DEVICES.md / Reports/vm-validation: ≈ 4.2 ms read, 4.4 ms write in the ioctl.
    let read = TimeSpan.microseconds(4_243)
    let write = TimeSpan.microseconds(4_382)

    func latency(of command: DriveCommand, _ simulator: Simulator, _ loop: IdealLoop) -> TimeSpan {
        let start = simulator.now
        let before = loop.deliveries.count
        loop.submit(command)
        simulator.run()
        #expect(loop.deliveries.count == before + 1)
        #expect(loop.deliveries.last?.response.status == .good)
        return loop.deliveries.last!.time - start
    }

    @Test("capacity: 131072 blocks (scsi_debug dev_size_mb=64) → 256 tracks of 512 sectors, exactly")
    func capacity() {
        let model = DiskModel.fixedLatency(read: read, write: write, blockCount: 131_072)
        #expect(model.blockCount == 131_072)
        // Rounded up to whole tracks: 1000 blocks → 2 tracks of 512.
        #expect(DiskModel.fixedLatency(read: read, write: write, blockCount: 1_000).blockCount == 1_024)
        #expect(model.averageRandomSeek == .zero)
        #expect(model.rotationPeriod == .microseconds(1))
    }

    @Test("a 4 KiB read or write costs the calibration (+ < 1 µs of rotation and media), anywhere, hit or miss")
    func fourKiBCostsTheCalibration() {
        let model = DiskModel.fixedLatency(read: read, write: write, blockCount: 131_072)
        let (simulator, disk, loop) = diskRig(model)
        var exchange: UInt64 = 0
        for lba: UInt64 in [0, 65_536, 131_064, 8, 0] {
            exchange += 1
            let r = latency(of: commands.read(lba: lba, blocks: 8, exchange: exchange), simulator, loop)
            // A miss: readMissOverhead (= read) + rotation ≤ 1 period + media (8/512 period); a hit:
            // readHitOverhead (= read − 4 KiB of buffer time) + 4 KiB of buffer time = read.
            #expect(r >= read && r <= read + model.rotationPeriod * 2, "read at \(lba): \(r)")
            exchange += 1
            let w = latency(of: commands.write(lba: lba, blocks: 8, exchange: exchange), simulator, loop)
            #expect(w >= write && w <= write + model.rotationPeriod * 2, "write at \(lba): \(w)")
        }
        #expect(disk.dirtyBlockCount == 0)  // write cache off: nothing left to destage
    }

    @Test("a 64 KiB read costs the 4 KiB calibration + its media time (128 of 512 sectors per 1 µs revolution) + rotation")
    func largerCommand() {
        let model = DiskModel.fixedLatency(read: read, write: write, blockCount: 131_072)
        let (simulator, _, loop) = diskRig(model)
        let r = latency(of: commands.read(lba: 1_024, blocks: 128, exchange: 1), simulator, loop)
        let media = TimeSpan(picoseconds: model.rotationPeriod.picoseconds * 128 / 512)
        #expect(r >= read + media && r <= read + media + model.rotationPeriod, "64 KiB read: \(r)")
    }
}
