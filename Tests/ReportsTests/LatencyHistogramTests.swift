import Foundation
import Reports
import Testing
import Timebase

@Suite("Latency histogram")
struct LatencyHistogramTests {
    /// HdrHistogram with 2 significant digits: 128 sub-buckets per half-bucket, so a bucket
    /// holding v is at most v/128 wide; the reported upper bound is within that of v, plus
    /// 1 ns of rounding up to whole nanoseconds.
    static func bound(_ truth: TimeSpan) -> TimeSpan {
        TimeSpan(picoseconds: truth.picoseconds + truth.picoseconds / 128 + 1_000)
    }

    /// The nearest-rank percentile of sorted samples: the ⌈p/100·n⌉-th smallest (at least the 1st).
    static func nearestRank(_ sorted: [TimeSpan], _ p: Double) -> TimeSpan {
        sorted[max(1, Int((p / 100 * Double(sorted.count)).rounded(.up))) - 1]
    }

    static let percentiles: [Double] = [0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100]

    static func check(_ samples: [TimeSpan]) {
        var histogram = LatencyHistogram()
        for sample in samples { histogram.record(sample) }
        let sorted = samples.sorted()
        #expect(histogram.count == UInt64(samples.count))
        #expect(histogram.min == sorted.first! && histogram.max == sorted.last!)
        for p in percentiles {
            let truth = nearestRank(sorted, p)
            let reported = histogram.percentile(p)
            #expect(reported >= truth && reported <= bound(truth), "p\(p): reported \(reported), true \(truth)")
        }
    }

    @Test("uniform 1 ns … 100 µs in 1 ns steps: percentile(p) in [true, true·(1 + 1/128) + 1 ns]")
    func uniform() {
        Self.check((1...100_000).map { TimeSpan.nanoseconds(Int64($0)) })
    }

    @Test("exponential (mean 1 ms) and log-uniform (1 ns … 100 s) samples: same error bound")
    func seededDistributions() {
        var random = RandomStream(seed: 7, name: "histogram-test")
        Self.check((0..<50_000).map { _ in TimeSpan(seconds: -1e-3 * log(random.unitIntervalOpenClosed())) })
        Self.check((0..<50_000).map { _ in TimeSpan(seconds: 1e-9 * pow(10, 11 * random.unitIntervalOpenClosed())) })
    }

    @Test("below 256 ns values are exact to the nanosecond")
    func smallValuesExact() {
        var histogram = LatencyHistogram()
        for ns in [17, 17, 200, 255] as [Int64] { histogram.record(.nanoseconds(ns)) }
        #expect(histogram.percentile(50) == .nanoseconds(17))
        #expect(histogram.percentile(75) == .nanoseconds(200))
        #expect(histogram.percentile(100) == .nanoseconds(255))
    }

    @Test("mean = Σ samples / n exactly; min and max exact in picoseconds")
    func moments() {
        let samples: [TimeSpan] = [.picoseconds(1_500), .microseconds(3), .milliseconds(2), .picoseconds(7)]
        var histogram = LatencyHistogram()
        for sample in samples { histogram.record(sample) }
        let sum = samples.reduce(0) { $0 + Double($1.picoseconds) }
        #expect(histogram.meanNanoseconds == sum / Double(samples.count) / 1_000)
        #expect(histogram.min == .picoseconds(7) && histogram.max == .milliseconds(2))
    }

    @Test("merge(a, b) equals recording a's and b's samples in one histogram")
    func merge() {
        var random = RandomStream(seed: 3, name: "merge")
        var a = LatencyHistogram(), b = LatencyHistogram(), both = LatencyHistogram()
        for index in 0..<10_000 {
            let span = TimeSpan.nanoseconds(Int64(random.below(5_000_000)))
            if index % 3 == 0 { a.record(span) } else { b.record(span) }
            both.record(span)
        }
        a.merge(b)
        #expect(a == both)
        #expect(a.jsonValue.rendered() == both.jsonValue.rendered())
    }

    @Test("spans over 1000 s are counted as saturated in the last bucket")
    func saturation() {
        var histogram = LatencyHistogram()
        histogram.record(.seconds(2_000))
        histogram.record(.milliseconds(1))
        #expect(histogram.saturatedCount == 1 && histogram.count == 2)
        #expect(histogram.max == .seconds(2_000))
        #expect(histogram.percentile(100) <= Self.bound(TimeSpan.seconds(1_000)))
    }

    @Test("cdf: non-decreasing values and fractions ending at 1; count = Σ bucket counts")
    func cdf() {
        var random = RandomStream(seed: 9, name: "cdf")
        var histogram = LatencyHistogram()
        for _ in 0..<5_000 { histogram.record(.nanoseconds(Int64(1 + random.below(1_000_000)))) }
        let points = histogram.cdf()
        #expect(points.last?.fraction == 1)
        #expect(zip(points, points.dropFirst()).allSatisfy { $0.value < $1.value && $0.fraction < $1.fraction })
        #expect(histogram.buckets().reduce(0) { $0 + $1.count } == histogram.count)
    }
}
