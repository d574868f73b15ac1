import Timebase

/// Everything one scenario run reports: what ran, what was measured, what happened when,
/// and whether the scenario's expectations held.
///
/// The `Scenario` module fills one per run and hands it to the writers (``MarkdownReport``,
/// ``HTMLReport``, ``jsonValue`` for `report.json`). Everything but ``wallClock`` is a
/// function of the scenario and the seed, so `report.json` is byte-identical across runs:
/// no wall time, no absolute paths, no host names. Names of components and series are user
/// text (from scenario files); writers escape them.
public struct RunReport: Sendable, Equatable {
    /// The version of the `report.json` layout; bump it when a key changes meaning.
    public static let formatVersion = 1

    /// The pass/fail outcome of a run.
    public enum Verdict: String, Sendable {
        case pass, fail
    }

    public var scenario: String
    /// The scenario file as named on the command line (what `iofabric replay` reruns); nil
    /// when the run did not come from a file. Written as `scenario_file` (null when nil).
    public var scenarioFile: String?
    public var description: String
    public var seed: UInt64
    /// `"simulated"` or `"real"`.
    public var backend: String
    /// The virtual time the run covered.
    public var simulatedDuration: TimeSpan
    /// Events the kernel executed.
    public var eventCount: UInt64
    /// The trace digest (``StableDigest/hex``): the determinism fingerprint of the run.
    public var traceDigest: String
    /// Named figures of the run (rendered sorted by name).
    public var metrics: [String: MetricValue] = [:]
    /// Latency histograms by operation, e.g. `"read"`, `"write"`.
    public var latencies: [String: LatencyHistogram] = [:]
    /// Time series by name, e.g. `"read throughput"`, `"read latency"`.
    public var series: [String: TimeSeries] = [:]
    /// Per-component utilisation, in the order the topology lists them.
    public var utilisations: [ComponentUtilisation] = []
    /// Faults, state changes and checked expectations (writers show them in time order).
    public var timeline: [TimelineEntry] = []
    public var expectations: [ExpectationResult] = []
    /// Failures not tied to an expectation (a checker's violation, an agent that trapped).
    public var problems: [String] = []
    /// Wall-clock figures of this process: terminal and Markdown only, never in `report.json`.
    public var wallClock: WallClock?

    public init(
        scenario: String, description: String = "", seed: UInt64, backend: String = "simulated",
        simulatedDuration: TimeSpan, eventCount: UInt64, traceDigest: String
    ) {
        self.scenario = scenario
        self.description = description
        self.seed = seed
        self.backend = backend
        self.simulatedDuration = simulatedDuration
        self.eventCount = eventCount
        self.traceDigest = traceDigest
    }

    /// Pass when every expectation passed and there is no problem.
    public var verdict: Verdict {
        problems.isEmpty && expectations.allSatisfy(\.passed) ? .pass : .fail
    }

    /// The timeline sorted by time; entries at the same time keep the order they were added.
    public var sortedTimeline: [TimelineEntry] {
        timeline.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    /// Names of a dictionary's keys in UTF-8 byte order (the order every writer uses).
    static func sortedNames<Value>(_ dictionary: [String: Value]) -> [String] {
        dictionary.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// The metric names, sorted. Writers iterate these, never the dictionary.
    public var metricNames: [String] { Self.sortedNames(metrics) }
    /// The latency histogram names, sorted.
    public var latencyNames: [String] { Self.sortedNames(latencies) }
    /// The time series names, sorted.
    public var seriesNames: [String] { Self.sortedNames(series) }
}

/// Figures about the process that ran the scenario, which differ from run to run.
public struct WallClock: Sendable, Equatable {
    /// Wall-clock seconds the run took.
    public var seconds: Double
    /// Simulated events executed per wall-clock second.
    public var eventsPerSecond: Double

    public init(seconds: Double, eventsPerSecond: Double) {
        self.seconds = seconds
        self.eventsPerSecond = eventsPerSecond
    }
}

extension RunReport {
    /// A metric as a person reads it: latencies (metrics named `…Latency`, in seconds) as
    /// durations, everything else as a number.
    public func formattedMetric(_ name: String) -> String {
        guard let value = metrics[name] else { return "" }
        guard name.hasSuffix("Latency") else { return value.formatted }
        return Format.duration(seconds: value.doubleValue)
    }
}
