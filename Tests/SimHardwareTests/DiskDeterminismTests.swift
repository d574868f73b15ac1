import SimCore
import SimHardware
import Testing
import Timebase

@Suite("Disk determinism")
struct DiskDeterminismTests {
    /// A QD16 random mix of reads and writes on a SCSI disk; returns the trace digest.
    func digest(seed: UInt64) -> StableDigest {
        let (simulator, _, loop) = diskRig(.atlas10K, seed: seed)
        let load = ClosedLoopLoad(loop: loop, blocks: 8, pattern: .random, total: 400, outstanding: 16)
        let writes = ClosedLoopLoad(loop: IdealLoop(name: "loopB", disk: loop.disk, port: .b, simulator: simulator),
            blocks: 16, pattern: .random, write: true, total: 200, outstanding: 8, seed: "writes")
        load.start()
        writes.start()
        simulator.run()
        #expect(load.completed == 400 && writes.completed == 200)
        return simulator.traceDigest
    }

    @Test("same seed ⇒ same trace digest; another seed ⇒ another digest")
    func sameSeedSameDigest() {
        #expect(digest(seed: 7) == digest(seed: 7))
        #expect(digest(seed: 7) != digest(seed: 8))
    }
}
