import Foundation
import Timebase

/// The part of a scenario's `report.json` that CI tracks (`Reports/baselines/<scenario>.json`).
///
/// The rule, written once (``rule``, also stored in every baseline file):
/// - **exact**: the trace digest, the event count, the verdict, the problems and every
///   integer metric (counts: I/Os, errors, timeouts, lost writes, takeovers, connections…);
/// - **within the relative tolerance** (default ``defaultRelativeTolerance``, stored in the
///   file): every fractional metric (IOPS, MB/s, latency percentiles, failover time…):
///   `|now − baseline| ≤ tolerance × |baseline|`.
///
/// A baseline is made, and compared, at the seed and simulated duration it records: a heavy
/// scenario may be tracked at a shortened duration (`iofabric baseline NAME --update --until T`).
public struct Baseline: Sendable, Equatable {
    /// Assumption: 2 % is well above the run-to-run noise of a deterministic simulator (zero)
    /// and below the smallest model change worth noticing in a figure (a digest change shows
    /// every change anyway; the tolerance says which figures moved a lot).
    public static let defaultRelativeTolerance = 0.02

    /// The comparison rule, as stored in each baseline file for its reader.
    public static let rule = "exact: trace_digest, event_count, verdict, problems and every integer metric (counts); toleranced: every fractional metric (rates, MB/s, latencies, failover time) within |now - baseline| <= relative_tolerance * |baseline|"

    /// The layout of a baseline file.
    public static let formatVersion = 1

    public var scenario: String
    public var seed: UInt64
    public var simulatedDuration: TimeSpan
    public var relativeTolerance: Double
    /// Values compared exactly, by key (`trace_digest`, `metrics.<name>`, …).
    public var exact: [String: JSONValue]
    /// Figures compared within ``relativeTolerance``, by key (`metrics.<name>`).
    public var toleranced: [String: Double]

    public init(
        scenario: String, seed: UInt64, simulatedDuration: TimeSpan, relativeTolerance: Double = Baseline.defaultRelativeTolerance,
        exact: [String: JSONValue], toleranced: [String: Double]
    ) {
        self.scenario = scenario
        self.seed = seed
        self.simulatedDuration = simulatedDuration
        self.relativeTolerance = relativeTolerance
        self.exact = exact
        self.toleranced = toleranced
    }

    /// The tracked subset of `report`, split by ``rule``.
    public init(report: RunReport, relativeTolerance: Double = Baseline.defaultRelativeTolerance) {
        var exact: [String: JSONValue] = [
            "trace_digest": .string(report.traceDigest),
            "event_count": .unsigned(report.eventCount),
            "verdict": .string(report.verdict.rawValue),
            "problems": .array(report.problems.map { .string($0) }),
        ]
        var toleranced: [String: Double] = [:]
        for name in report.metricNames {
            switch report.metrics[name]! {
            case .integer(let value): exact["metrics." + name] = .integer(value)
            case .number(let value): toleranced["metrics." + name] = value
            }
        }
        self.init(
            scenario: report.scenario, seed: report.seed, simulatedDuration: report.simulatedDuration,
            relativeTolerance: relativeTolerance, exact: exact, toleranced: toleranced)
    }

    /// The baseline file's content: sorted keys, a final newline.
    public var jsonText: String {
        JSONValue.object([
            ("format_version", .integer(Int64(Self.formatVersion))),
            ("scenario", .string(scenario)),
            ("seed", .unsigned(seed)),
            ("simulated_duration_ns", .number(Double(simulatedDuration.picoseconds) / 1_000)),
            ("rule", .string(Self.rule)),
            ("relative_tolerance", .number(relativeTolerance)),
            ("exact", .object(exact.map { ($0.key, $0.value) })),
            ("toleranced", .object(toleranced.map { ($0.key, .number($0.value)) })),
        ]).rendered(pretty: true) + "\n"
    }

    /// Reads a baseline file back.
    ///
    /// - Throws: ``JSONReadError`` naming the key that is missing or wrong.
    public init(json data: Data) throws(JSONReadError) {
        let root = try JSONValue.parse(data)
        func require<T>(_ key: String, _ what: String, _ read: (JSONValue) -> T?) throws(JSONReadError) -> T {
            guard let member = root[key] else { throw JSONReadError("no \"\(key)\" key (is it a baseline?)") }
            guard let value = read(member) else { throw JSONReadError("\"\(key)\" is not \(what)") }
            return value
        }
        let nanoseconds = try require("simulated_duration_ns", "a duration in nanoseconds") { $0.doubleValue }
        guard nanoseconds > 0, nanoseconds < 9.2e15 else { throw JSONReadError("\"simulated_duration_ns\" is out of range") }
        let exactMembers = try require("exact", "an object") { $0.sortedMembers }
        var toleranced: [String: Double] = [:]
        for (key, value) in try require("toleranced", "an object", { $0.sortedMembers }) {
            guard let number = value.doubleValue else { throw JSONReadError("\"toleranced.\(key)\" is not a number") }
            toleranced[key] = number
        }
        self.init(
            scenario: try require("scenario", "a string") { $0.stringValue },
            seed: try require("seed", "a non-negative integer") { $0.unsignedValue },
            simulatedDuration: TimeSpan(picoseconds: Int64((nanoseconds * 1_000).rounded())),
            relativeTolerance: try require("relative_tolerance", "a number") { $0.doubleValue },
            exact: Dictionary(uniqueKeysWithValues: exactMembers), toleranced: toleranced)
    }
}

extension Baseline {
    /// Where the committed baseline of scenario `name` lives, relative to the package root.
    public static func path(scenario name: String, directory: String = "Reports/baselines") -> String {
        (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + "/" + name + ".json"
    }

    /// The command that (re)makes the baseline of scenario `name` deliberately.
    public static func updateCommand(scenario name: String) -> String {
        "swift run iofabric baseline \(name) --update"
    }
}
