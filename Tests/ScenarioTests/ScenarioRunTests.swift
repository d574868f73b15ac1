import Foundation
import Reports
import Testing
import Timebase

@testable import Scenario

@Suite("Scenario runs")
struct ScenarioRunTests {
    /// A one-node, one-shelf scenario around `workload`, `faults` and `extra` top-level members.
    static func scenario(
        disks: String = #"[{"model": "atlas10K", "count": 2}]"#, duration: String = "1s", workload: String, faults: String = "[]"
    ) throws -> ScenarioDefinition {
        let text = """
            {"name": "t", "duration": "\(duration)", "seed": 7,
             "topology": {"nodes": [{"name": "red", "controllers": [{"name": "hba0", "loops": ["shelf0.A"]}]}],
                          "shelves": [{"name": "shelf0", "disks": \(disks)}]},
             "workloads": [\(workload)], "faults": \(faults), "expectations": ["errors >= 0"]}
            """
        return try ScenarioDefinition.parse(Data(text.utf8), file: "inline.json")
    }

    @Test("The bundled quickstart runs and meets its expectations")
    func quickstartPasses() throws {
        let definition = try ScenarioDefinition.load(path: packageRoot.appendingPathComponent("Scenarios/quickstart.json").path)
        let outcome = try ScenarioRunner.run(definition)
        let failed = outcome.report.expectations.filter { !$0.passed }
        #expect(failed.isEmpty, "\(failed)")
        #expect(outcome.report.problems.isEmpty)
        #expect(outcome.report.verdict == .pass)
        #expect(outcome.trace.eventCount > 0)
    }

    @Test("Same scenario and seed: byte-identical report.json; another seed: another digest")
    func deterministic() throws {
        let definition = try Self.scenario(workload: #"{"name": "w", "kind": "disk", "node": "red", "readPercent": 50, "queueDepth": 4}"#)
        let first = try ScenarioRunner.run(definition, duration: .milliseconds(300))
        let second = try ScenarioRunner.run(definition, duration: .milliseconds(300))
        let other = try ScenarioRunner.run(definition, seed: 8, duration: .milliseconds(300))
        #expect(first.report.jsonText == second.report.jsonText)
        #expect(first.trace.rendered() == second.trace.rendered())
        #expect(first.report.traceDigest != other.report.traceDigest)
    }

    @Test("QD1 random reads on one Atlas 10K: the run's IOPS is the disk's (within 10 % of 1/(seek + half rotation + transfer + overheads))")
    func singleDiskIOPS() throws {
        let definition = try Self.scenario(
            disks: #"[{"model": "atlas10K"}]"#, duration: "4s",
            workload: #"{"name": "w", "kind": "disk", "node": "red", "queueDepth": 1, "verify": false}"#)
        let outcome = try ScenarioRunner.run(definition)
        let iops = try #require(outcome.report.metrics["readIOPS"]).doubleValue
        // The disk model's own figure (DiskThroughputTests checks the drive alone within 5 %);
        // the path adds the HBA's firmware, the loop and PCI per command, well under 10 %.
        let model = SimulatedTopology.model(named: "atlas10K")
        let service = model.averageRandomSeek.seconds + model.rotationPeriod.seconds / 2 + 0.0005
        #expect(abs(iops - 1 / service) / (1 / service) < 0.10, "measured \(iops), formula \(1 / service)")
    }

    @Test("A disk that dies mid-run: its I/Os time out, the other disk's go on")
    func diskFailure() throws {
        let definition = try Self.scenario(
            duration: "2s",
            workload: #"{"name": "w", "kind": "disk", "node": "red", "queueDepth": 2, "timeout": "200ms"}"#,
            faults: #"[{"at": "500ms", "action": "diskFail", "target": "shelf0.bay1"}]"#)
        let outcome = try ScenarioRunner.run(definition)
        #expect((outcome.report.metrics["w.timeouts"]?.doubleValue ?? 0) > 0)
        #expect((outcome.report.metrics["w.reads"]?.doubleValue ?? 0) > 100)
        #expect(outcome.report.timeline.map(\.text) == ["diskFail shelf0.bay1"])
        #expect(outcome.report.metrics["lostAcknowledgedWrites"] == .integer(0))
    }

    @Test("The oracle catches lost writes: power loss with the write cache on loses acknowledged writes; with it off, none")
    func powerLossLosesCachedWrites() throws {
        for writeCache in [true, false] {
            let definition = try Self.scenario(
                disks: #"[{"model": "atlas10K", "writeCache": \#(writeCache)}]"#, duration: "24s",
                workload: #"{"name": "w", "kind": "disk", "node": "red", "readPercent": 50, "queueDepth": 4, "workingSet": "64KiB", "timeout": "1s"}"#,
                faults: #"[{"at": "400ms", "action": "diskPowerLoss", "target": "shelf0.bay0", "for": "100ms"}]"#)
            let outcome = try ScenarioRunner.run(definition)
            let lost = outcome.report.metrics["lostAcknowledgedWrites"]?.doubleValue ?? -1
            if writeCache {
                #expect(lost > 0, "acknowledged writes held only in the write cache must be lost")
            } else {
                #expect(lost == 0)
            }
            #expect(outcome.report.metrics["integrityViolations"] == .integer(0))
            #expect((outcome.report.metrics["w.reads"]?.doubleValue ?? 0) > 100, "the disk answers again after spin-up")
        }
    }
}
