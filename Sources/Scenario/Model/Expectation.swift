import Timebase

/// What a metric measures, which decides how an expectation writes its value.
public enum MetricUnit: String, Sendable {
    case count
    case perSecond = "per second"
    case megabytesPerSecond = "MB/s"
    case gigabitsPerSecond = "Gb/s"
    /// Written as a duration (`"30ms"`), measured in seconds.
    case duration
    case ratio
}

/// A figure a run reports and an expectation may test.
public struct MetricDefinition: Sendable {
    public var name: String
    public var unit: MetricUnit
    public var documentation: String
}

/// The metrics every run reports, for the whole run and per workload (`"<workload>.<metric>"`).
public enum MetricCatalog {
    public static let all: [MetricDefinition] = {
        var metrics: [MetricDefinition] = [
            .init(name: "reads", unit: .count, documentation: "Reads completed successfully."),
            .init(name: "writes", unit: .count, documentation: "Writes completed successfully."),
            .init(name: "errors", unit: .count, documentation: "I/Os that completed with an error status."),
            .init(name: "timeouts", unit: .count, documentation: "I/Os that timed out."),
            .init(name: "readIOPS", unit: .perSecond, documentation: "Successful reads per second of the load's active time."),
            .init(name: "writeIOPS", unit: .perSecond, documentation: "Successful writes per second."),
            .init(name: "iops", unit: .perSecond, documentation: "Successful reads and writes per second."),
            .init(name: "readMBps", unit: .megabytesPerSecond, documentation: "Bytes read per second / 10^6."),
            .init(name: "writeMBps", unit: .megabytesPerSecond, documentation: "Bytes written per second / 10^6."),
            .init(name: "lostAcknowledgedWrites", unit: .count,
                  documentation: "Acknowledged writes whose data a later read did not return (the integrity oracle)."),
            .init(name: "integrityViolations", unit: .count,
                  documentation: "Reads that returned data no write put there (neither acknowledged nor in flight)."),
            .init(name: "rdmaGbps", unit: .gigabitsPerSecond, documentation: "RDMA payload moved, Gb/s."),
            .init(name: "rdmaMessages", unit: .count, documentation: "RDMA messages completed."),
            .init(name: "luns", unit: .count, documentation: "LUNs the storage systems discovered and advertise."),
            .init(name: "connections", unit: .count, documentation: "Client connections the storage systems accepted."),
            .init(name: "rejectedRequests", unit: .count,
                  documentation: "Client requests the CTA refused before execution (unknown connection, LUN not granted, buffer not owned, bad range, over the limit)."),
            .init(name: "duplicateRequests", unit: .count,
                  documentation: "Requests an RTA received again and did not execute twice (its transaction store)."),
            .init(name: "malformedMessages", unit: .count, documentation: "Messages on the fabric or the bus that did not decode (counted, dropped)."),
            .init(name: "busRetransmissions", unit: .count,
                  documentation: "CTA⇄RTA messages the residual message stores sent again after a bus error or timeout."),
            .init(name: "livenessIOs", unit: .count,
                  documentation: "I/Os completed successfully in the liveness phase (after every fault was healed)."),
            .init(name: "livenessStalls", unit: .count,
                  documentation: "Workloads that completed no I/O in the liveness phase; must be 0 (each is also a problem)."),
            .init(name: "takeovers", unit: .count, documentation: "Takeovers completed: a partner fenced, its log replayed, its LUNs serving."),
            .init(name: "givebacks", unit: .count, documentation: "Givebacks completed: a returned partner serving its own LUNs again."),
            .init(name: "fencedOut", unit: .count,
                  documentation: "Systems that lost a fence race (split brain) and stopped serving."),
            .init(name: "failoverTime", unit: .duration,
                  documentation: "The longest time from a partner's failure (crash, or the partition) to its LUNs serving again on the survivor."),
            .init(name: "dualOwnership", unit: .count,
                  documentation: "Disk writes by a system to a shelf another system had taken over (the no-dual-ownership checker); must be 0."),
            .init(name: "slamConnectTime", unit: .duration,
                  documentation: "The longest time from a cluster connection manager's start to Connected."),
            .init(name: "interconnectSwitchTime", unit: .duration,
                  documentation: "The longest time from an interconnect's cut until cluster traffic flowed only on another, without a takeover."),
        ]
        for kind in ["Read", "Write"] {
            for (prefix, text) in [("mean", "mean"), ("p50", "median"), ("p90", "90th percentile"),
                                   ("p99", "99th percentile"), ("p999", "99.9th percentile"), ("max", "largest")] {
                metrics.append(.init(name: "\(prefix)\(kind)Latency", unit: .duration,
                                     documentation: "The \(text) \(kind.lowercased()) latency, submit to completion."))
            }
        }
        return metrics
    }()

