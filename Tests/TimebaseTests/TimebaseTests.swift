import Testing
import Timebase

@Suite("Time")
struct TimeTests {
    @Test("spans convert units exactly and print in the largest fitting unit")
    func spans() {
        #expect(TimeSpan.seconds(1).picoseconds == 1_000_000_000_000)
        #expect(TimeSpan.nanoseconds(3) + .picoseconds(5) == .picoseconds(3_005))
        #expect(TimeSpan.milliseconds(1).description == "1.000 ms")
        #expect(TimeSpan.picoseconds(15_151).description == "15.151 ns")
        #expect(TimeSpan.picoseconds(999).description == "999 ps")
        #expect(TimeSpan.picoseconds(-2_500_000).description == "-2.500 µs")
        #expect(TimeSpan(seconds: 0.1).picoseconds == 100_000_000_000)
    }

    @Test("instants and spans combine as a point and a difference")
    func instants() {
        let t = Instant.zero + .microseconds(3)
        #expect(t - .zero == .microseconds(3))
        #expect(t - .microseconds(1) == .zero + .microseconds(2))
        #expect(Instant.zero < t && t < .distantFuture)
    }

    @Test("transmission time rounds up: a saturated link never beats its rate")
    func transmission() {
        // 2048 bytes at 8 Gb/s (4X SDR data rate) = 2048 ns exactly.
        #expect(TimeSpan.transmission(bytes: 2048, bitsPerSecond: 8_000_000_000) == .nanoseconds(2048))
        // 1 byte at 3 b/s = 2.666… s → rounded up to the next picosecond.
        #expect(TimeSpan.transmission(bytes: 1, bitsPerSecond: 3).picoseconds == 2_666_666_666_667)
        // A 66 MHz PCI clock: 1/66e6 s = 15151.5… ps; 4 bytes per clock on a 32-bit bus.
        #expect(TimeSpan.transmission(bytes: 4, bitsPerSecond: 32 * 66_000_000).picoseconds == 15_152)
    }
}

@Suite("Stable hashing and random streams")
struct RandomTests {
    @Test("FNV-1a 64 matches the published test vectors")
    func fnv() {
        #expect(StableHash.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test("SplitMix64 from seed 0 gives the reference sequence")
    func splitMix() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xe220_a839_7b1d_cdaf)
        #expect(generator.next() == 0x6e78_9e6a_a1b9_65f4)
        #expect(generator.next() == 0x06c4_5d18_8009_454f)
    }

    @Test("a component's stream depends on the seed and its own name only")
    func streamIndependence() {
        var a1 = RandomStream(seed: 5, name: "hca.host0")
        let firstRun = (0..<8).map { _ in a1.next() }
        // Another component drawing in between changes nothing for this one.
        var a2 = RandomStream(seed: 5, name: "hca.host0")
        var other = RandomStream(seed: 5, name: "disk.3")
        var secondRun: [UInt64] = []
        for _ in 0..<8 {
            _ = other.next()
            secondRun.append(a2.next())
        }
        #expect(firstRun == secondRun)
        var renamed = RandomStream(seed: 5, name: "hca.host1")
        var reseeded = RandomStream(seed: 6, name: "hca.host0")
        #expect(renamed.next() != firstRun[0])
        #expect(reseeded.next() != firstRun[0])
    }

    @Test("below(n) stays in range and is roughly uniform; chance() respects its ratio")
    func boundedDraws() {
        var random = RandomStream(seed: 11, name: "uniform")
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 {
            let value = random.below(10)
            #expect(value < 10)
            counts[Int(value)] += 1
        }
        #expect(counts.allSatisfy { (9_500...10_500).contains($0) }, "\(counts)")
        let hits = (0..<100_000).filter { _ in random.chance(1, outOf: 4) }.count
        #expect((24_000...26_000).contains(hits))
        let u = random.unitIntervalOpenClosed()
        #expect(u > 0 && u <= 1)
    }

    @Test("the digest is order-sensitive and stable")
    func digest() {
        var a = StableDigest()
        a.combine(1)
        a.combine(2)
        var b = StableDigest()
        b.combine(2)
        b.combine(1)
        #expect(a != b)
        #expect(a.hex.count == 16)
        var c = StableDigest()
        c.combine(1)
        c.combine(2)
        #expect(a == c)
    }
}
