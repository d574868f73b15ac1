import Timebase

/// A latency histogram with HdrHistogram's log-linear buckets, in fixed memory.
///
/// Layout (HdrHistogram, REFERENCE.md §E.3, "lowest discernible value, highest trackable
/// value, significant digits"): values are counted in whole nanoseconds (lowest discernible
/// value 1 ns; a span is rounded *up* to the next nanosecond so that a reported bound is
/// never below the true value). Two significant digits need 2·10² = 200 distinct values per
/// half-decade, rounded up to a power of two: 256 sub-buckets per bucket, of which every
/// bucket after the first uses its upper 128. A value `v ≥ 256 ns` therefore falls in a
/// bucket `2ᵏ` ns wide with `v ≥ 128·2ᵏ`: the relative quantisation error is below
/// 1/128 ≈ 0.78 % (< 1 %), and values below 256 ns are exact to the nanosecond.
/// The highest trackable value is 1000 s (10¹² ns, 33 buckets, 4352 counters); longer
/// spans are counted in the last bucket and flagged in ``saturatedCount``. The exact
/// minimum, maximum and sum (in picoseconds) are kept beside the buckets.
///
/// ``percentile(_:)`` follows HdrHistogram's `getValueAtPercentile`: it finds the
/// nearest-rank sample, rank `max(1, ⌈p/100 · count⌉)`, and returns the *upper bound* (the
/// highest value equivalent to it) of the bucket holding that sample, capped at the exact
/// ``max``. So `percentile(p)` is never below the true p-th percentile and exceeds it by
/// less than 1 % (or by less than 1 ns below 256 ns).
public struct LatencyHistogram: Sendable, Equatable {
    /// log₂ of the sub-bucket half count: 128 = 2⁷ (see the type's documentation).
    static let subBucketHalfCountMagnitude = 7
    static let subBucketHalfCount = 1 << subBucketHalfCountMagnitude
    static let subBucketCount = 2 * subBucketHalfCount
    static let subBucketMask = UInt64(subBucketCount - 1)
    /// The highest trackable value, in nanoseconds: 1000 s (the brief: "1 ns to 1000 s").
    public static let highestTrackableNanoseconds: UInt64 = 1_000_000_000_000
    /// Buckets needed so that `subBucketCount << (bucketCount − 1)` exceeds the highest value.
    static let bucketCount: Int = {
        var smallestUntrackable = UInt64(subBucketCount)
        var buckets = 1
        while smallestUntrackable <= highestTrackableNanoseconds {
            smallestUntrackable <<= 1
            buckets += 1
        }
        return buckets
    }()
    /// Counters: the first bucket's 256 plus 128 for every further bucket.
    static let countsLength = (bucketCount + 1) * subBucketHalfCount

    private var counts: [UInt64]
    /// The number of recorded spans.
    public private(set) var count: UInt64 = 0
    /// Spans longer than ``highestTrackableNanoseconds``, counted in the last bucket.
    public private(set) var saturatedCount: UInt64 = 0
    private var minimumPicoseconds: Int64 = .max
    private var maximumPicoseconds: Int64 = 0
    /// The sum of recorded spans in picoseconds, as a 128-bit pair so it cannot overflow.
    private var sumHigh: UInt64 = 0
    private var sumLow: UInt64 = 0

    /// An empty histogram.
    public init() {
        counts = Array(repeating: 0, count: Self.countsLength)
    }

    /// The shortest recorded span (exact), or zero if empty.
    public var min: TimeSpan { count == 0 ? .zero : TimeSpan(picoseconds: minimumPicoseconds) }
    /// The longest recorded span (exact), or zero if empty.
    public var max: TimeSpan { TimeSpan(picoseconds: maximumPicoseconds) }
    /// The exact arithmetic mean, in nanoseconds (a `Double`: for reports), or zero if empty.
    public var meanNanoseconds: Double {
        guard count > 0 else { return 0 }
        return (Double(sumHigh) * 0x1p64 + Double(sumLow)) / Double(count) / 1_000
    }
    /// The mean as a span (truncated to a picosecond).
    public var mean: TimeSpan { TimeSpan(picoseconds: Int64(meanNanoseconds * 1_000)) }

    /// Records one span; negative spans are a caller bug. O(1): a few shifts and one add.
    public mutating func record(_ span: TimeSpan) {
        record(span, times: 1)
    }

    /// Records `times` copies of `span` (used by ``merge(_:)`` and for weighted samples).
    public mutating func record(_ span: TimeSpan, times: UInt64) {
        precondition(span.picoseconds >= 0, "LatencyHistogram.record: negative span \(span)")
        guard times > 0 else { return }
        let ps = span.picoseconds
        var nanoseconds = (UInt64(ps) + 999) / 1_000
        if nanoseconds > Self.highestTrackableNanoseconds {
            nanoseconds = Self.highestTrackableNanoseconds
            saturatedCount += times
        }
        counts[Self.index(of: nanoseconds)] += times
        count += times
        minimumPicoseconds = Swift.min(minimumPicoseconds, ps)
        maximumPicoseconds = Swift.max(maximumPicoseconds, ps)
        let product = UInt64(ps).multipliedFullWidth(by: times)
        let (low, carry) = sumLow.addingReportingOverflow(product.low)
        sumLow = low
        sumHigh = sumHigh &+ product.high &+ (carry ? 1 : 0)
    }

