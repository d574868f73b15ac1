import Foundation
import Reports
import Testing
import Timebase

@Suite("Baseline comparison")
struct BaselineComparisonTests {
    static func baseline(_ edit: (inout RunReport) -> Void = { _ in }) -> Baseline {
        var report = ExampleRun.make().report
        edit(&report)
        return Baseline(report: report)
    }

    @Test("The rule: integer metrics, digest, event count, verdict and problems are exact; fractional metrics toleranced")
    func split() {
        let baseline = Self.baseline()
        #expect(baseline.exact["trace_digest"] == .string("0123456789abcdef"))
        #expect(baseline.exact["event_count"] == .unsigned(123_456))
        #expect(baseline.exact["metrics.read_ops"] != nil && baseline.exact["metrics.bytes_moved"] != nil)
        #expect(baseline.toleranced == ["metrics.takeover_time_ms": 20])
        #expect(baseline.relativeTolerance == Baseline.defaultRelativeTolerance)
        #expect(baseline.jsonText.contains(Baseline.rule))
    }

    @Test("A baseline file reads back equal, and an identical run has no difference")
    func roundTrip() throws {
        let baseline = Self.baseline()
        let read = try Baseline(json: Data(baseline.jsonText.utf8))
        #expect(read.differences(baseline).isEmpty)
        #expect(read.jsonText == baseline.jsonText)
        #expect(read.simulatedDuration == ExampleRun.duration)
    }

    @Test("A figure within the tolerance passes; beyond it (|now − base| > 2 % × |base|) is a difference")
    func tolerance() throws {
        let base = Self.baseline()
        // 20 × 1.019 is inside 2 %; 20 × 1.021 is outside.
        let inside = Self.baseline { $0.metrics["takeover_time_ms"] = .number(20 * (1 + Baseline.defaultRelativeTolerance * 0.95)) }
        let outside = Self.baseline { $0.metrics["takeover_time_ms"] = .number(20 * (1 + Baseline.defaultRelativeTolerance * 1.05)) }
        #expect(base.differences(inside).isEmpty)
        let differences = base.differences(outside)
        #expect(differences.map(\.key) == ["metrics.takeover_time_ms"])
        #expect(differences.first?.tolerance.hasPrefix("±2.0 %") == true)
        #expect(Baseline.within(0, of: 0, relative: 0.02) && !Baseline.within(1e-12, of: 0, relative: 0.02))
    }

    @Test("A changed count, digest or a new or missing metric is a difference, shown as key, baseline, now, tolerance")
    func exactDifferences() {
        let base = Self.baseline()
        let now = Self.baseline {
            $0.traceDigest = "fedcba9876543210"
            $0.metrics["read_ops"] = .integer(1)
            $0.metrics["write_ops"] = nil
            $0.metrics["takeovers"] = .integer(1)
        }
        let differences = base.differences(now)
        #expect(differences.map(\.key) == ["metrics.read_ops", "metrics.takeovers", "metrics.write_ops", "trace_digest"])
        #expect(differences.allSatisfy { $0.tolerance == "exact" })
        #expect(differences[1].baseline == "(absent)" && differences[1].now == "1")
        let table = BaselineDifference.table(differences)
        #expect(table.contains("key") && table.contains("baseline") && table.contains("\"fedcba9876543210\""))
    }

    @Test("report.json reads back as the run it records (scenario file, seed, duration, digest)")
    func recordedRun() throws {
        var report = ExampleRun.make(seed: 7).report
        report.scenarioFile = "Scenarios/example.json"
        let recorded = try RecordedRun(json: Data(report.jsonText.utf8))
        #expect(recorded == RecordedRun(report: report))
        #expect(throws: JSONReadError.self) { try RecordedRun(json: Data(#"{"scenario": "x"}"#.utf8)) }
        #expect(throws: JSONReadError.self) { try RecordedRun(json: Data("not json".utf8)) }
    }
}
