import Timebase

/// `report.md`: a one-screen summary of a run for a terminal or a forge: verdict,
/// expectations, key metrics, latency percentiles, utilisation, timeline.
public enum MarkdownReport {
    /// Timeline entries shown before the rest is summarised as "… and N more" (assumption:
    /// 40 lines keep the summary about one screen; report.json and the HTML have them all).
    public static let timelineLimit = 40

    public static func render(_ report: RunReport) -> String {
        var out = "# \(inline(report.scenario)): \(report.verdict == .pass ? "PASS" : "FAIL")\n\n"
        if !report.description.isEmpty { out += inline(report.description) + "\n\n" }
        out += "Seed \(report.seed), \(inline(report.backend)) backend, \(report.simulatedDuration) simulated, "
            + "\(Format.grouped(report.eventCount)) events, trace digest `\(report.traceDigest)`.\n\n"

        if !report.expectations.isEmpty {
            out += "## Expectations\n\n"
            out += table(["", "Expectation", "Measured"], align: "llr", report.expectations.map {
                [$0.passed ? "✅ pass" : "❌ FAIL", $0.text, $0.measured]
            })
        }
        if !report.problems.isEmpty {
            out += "## Problems\n\n" + report.problems.map { "- " + inline($0) + "\n" }.joined() + "\n"
        }
        if !report.metrics.isEmpty {
            out += "## Metrics\n\n"
            out += table(["Metric", "Value"], align: "lr", report.metricNames.map { [$0, report.formattedMetric($0)] })
        }
        if !report.latencies.isEmpty {
            out += "## Latency\n\n"
            let labels = LatencyHistogram.reportedPercentiles.filter { $0.percentile <= 99.9 }
            out += table(["Operation", "Count", "Mean"] + labels.map(\.label) + ["Max"], align: "l", report.latencyNames.map { name in
                let histogram = report.latencies[name]!
                return [name, Format.grouped(histogram.count), histogram.mean.description]
                    + labels.map { histogram.percentile($0.percentile).description } + [histogram.max.description]
            })
            out += "Percentiles are HdrHistogram bucket upper bounds (2 significant digits, < 1 % above the true value).\n\n"
        }
        if !report.utilisations.isEmpty {
            out += "## Utilisation\n\n"
            out += table(["Component", "Kind", "Busy", "Bytes"], align: "llrr", report.utilisations.map {
                [$0.name, $0.kind.rawValue, Format.fixed($0.utilisation * 100, 1) + " %", Format.grouped($0.bytes)]
            })
        }
        let timeline = report.sortedTimeline
        if !timeline.isEmpty {
            out += "## Timeline\n\n"
            out += table(["Time", "Component", "Kind", "Event"], align: "rlll", timeline.prefix(timelineLimit).map {
                [TimeSpan(picoseconds: $0.time.picoseconds).description, $0.component, $0.kind.rawValue, $0.text]
            })
            if timeline.count > timelineLimit { out += "… and \(timeline.count - timelineLimit) more in report.json.\n\n" }
        }
        if let wall = report.wallClock {
            out += "## This run's process (wall clock, not in report.json)\n\n"
            out += "\(Format.fixed(wall.seconds, 3)) s wall time, \(Format.si(wall.eventsPerSecond)) events/s.\n"
        }
        return out
    }

    /// A GitHub-flavoured Markdown table with escaped cells. `align` has one letter per
    /// column, `l` (text) or `r` (figures); columns past its end are right-aligned.
    static func table(_ header: [String], align: String, _ rows: [[String]]) -> String {
        let letters = Array(align)
        var out = "| " + header.map(cell).joined(separator: " | ") + " |\n"
        out += "|" + header.indices.map { $0 < letters.count && letters[$0] == "l" ? " :--- |" : " ---: |" }.joined() + "\n"
        for row in rows { out += "| " + row.map(cell).joined(separator: " | ") + " |\n" }
        return out + "\n"
    }

    /// Text for a table cell: pipes escaped, line breaks flattened, Markdown/HTML specials escaped.
    static func cell(_ text: String) -> String {
        inline(text).replacingAll("|", with: "\\|")
    }

    /// User text on one line, with the characters that would start markup escaped.
    static func inline(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\n", "\r", "\t": out += " "
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "*", "_", "`", "[", "]", "\\": out += "\\" + String(character)
            default: out.append(character)
            }
        }
        return out
    }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation in this module's writers).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}
