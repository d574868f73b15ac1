import Foundation
import Reports
import Testing
import Timebase

@testable import Scenario

/// TigerBeetle's split: a safety phase with faults, then a liveness phase with every fault
/// healed in which every workload must make progress.
@Suite("Liveness phase")
struct LivenessPhaseTests {
    static func scenario(faults: String) throws -> ScenarioDefinition {
        let text = """
            {"name": "t", "duration": "300ms", "liveness": "200ms", "seed": 3,
             "topology": {"nodes": [{"name": "red", "controllers": [{"name": "hba0", "loops": ["shelf0.A"]}]}],
                          "shelves": [{"name": "shelf0", "disks": [{"model": "atlas10K"}]}]},
             "workloads": [{"name": "w", "kind": "disk", "node": "red", "readPercent": 50, "queueDepth": 2, "timeout": "50ms"}],
             "faults": \(faults), "expectations": ["lostAcknowledgedWrites == 0"]}
            """
        return try ScenarioDefinition.parse(Data(text.utf8), file: "inline.json")
    }

    @Test("A loop that failed for good in the safety phase is repaired at the liveness phase: the load completes I/O again")
    func healed() throws {
        let outcome = try ScenarioRunner.run(try Self.scenario(faults: #"[{"action": "loopFail", "target": "shelf0.A", "at": "100ms"}]"#))
        let report = outcome.report
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.metrics["livenessStalls"] == .integer(0))
        #expect((report.metrics["w.livenessIOs"]?.doubleValue ?? 0) > 10)
        // The schedule shows the heal at the phase boundary, 300 ms.
        #expect(report.timeline.contains { $0.kind == .fault && $0.text.hasPrefix("loopRepair") && $0.time == .zero + .milliseconds(300) })
    }

    @Test("A fault with a `for` ending inside the safety phase is not repaired twice")
    func repairedOnce() throws {
        let report = try ScenarioRunner.run(try Self.scenario(
            faults: #"[{"action": "loopFail", "target": "shelf0.A", "at": "100ms", "for": "50ms"}]"#)).report
        #expect(report.timeline.filter { $0.text.hasPrefix("loopRepair") }.count == 1)
        #expect(report.metrics["livenessStalls"] == .integer(0))
    }

    @Test("A disk that died has no repair: the liveness phase sees no progress and says so")
    func stalled() throws {
        let report = try ScenarioRunner.run(try Self.scenario(faults: #"[{"action": "diskFail", "target": "shelf0.bay0", "at": "100ms"}]"#)).report
        #expect(report.metrics["livenessStalls"] == .integer(1))
        #expect(report.problems.contains { $0.contains("no I/O completed in the liveness phase") })
        #expect(report.verdict == .fail)
    }
}