    public static func metric(named name: String) -> MetricDefinition? { all.first { $0.name == name } }
}

/// One thing a run must show: `"readIOPS >= 400"`, `"web.p99ReadLatency <= 30ms"`.
public struct Expectation: Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable, CaseIterable {
        case atLeast = ">=", atMost = "<=", equal = "==", notEqual = "!=", greater = ">", less = "<"

        public func holds(_ measured: Double, _ bound: Double) -> Bool {
            switch self {
            case .atLeast: measured >= bound
            case .atMost: measured <= bound
            case .equal: measured == bound
            case .notEqual: measured != bound
            case .greater: measured > bound
            case .less: measured < bound
            }
        }
    }

    /// The text as written.
    public var text: String
    /// The workload it is scoped to, or nil for the whole run.
    public var workload: String?
    public var metric: String
    public var comparison: Comparison
    /// The bound, in the metric's unit (seconds for durations).
    public var bound: Double

    public var description: String { text }

    /// The metric's key in the run's metrics: `"readIOPS"` or `"web.readIOPS"`.
    public var key: String { workload.map { "\($0).\(metric)" } ?? metric }

    /// Parses `text`; on failure, the message and a suggestion for the metric name.
    static func parse(_ text: String, workloads: [String]) -> Result<Expectation, ExpectationError> {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard words.count >= 3, let comparison = Comparison(rawValue: words[1]) else {
            return .failure(.init(message: "expected \"<metric> <op> <value>\" with <op> one of "
                + Comparison.allCases.map(\.rawValue).joined(separator: " ") + "; found \"\(text)\""))
        }
        var name = words[0]
        var workload: String?
        if let dot = name.firstIndex(of: ".") {
            let scope = String(name[..<dot])
            guard workloads.contains(scope) else {
                return .failure(.init(message: "no workload \"\(scope)\" to scope \"\(name)\" to",
                                      suggestion: didYouMean(scope, among: workloads)))
            }
            workload = scope
            name = String(name[name.index(after: dot)...])
        }
        guard let metric = MetricCatalog.metric(named: name) else {
            return .failure(.init(message: "unknown metric \"\(name)\"", suggestion: didYouMean(name, among: MetricCatalog.all.map(\.name))))
        }
        let valueText = words[2...].joined(separator: " ")
        let bound: Double
        if metric.unit == .duration {
            guard let span = Quantity.duration(valueText) else {
                return .failure(.init(message: "expected a duration such as \"30ms\" after \(comparison.rawValue) for \(name); found \"\(valueText)\""))
            }
            bound = span.seconds
        } else {
            guard let number = Double(valueText), number.isFinite else {
                return .failure(.init(message: "expected a number after \(comparison.rawValue) for \(name) (\(metric.unit.rawValue)); found \"\(valueText)\""))
            }
            bound = number
        }
        return .success(Expectation(text: text, workload: workload, metric: name, comparison: comparison, bound: bound))
    }
}

struct ExpectationError: Error {
    var message: String
    var suggestion: String?
}
