import SimHardware
import Testing
import Timebase

@Suite("Disk throughput")
struct DiskThroughputTests {
    /// Runs a closed-loop load on a fresh disk and returns it once every command completed.
    func run(
        _ model: DiskModel, blocks: Int, pattern: ClosedLoopLoad.Pattern, total: Int, outstanding: Int,
        write: Bool = false, writeCacheEnabled: Bool? = nil
    ) -> ClosedLoopLoad {
        let (simulator, _, loop) = diskRig(model, writeCacheEnabled: writeCacheEnabled)
        let load = ClosedLoopLoad(
            loop: loop, blocks: blocks, pattern: pattern, write: write, total: total, outstanding: outstanding)
        load.start()
        #expect(simulator.run() == .idle)
        #expect(load.completed == total && load.errors == 0)
        return load
    }

    @Test(
        "QD1 random 4 KiB reads within 5 % of 1 / (mean random seek + rotation / 2 + E[transfer] + read-miss overhead)",
        arguments: [DiskModel.atlas10K, .cheetah15K, .barracudaATA4])
    func randomReadQD1(model: DiskModel) {
        let load = run(model, blocks: 8, pattern: .random, total: 3_000, outstanding: 1)
        let service =
            model.averageRandomSeek.seconds + model.rotationPeriod.seconds / 2 + model.meanMediaTransfer(blocks: 8)
            + model.readMissOverhead.seconds
        let formula = 1 / service
        print("\(model.name) QD1 random 4 KiB read: \((load.iops * 10).rounded() / 10) IOPS, formula \((formula * 10).rounded() / 10) IOPS (ratio \((load.iops / formula * 10_000).rounded() / 10_000))")
        #expect(abs(load.iops / formula - 1) < 0.05, "\(model.name): \(load.iops) vs \(formula)")
    }

    @Test("SCSI TCQ: QD32 random 4 KiB reads give ≥ 1.5 × the IOPS of QD1 (SPTF reordering)",
        arguments: [DiskModel.atlas10K, .cheetah15K])
    func taggedQueueing(model: DiskModel) {
        let qd1 = run(model, blocks: 8, pattern: .random, total: 2_000, outstanding: 1)
        let qd32 = run(model, blocks: 8, pattern: .random, total: 2_000, outstanding: 32)
        print("\(model.name) random 4 KiB read: QD1 \(Int(qd1.iops)) IOPS, QD32 \(Int(qd32.iops)) IOPS (× \(qd32.iops / qd1.iops))")
        #expect(qd32.iops > 1.5 * qd1.iops)
    }

    @Test("ATA: 32 offered (excess answered TASK SET FULL, retried) does not beat QD1 by more than 3 %")
    func ataQueueDepthOne() {
        let model = DiskModel.barracudaATA4
        let qd1 = run(model, blocks: 8, pattern: .random, total: 1_500, outstanding: 1)
        let offered32 = run(model, blocks: 8, pattern: .random, total: 1_500, outstanding: 32)
        print("\(model.name) random 4 KiB read: QD1 \(Int(qd1.iops)) IOPS, 32 offered \(Int(offered32.iops)) IOPS, \(offered32.refusals) TASK SET FULL")
        #expect(offered32.refusals > 0)
        #expect(offered32.iops < 1.03 * qd1.iops)
    }

    /// Sequential media rate of a zone, with the switches the skewed layout costs: a cylinder
    /// holds heads × spt blocks, read in (heads × spt + (heads − 1) × track skew + cylinder
    /// skew) sector times of rotation period / spt each.
    func sequentialRate(_ model: DiskModel, zone: Int) -> Double {
        let z = model.layout.zones[zone]
        let heads = model.heads
        let sectors = Double(heads * z.sectorsPerTrack + (heads - 1) * z.trackSkew + z.cylinderSkew)
        let seconds = sectors * model.rotationPeriod.seconds / Double(z.sectorsPerTrack)
        return Double(heads * z.sectorsPerTrack * 512) / seconds
    }

    @Test(
        "sequential 64 KiB reads (steady state, after the first): outer and inner zone within 5 % of spt × 512 × rpm / 60 less head and cylinder switches",
        arguments: [DiskModel.atlas10K, .cheetah15K, .barracudaATA4])
    func sequentialMediaRate(model: DiskModel) {
        for zone in [0, model.layout.zones.count - 1] {
            let z = model.layout.zones[zone]
            // Enough commands to cross several cylinders, starting at the zone's first block.
            let perCylinder = model.heads * z.sectorsPerTrack
            let total = 4 * perCylinder / 128 + 8
            let load = run(model, blocks: 128, pattern: .sequential(from: z.firstLBA), total: total, outstanding: 1)
            let track = model.trackMediaRate(zone: zone)
            let formula = sequentialRate(model, zone: zone)
            print(
                "\(model.name) zone \(zone) sequential 64 KiB read: \(Int(load.steadyBytesPerSecond / 1e3)) kB/s; with switches \(Int(formula / 1e3)) kB/s; on track \(Int(track / 1e3)) kB/s"
            )
            #expect(abs(load.steadyBytesPerSecond / formula - 1) < 0.05)
            #expect(load.steadyBytesPerSecond < track)
        }
    }
}
