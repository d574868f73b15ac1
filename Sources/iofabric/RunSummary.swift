import Reports

/// The one-screen summary `iofabric run` prints.
enum RunSummary {
    static func render(_ report: RunReport, files: [String], replay: String) -> String {
        var lines: [String] = []
        lines.append("\(report.scenario): \(report.verdict == .pass ? "PASS" : "FAIL")  (seed \(report.seed), \(Format.fixed(report.simulatedDuration.seconds, 3)) s simulated, digest \(report.traceDigest))")
        var expectations = TextTable(header: ["", "expectation", "measured"])
        for expectation in report.expectations {
            expectations.append([expectation.passed ? "ok" : "FAILED", expectation.text, expectation.measured])
        }
        if !report.expectations.isEmpty { lines.append(expectations.rendered()) }
        for problem in report.problems { lines.append("problem: " + problem) }
        var metrics = TextTable(header: ["metric", "value"])
        for name in ["iops", "readIOPS", "writeIOPS", "readMBps", "writeMBps", "p50ReadLatency", "p99ReadLatency", "p99WriteLatency", "errors", "timeouts"] {
            guard report.metrics[name] != nil else { continue }
            metrics.append([name, report.formattedMetric(name)])
        }
        lines.append(metrics.rendered())
        let busiest = report.utilisations.sorted { ($0.utilisation, $1.name) > ($1.utilisation, $0.name) }.prefix(4)
        if !busiest.isEmpty {
            lines.append("busiest: " + busiest.map { "\($0.name) \(Format.fixed($0.utilisation * 100, 1))%" }.joined(separator: ", "))
        }
        if let wall = report.wallClock {
            lines.append("wall clock: \(Format.fixed(wall.seconds, 2)) s, \(Format.si(wall.eventsPerSecond)) events/s, \(Format.fixed(report.simulatedDuration.seconds / max(wall.seconds, 1e-9), 2)) simulated s per s")
        }
        lines.append("report: " + files.joined(separator: ", "))
        lines.append("replay: " + replay)
        return lines.joined(separator: "\n")
    }
}
