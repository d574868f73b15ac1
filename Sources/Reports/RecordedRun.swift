import Foundation
import Timebase

/// What a `report.json` records about the run that wrote it: enough to run it again and
/// check that the rerun is the same run (`iofabric replay`).
public struct RecordedRun: Sendable, Equatable {
    public var scenario: String
    /// The scenario file as named when the report was written (nil in reports written before
    /// the key existed).
    public var scenarioFile: String?
    public var seed: UInt64
    public var simulatedDuration: TimeSpan
    public var eventCount: UInt64
    public var traceDigest: String

    public init(scenario: String, scenarioFile: String?, seed: UInt64, simulatedDuration: TimeSpan, eventCount: UInt64, traceDigest: String) {
        self.scenario = scenario
        self.scenarioFile = scenarioFile
        self.seed = seed
        self.simulatedDuration = simulatedDuration
        self.eventCount = eventCount
        self.traceDigest = traceDigest
    }

    /// What `report` records.
    public init(report: RunReport) {
        self.init(
            scenario: report.scenario, scenarioFile: report.scenarioFile, seed: report.seed,
            simulatedDuration: report.simulatedDuration, eventCount: report.eventCount, traceDigest: report.traceDigest)
    }

    /// Reads the keys ``RunReport/jsonValue`` writes back from `report.json` content.
    ///
    /// - Throws: ``JSONReadError`` naming the key that is missing or of the wrong type.
    public init(json data: Data) throws(JSONReadError) {
        let root = try JSONValue.parse(data)
        guard root.sortedMembers != nil else { throw JSONReadError("expected a report object at the top level") }
        func require<T>(_ key: String, _ what: String, _ read: (JSONValue) -> T?) throws(JSONReadError) -> T {
            guard let member = root[key] else { throw JSONReadError("no \"\(key)\" key (is it a report.json?)") }
            guard let value = read(member) else { throw JSONReadError("\"\(key)\" is not \(what): \(member.rendered())") }
            return value
        }
        let nanoseconds = try require("simulated_duration_ns", "a duration in nanoseconds") { $0.doubleValue }
        guard nanoseconds > 0, nanoseconds < 9.2e15 else {
            throw JSONReadError("\"simulated_duration_ns\" is out of range: \(nanoseconds)")
        }
        self.init(
            scenario: try require("scenario", "a string") { $0.stringValue },
            scenarioFile: root["scenario_file"]?.stringValue,
            seed: try require("seed", "a non-negative integer") { $0.unsignedValue },
            simulatedDuration: TimeSpan(picoseconds: Int64((nanoseconds * 1_000).rounded())),
            eventCount: try require("event_count", "a non-negative integer") { $0.unsignedValue },
            traceDigest: try require("trace_digest", "a string") { $0.stringValue })
    }
}
