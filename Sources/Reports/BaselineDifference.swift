/// One way a run differs from its baseline: a row of the readable diff.
public struct BaselineDifference: Sendable, Equatable {
    public var key: String
    /// The baseline's value, or `(absent)`.
    public var baseline: String
    /// This run's value, or `(absent)`.
    public var now: String
    /// `exact`, or the relative tolerance and the relative change (`±2 % (was +7.1 %)`).
    public var tolerance: String

    public init(key: String, baseline: String, now: String, tolerance: String) {
        self.key = key
        self.baseline = baseline
        self.now = now
        self.tolerance = tolerance
    }

    /// The differences as an aligned table (key, baseline, now, tolerance).
    public static func table(_ differences: [BaselineDifference]) -> String {
        var table = TextTable(header: ["key", "baseline", "now", "tolerance"])
        for difference in differences {
            table.append([difference.key, difference.baseline, difference.now, difference.tolerance])
        }
        return table.rendered()
    }
}

extension Baseline {
    static let absent = "(absent)"

    /// How `now` (a run at this baseline's seed and duration) differs from this baseline,
    /// by ``Baseline/rule``, sorted by key; empty when it matches. Keys present on one side
    /// only are differences too (a new metric means the baseline needs a deliberate update).
    public func differences(_ now: Baseline) -> [BaselineDifference] {
        var result: [BaselineDifference] = []
        if seed != now.seed {
            result.append(BaselineDifference(key: "seed", baseline: String(seed), now: String(now.seed), tolerance: "exact"))
        }
        if simulatedDuration != now.simulatedDuration {
            result.append(BaselineDifference(
                key: "simulated_duration_ns", baseline: String(simulatedDuration.picoseconds / 1_000),
                now: String(now.simulatedDuration.picoseconds / 1_000), tolerance: "exact"))
        }
        for key in RunReport.sortedNames(exact.merging(now.exact) { old, _ in old }) {
            let was = exact[key]
            let is_ = now.exact[key]
            if was != is_ {
                result.append(BaselineDifference(
                    key: key, baseline: was?.rendered() ?? Self.absent, now: is_?.rendered() ?? Self.absent, tolerance: "exact"))
            }
        }
        let percent = Format.fixed(relativeTolerance * 100, 1) + " %"
        for key in RunReport.sortedNames(toleranced.merging(now.toleranced) { old, _ in old }) {
            let was = toleranced[key]
            let is_ = now.toleranced[key]
            guard let was, let is_ else {
                result.append(BaselineDifference(
                    key: key, baseline: was.map { JSONValue.number($0).rendered() } ?? Self.absent,
                    now: is_.map { JSONValue.number($0).rendered() } ?? Self.absent, tolerance: "±" + percent))
                continue
            }
            guard !Self.within(is_, of: was, relative: relativeTolerance) else { continue }
            let change = was == 0 ? "from 0" : (is_ >= was ? "+" : "") + Format.fixed((is_ - was) / abs(was) * 100, 1) + " %"
            result.append(BaselineDifference(
                key: key, baseline: JSONValue.number(was).rendered(), now: JSONValue.number(is_).rendered(),
                tolerance: "±\(percent) (moved \(change))"))
        }
        return result
    }

    /// `|value − reference| ≤ relative × |reference|` (so a zero reference needs exactly zero).
    public static func within(_ value: Double, of reference: Double, relative: Double) -> Bool {
        abs(value - reference) <= relative * abs(reference)
    }
}
