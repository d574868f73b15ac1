import Foundation
import Reports
import Testing
import Timebase

@Suite("Report writers")
struct ReportWriterTests {
    @Test("report.json is byte-identical for the same seed, differs for another, has no wall clock")
    func jsonDeterministic() throws {
        let first = ExampleRun.make(seed: 42).report.jsonText
        #expect(first == ExampleRun.make(seed: 42).report.jsonText)
        #expect(first != ExampleRun.make(seed: 43).report.jsonText)
        #expect(first.hasSuffix("}\n"))
        #expect(!first.contains("wall") && !first.contains("events_per_second"))
        let parsed = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
        #expect(parsed?["verdict"] as? String == "pass")
        #expect(parsed?["trace_digest"] as? String == "0123456789abcdef")
    }

    @Test("verdict fails when an expectation fails or a problem is reported")
    func verdict() {
        var report = ExampleRun.make().report
        #expect(report.verdict == .pass)
        report.problems = ["checker: write lost"]
        #expect(report.verdict == .fail)
        report.problems = []
        report.expectations.append(ExpectationResult(text: "x", passed: false))
        #expect(report.verdict == .fail)
        #expect(MarkdownReport.render(report).hasPrefix("# example-failover: FAIL"))
    }

    @Test("Markdown: expectations, metrics, percentile, utilisation and timeline tables; text escaped")
    func markdown() {
        let report = ExampleRun.make().report
        let text = MarkdownReport.render(report)
        let read = report.latencies["read"]!
        #expect(text.contains("| Operation | Count | Mean | p50 | p90 | p99 | p99.9 | Max |"))
        #expect(text.contains("| read | \(Format.grouped(read.count)) | \(read.mean) | \(read.percentile(50))"))
        for heading in ["## Expectations", "## Metrics", "## Utilisation", "## Timeline"] { #expect(text.contains(heading)) }
        #expect(!text.contains("<script>"))
        #expect(text.contains("wall time"))
    }

    @Test("HTML: self-contained (no http/https, no external src/href), inline SVG charts, text escaped")
    func html() {
        let html = HTMLReport.render(ExampleRun.make().report)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains(" src=") && !html.contains(" href="))
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;"))
        // Two time charts (throughput, latency), the CDF, utilisation bars, the timeline.
        #expect(html.components(separatedBy: "<svg").count - 1 == 5)
        #expect(html.contains("<polyline"))
        #expect(html.contains("read p99"))
    }

    @Test("ReportDirectory writes the five files")
    func directory() throws {
        let (report, trace) = ExampleRun.make()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("iofabric-reports-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = try ReportDirectory.write(report: report, trace: trace, captures: [("fabric0", SamplePackets.capture(.ethernet))], to: directory)
        #expect(written.map(\.lastPathComponent) == ["report.json", "report.md", "report.html", "trace.json", "capture.pcap"])
        #expect(try String(contentsOf: directory.appendingPathComponent("report.json"), encoding: .utf8) == report.jsonText)
    }
}
