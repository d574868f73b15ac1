import Reports
import Testing
import Timebase

@Suite("Time series")
struct TimeSeriesTests {
    @Test("rate = Σ bytes in the interval / interval; a sample at k·interval opens bucket k")
    func rate() {
        let interval = TimeSpan.milliseconds(1)
        var series = TimeSeries(kind: .rate, unit: "B", interval: interval)
        for index in 0..<10 { series.add(4_096, at: Instant.zero + .microseconds(Int64(index * 90))) }
        series.add(512, at: Instant.zero + interval)
        #expect(series.bucketCount == 2)
        #expect(series.value(at: 0) == 10 * 4_096 / interval.seconds)
        #expect(series.value(at: 1) == 512 / interval.seconds)
        #expect(series.valueUnit == "B/s")
    }

    @Test("mean = Σ latency / count per bucket; empty buckets have no value and no point")
    func mean() {
        var series = TimeSeries(kind: .mean, unit: "ns", interval: .milliseconds(1))
        series.add(TimeSpan.microseconds(100), at: Instant.zero + .microseconds(10))
        series.add(TimeSpan.microseconds(300), at: Instant.zero + .microseconds(20))
        series.add(TimeSpan.microseconds(50), at: Instant.zero + .milliseconds(2))
        series.extend(through: Instant.zero + .milliseconds(5))
        #expect(series.bucketCount == 5)
        #expect(series.value(at: 0) == (100_000.0 + 300_000) / 2)
        #expect(series.value(at: 1) == nil)
        #expect(series.points().map(\.value) == [200_000, 50_000])
        #expect(series.points().first?.time == Instant.zero + .microseconds(500))  // bucket midpoint
    }
}
