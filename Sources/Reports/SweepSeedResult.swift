import Foundation

/// The outcome of one seed of a sweep: what its child process reported, or why it reported
/// nothing (a crash, a signal, an unexpected exit).
public struct SweepSeedResult: Sendable, Equatable {
    public var seed: UInt64
    /// `pass` or `fail` (a crash or an unreadable result is `fail`).
    public var verdict: RunReport.Verdict
    /// Nil when the child died before reporting.
    public var traceDigest: String?
    public var eventCount: UInt64?
    /// The texts of the expectations that did not hold.
    public var failedExpectations: [String]
    public var problems: [String]
    /// The child's exit status; nil when a signal ended it.
    public var exitCode: Int32?
    /// Why the seed failed without a verdict of its own (`killed by signal 6`, …); nil otherwise.
    public var reason: String?

    public init(
        seed: UInt64, verdict: RunReport.Verdict, traceDigest: String? = nil, eventCount: UInt64? = nil,
        failedExpectations: [String] = [], problems: [String] = [], exitCode: Int32? = nil, reason: String? = nil
    ) {
        self.seed = seed
        self.verdict = verdict
        self.traceDigest = traceDigest
        self.eventCount = eventCount
        self.failedExpectations = failedExpectations
        self.problems = problems
        self.exitCode = exitCode
        self.reason = reason
    }

    /// What a worker reports for a finished run of `report` (before its exit status is known).
    public init(report: RunReport) {
        self.init(
            seed: report.seed, verdict: report.verdict, traceDigest: report.traceDigest, eventCount: report.eventCount,
            failedExpectations: report.expectations.filter { !$0.passed }.map { "\($0.text) (measured \($0.measured))" },
            problems: report.problems)
    }

    public var jsonValue: JSONValue {
        .object([
            ("seed", .unsigned(seed)),
            ("verdict", .string(verdict.rawValue)),
            ("trace_digest", traceDigest.map { .string($0) } ?? .null),
            ("event_count", eventCount.map { .unsigned($0) } ?? .null),
            ("failed_expectations", .array(failedExpectations.map { .string($0) })),
            ("problems", .array(problems.map { .string($0) })),
            ("exit_code", exitCode.map { .integer(Int64($0)) } ?? .null),
            ("reason", reason.map { .string($0) } ?? .null),
        ])
    }

    /// Reads back what ``jsonValue`` wrote (one line of a worker's output).
    public init(json data: Data) throws(JSONReadError) {
        let root = try JSONValue.parse(data)
        guard let seed = root["seed"]?.unsignedValue, let verdictText = root["verdict"]?.stringValue,
            let verdict = RunReport.Verdict(rawValue: verdictText)
        else { throw JSONReadError("not a seed result: \(root.rendered())") }
        func strings(_ key: String) -> [String] { root[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        self.init(
            seed: seed, verdict: verdict, traceDigest: root["trace_digest"]?.stringValue, eventCount: root["event_count"]?.unsignedValue,
            failedExpectations: strings("failed_expectations"), problems: strings("problems"),
            exitCode: (root["exit_code"]?.doubleValue).map { Int32($0) }, reason: root["reason"]?.stringValue)
    }
}