    /// Adds every sample of `other` into this histogram (exact: same bucket layout).
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        for index in counts.indices { counts[index] += other.counts[index] }
        count += other.count
        saturatedCount += other.saturatedCount
        minimumPicoseconds = Swift.min(minimumPicoseconds, other.minimumPicoseconds)
        maximumPicoseconds = Swift.max(maximumPicoseconds, other.maximumPicoseconds)
        let (low, carry) = sumLow.addingReportingOverflow(other.sumLow)
        sumLow = low
        sumHigh = sumHigh &+ other.sumHigh &+ (carry ? 1 : 0)
    }

    /// The value at percentile `p` (0…100): the upper bound of the bucket holding the
    /// nearest-rank sample, capped at ``max`` (see the type's documentation). Zero if empty.
    public func percentile(_ p: Double) -> TimeSpan {
        precondition(p >= 0 && p <= 100, "percentile \(p) outside 0…100")
        guard count > 0 else { return .zero }
        let rank = Swift.max(1, Swift.min(count, UInt64((p / 100 * Double(count)).rounded(.up))))
        var seen: UInt64 = 0
        for index in counts.indices where counts[index] > 0 {
            seen += counts[index]
            if seen >= rank { return cappedUpperBound(index) }
        }
        return max
    }

    /// One point per non-empty bucket: the bucket's upper bound and the fraction of samples at
    /// or below it (the last point's fraction is 1). For plotting a CDF.
    public func cdf() -> [(value: TimeSpan, fraction: Double)] {
        var points: [(value: TimeSpan, fraction: Double)] = []
        var seen: UInt64 = 0
        for index in counts.indices where counts[index] > 0 {
            seen += counts[index]
            points.append((cappedUpperBound(index), Double(seen) / Double(count)))
        }
        return points
    }

    /// The non-empty buckets as (lowest, highest equivalent value in ns, count), in order.
    public func buckets() -> [(lowestNanoseconds: UInt64, highestNanoseconds: UInt64, count: UInt64)] {
        counts.indices.compactMap { index in
            counts[index] == 0 ? nil : (Self.lowestValue(at: index), Self.highestValue(at: index), counts[index])
        }
    }

    /// The percentiles reports print, in order: (label, percentile).
    public static let reportedPercentiles: [(label: String, percentile: Double)] = [
        ("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9), ("p99.99", 99.99),
    ]

    /// The histogram for `report.json`: count, exact min/max/mean, the reported percentiles
    /// (all in nanoseconds) and the sparse buckets `[highest ns, count]`, so a baseline can be
    /// re-merged. Deterministic: a pure function of the recorded samples.
    public var jsonValue: JSONValue {
        var percentiles: [(String, JSONValue)] = Self.reportedPercentiles.map {
            ($0.label, .number(Self.nanoseconds(percentile($0.percentile))))
        }
        percentiles.append(("max", .number(Self.nanoseconds(max))))
        return .object([
            ("unit", .string("ns")),
            ("count", .unsigned(count)),
            ("saturated", .unsigned(saturatedCount)),
            ("min", .number(Self.nanoseconds(min))),
            ("max", .number(Self.nanoseconds(max))),
            ("mean", .number(meanNanoseconds)),
            ("percentiles", .object(percentiles)),
            ("significant_digits", .integer(2)),
            ("buckets", .array(buckets().map { .array([.unsigned($0.highestNanoseconds), .unsigned($0.count)]) })),
        ])
    }

    // MARK: Index arithmetic (HdrHistogram's, with unit magnitude 0 = 1 ns)

    private func cappedUpperBound(_ index: Int) -> TimeSpan {
        let upper = TimeSpan.nanoseconds(Int64(Self.highestValue(at: index)))
        return Swift.min(upper, max)
    }

    static func nanoseconds(_ span: TimeSpan) -> Double { Double(span.picoseconds) / 1_000 }

    /// The counter index of `value` ns.
    static func index(of value: UInt64) -> Int {
        let bucket = 64 - subBucketHalfCountMagnitude - 1 - (value | subBucketMask).leadingZeroBitCount
        let subBucket = Int(value >> UInt64(bucket))
        return ((bucket + 1) << subBucketHalfCountMagnitude) + (subBucket - subBucketHalfCount)
    }

    /// The (bucket, sub-bucket) of a counter index.
    static func position(of index: Int) -> (bucket: Int, subBucket: Int) {
        var bucket = (index >> subBucketHalfCountMagnitude) - 1
        var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucket < 0 {
            subBucket -= subBucketHalfCount
            bucket = 0
        }
        return (bucket, subBucket)
    }

    /// The lowest value (ns) counted at `index`.
    static func lowestValue(at index: Int) -> UInt64 {
        let (bucket, subBucket) = position(of: index)
        return UInt64(subBucket) << UInt64(bucket)
    }

    /// The highest value (ns) counted at `index` (HdrHistogram's "highest equivalent value").
    static func highestValue(at index: Int) -> UInt64 {
        let (bucket, _) = position(of: index)
        return lowestValue(at: index) + (UInt64(1) << UInt64(bucket)) - 1
    }
}
