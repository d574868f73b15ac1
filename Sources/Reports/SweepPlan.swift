/// Which seeds one `iofabric sweep` invocation runs: a range `A..B` (or one seed), and
/// optionally a shard `i/n` of it, so `n` machines together run every seed exactly once.
///
/// Sharding is by position: the seed at position `p` of the range (`p = seed − A`) belongs to
/// shard `i` (1-based, like Slurm's `SLURM_ARRAY_TASK_ID` with `--array=1-n`) when
/// `p mod n == i − 1`. It depends on nothing but the range and `i/n`: deterministic.
public struct SweepPlan: Sendable, Equatable {
    /// A 1-based shard `index` of `count`.
    public struct Shard: Sendable, Equatable, CustomStringConvertible {
        public var index: UInt64
        public var count: UInt64

        public init(index: UInt64, count: UInt64) {
            precondition(count >= 1 && (1...count).contains(index), "shard \(index)/\(count) out of range")
            self.index = index
            self.count = count
        }

        /// Parses `i/n` with `1 ≤ i ≤ n`; the error message says what is wrong.
        public static func parse(_ text: String) -> Result<Shard, SweepPlanError> {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let index = UInt64(parts[0]), let count = UInt64(parts[1]) else {
                return .failure(SweepPlanError("The value '\(text)' is invalid for '--shard': expected i/n, e.g. 2/8"))
            }
            guard count >= 1, index >= 1, index <= count else {
                return .failure(SweepPlanError(
                    "The value '\(text)' is invalid for '--shard': the shard index is 1-based and at most the shard count (1/\(max(count, 1))...\(max(count, 1))/\(max(count, 1)))"))
            }
            return .success(Shard(index: index, count: count))
        }

        public var description: String { "\(index)/\(count)" }
    }

    public var seeds: ClosedRange<UInt64>
    public var shard: Shard?

    public init(seeds: ClosedRange<UInt64>, shard: Shard? = nil) {
        self.seeds = seeds
        self.shard = shard
    }

    /// Parses `A..B` (inclusive, `A ≤ B`) or a single seed `N`; `_` separators allowed.
    public static func parseSeeds(_ text: String) -> Result<ClosedRange<UInt64>, SweepPlanError> {
        func number(_ part: Substring) -> UInt64? { UInt64(String(part.filter { $0 != "_" })) }
        let invalid = SweepPlanError("The value '\(text)' is invalid for '--seeds': expected A..B (inclusive) or one seed N")
        if let single = number(Substring(text)) { return .success(single...single) }
        guard let dots = text.range(of: ".."), let low = number(text[..<dots.lowerBound]), let high = number(text[dots.upperBound...])
        else { return .failure(invalid) }
        guard low <= high else {
            return .failure(SweepPlanError("The value '\(text)' is invalid for '--seeds': the first seed is above the last"))
        }
        return .success(low...high)
    }

    /// Whether the seed at `position` in the range belongs to this invocation.
    public func includes(position: UInt64) -> Bool {
        guard let shard else { return true }
        return position % shard.count == shard.index - 1
    }

    /// The seeds this invocation runs, in increasing order.
    public var selectedSeeds: [UInt64] {
        let step = shard?.count ?? 1
        var position = (shard?.index ?? 1) - 1
        let last = seeds.upperBound - seeds.lowerBound
        var result: [UInt64] = []
        while position <= last {
            result.append(seeds.lowerBound + position)
            let (next, overflow) = position.addingReportingOverflow(step)
            if overflow { break }
            position = next
        }
        return result
    }

    /// How many seeds ``selectedSeeds`` holds, computed without listing them.
    public var selectedCount: UInt64 {
        let first = (shard?.index ?? 1) - 1
        let last = seeds.upperBound - seeds.lowerBound
        guard first <= last else { return 0 }
        let (count, overflow) = ((last - first) / (shard?.count ?? 1)).addingReportingOverflow(1)
        return overflow ? .max : count
    }

    /// How many seeds the range holds (saturating at `UInt64.max` for the full range).
    public var rangeCount: UInt64 {
        let (count, overflow) = (seeds.upperBound - seeds.lowerBound).addingReportingOverflow(1)
        return overflow ? .max : count
    }
}

/// A `--seeds` or `--shard` value that cannot be used.
public struct SweepPlanError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
