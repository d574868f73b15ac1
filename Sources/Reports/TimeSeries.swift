import Timebase

/// Samples gathered into fixed-width buckets of virtual time: a sum and a count per bucket.
///
/// One type serves both charts of a report: throughput (``Kind/rate``: the bucket's sum per
/// second, e.g. bytes or I/Os completed in the interval) and latency over time
/// (``Kind/mean``: the bucket's sum divided by its count, e.g. mean latency in ns of the I/Os
/// completed in the interval). Bucket `i` covers `[start + i·interval, start + (i+1)·interval)`.
/// Samples must be added at or after `start`; the bucket array grows as time advances.
public struct TimeSeries: Sendable, Equatable {
    /// How a bucket's sum and count become the plotted value.
    public enum Kind: String, Sendable {
        /// `sum / interval` in units per second (throughput, I/O rate).
        case rate
        /// `sum / count` (mean latency, mean queue depth); no value for an empty bucket.
        case mean
    }

    /// What the values are: ``Kind/rate`` or ``Kind/mean``.
    public let kind: Kind
    /// The unit of one sample, e.g. `"bytes"`, `"I/Os"`, `"ns"`.
    public let unit: String
    /// The start of bucket 0.
    public let start: Instant
    /// The width of every bucket.
    public let interval: TimeSpan
    /// The sum of the samples of each bucket.
    public private(set) var sums: [Double] = []
    /// The number of samples of each bucket.
    public private(set) var counts: [UInt64] = []

    /// An empty series of buckets `interval` wide from `start`.
    public init(kind: Kind, unit: String, interval: TimeSpan, start: Instant = .zero) {
        precondition(interval.picoseconds > 0, "TimeSeries interval must be positive")
        self.kind = kind
        self.unit = unit
        self.interval = interval
        self.start = start
    }

    /// Adds `value` to the bucket holding `time`.
    public mutating func add(_ value: Double, at time: Instant) {
        precondition(time >= start, "TimeSeries sample at \(time) before the start \(start)")
        let bucket = Int((time - start).picoseconds / interval.picoseconds)
        if bucket >= sums.count {
            sums.append(contentsOf: repeatElement(0, count: bucket + 1 - sums.count))
            counts.append(contentsOf: repeatElement(0, count: bucket + 1 - counts.count))
        }
        sums[bucket] += value
        counts[bucket] += 1
    }

    /// Adds a latency sample in nanoseconds (for ``Kind/mean`` series in `"ns"`).
    public mutating func add(_ span: TimeSpan, at time: Instant) {
        add(Double(span.picoseconds) / 1_000, at: time)
    }

    /// Makes the series cover at least up to `end` (trailing empty buckets show idle time).
    public mutating func extend(through end: Instant) {
        guard end > start else { return }
        let buckets = Int(((end - start).picoseconds + interval.picoseconds - 1) / interval.picoseconds)
        if buckets > sums.count {
            sums.append(contentsOf: repeatElement(0, count: buckets - sums.count))
            counts.append(contentsOf: repeatElement(0, count: buckets - counts.count))
        }
    }

    /// The number of buckets.
    public var bucketCount: Int { sums.count }

    /// The start of bucket `index`.
    public func bucketStart(_ index: Int) -> Instant {
        start + interval * Int64(index)
    }

    /// The plotted value of bucket `index` (see ``Kind``); `nil` for an empty ``Kind/mean`` bucket.
    public func value(at index: Int) -> Double? {
        switch kind {
        case .rate: return sums[index] / interval.seconds
        case .mean: return counts[index] == 0 ? nil : sums[index] / Double(counts[index])
        }
    }

    /// The unit of ``value(at:)``: `"bytes/s"` for a rate of bytes, `"ns"` for a mean in ns.
    public var valueUnit: String { kind == .rate ? unit + "/s" : unit }

    /// Points for a chart: (the bucket's midpoint, its value), skipping empty mean buckets.
    public func points() -> [(time: Instant, value: Double)] {
        (0..<bucketCount).compactMap { index in
            value(at: index).map { (bucketStart(index) + TimeSpan(picoseconds: interval.picoseconds / 2), $0) }
        }
    }

    /// The series for `report.json`: kind, unit, start and interval (ns), and the raw
    /// `sum` and `count` arrays (the values follow from them; raw sums stay mergeable).
    public var jsonValue: JSONValue {
        .object([
            ("kind", .string(kind.rawValue)),
            ("unit", .string(unit)),
            ("start_ns", .number(Double(start.picoseconds) / 1_000)),
            ("interval_ns", .number(Double(interval.picoseconds) / 1_000)),
            ("sum", .array(sums.map { .number($0) })),
            ("count", .array(counts.map { .unsigned($0) })),
        ])
    }
}
