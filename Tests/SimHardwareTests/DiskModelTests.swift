import SimHardware
import Testing
import Timebase

@Suite("Disk models")
struct DiskModelTests {
    @Test("capacity = Σ zones cylinders × heads × sectors per track; rotation period = 60 s / rpm")
    func geometry() {
        for model in [DiskModel.atlas10K, .cheetah15K, .barracudaATA4] {
            let expected = model.layout.zones.reduce(UInt64(0)) {
                $0 + UInt64($1.cylinderCount * model.heads * $1.sectorsPerTrack)
            }
            #expect(model.blockCount == expected)
            #expect(model.rotationPeriod.picoseconds == 60_000_000_000_000 / Int64(model.rpm))
            // LBA → place → first LBA of the track + sector round-trips at zone edges.
            for zone in model.layout.zones {
                for lba in [zone.firstLBA, zone.firstLBA + UInt64(zone.sectorsPerTrack) + 3] {
                    let place = model.layout.locate(lba)
                    #expect(model.layout.firstLBA(cylinder: place.cylinder, head: place.head) + UInt64(place.sector) == lba)
                }
            }
            print(
                "\(model.name): \(model.blockCount) blocks (\(model.blockCount * 512 / 1_000_000) MB), mean random seek \(model.averageRandomSeek), outer \(Int(model.trackMediaRate(zone: 0) / 1e3)) kB/s, inner \(Int(model.trackMediaRate(zone: model.layout.zones.count - 1) / 1e3)) kB/s"
            )
        }
        // DiskSim's Atlas 10K has 17,938,986 blocks after spares; this layout has no spares, so a little more.
        #expect(DiskModel.atlas10K.blockCount >= 17_938_986)
    }

    @Test("Atlas 10K seek curve passes through DiskSim's measured points (1 cyl 1.245 ms, full 10.828 ms)")
    func atlasSeekCurve() {
        let curve = DiskModel.atlas10K.seekCurve
        #expect(curve.time(distance: 1) == TimeSpan(seconds: 1.245e-3))
        #expect(curve.time(distance: 10_021) == TimeSpan(seconds: 10.828e-3))
        #expect(curve.time(distance: 0) == .zero)
    }

    @Test(
        "three-point (Lee–Katz) fits hold single, full stroke and E[seek(d) | d ≥ 1] = the data sheet's average",
        arguments: [
            (DiskModel.cheetah15K, 0.2e-3, 3.6e-3, 7.4e-3), (DiskModel.barracudaATA4, 1.0e-3, 10.8e-3, 21.0e-3),
        ])
    func threePointFit(model: DiskModel, single: Double, average: Double, full: Double) {
        let curve = model.seekCurve
        #expect(abs(curve.time(distance: 1).seconds - single) < 1e-9)
        #expect(abs(curve.time(distance: model.cylinders - 1).seconds - full) < 1e-8)
        let mean = model.seekDistances.meanOverMoves { curve.time(distance: $0).seconds }
        #expect(abs(mean / average - 1) < 1e-4, "\(model.name): mean seek \(mean) vs \(average)")
        // Rising everywhere.
        #expect((1..<curve.cylinders).allSatisfy { curve.time(distance: $0 - 1) <= curve.time(distance: $0) })
        // The distance distribution sums to 1.
        #expect(abs(model.seekDistances.probability.reduce(0, +) - 1) < 1e-9)
    }
}
