import Timebase

/// `sweep.json`: every seed of one sweep invocation (one shard), sorted by seed.
///
/// Deterministic: the same scenario, range, shard and duration give the same bytes, whatever
/// the number of jobs or the order the children finished in. Wall-clock figures (the sweep's
/// wall time) are printed on the terminal only, never written here.
public struct SweepReport: Sendable, Equatable {
    public var scenario: String
    public var scenarioFile: String
    public var plan: SweepPlan
    /// The simulated duration of each run (the scenario's unless `--until` was given).
    public var simulatedDuration: TimeSpan
    public private(set) var results: [SweepSeedResult]

    public init(scenario: String, scenarioFile: String, plan: SweepPlan, simulatedDuration: TimeSpan, results: [SweepSeedResult]) {
        self.scenario = scenario
        self.scenarioFile = scenarioFile
        self.plan = plan
        self.simulatedDuration = simulatedDuration
        self.results = results.sorted { $0.seed < $1.seed }
    }

    public var passed: Int { results.count { $0.verdict == .pass } }
    public var failed: [SweepSeedResult] { results.filter { $0.verdict != .pass } }

    public var jsonValue: JSONValue {
        .object([
            ("format_version", .integer(1)),
            ("scenario", .string(scenario)),
            ("scenario_file", .string(scenarioFile)),
            ("seeds", .object([("first", .unsigned(plan.seeds.lowerBound)), ("last", .unsigned(plan.seeds.upperBound))])),
            ("shard", plan.shard.map { .string($0.description) } ?? .null),
            ("simulated_duration_ns", .number(Double(simulatedDuration.picoseconds) / 1_000)),
            ("run", .integer(Int64(results.count))),
            ("passed", .integer(Int64(passed))),
            ("failed", .integer(Int64(results.count - passed))),
            ("results", .array(results.map(\.jsonValue))),
        ])
    }

    /// The exact text of `sweep.json`.
    public var jsonText: String { jsonValue.rendered(pretty: true) + "\n" }
}
