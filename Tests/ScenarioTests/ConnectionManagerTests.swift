import Agents
import Foundation
import Reports
import Testing
import Timebase

@testable import Scenario

/// Several cluster connection managers per node (issue #6 point 5): each serves its clients on
/// its interconnects, in its order of preference, and fails over independently of the others.
@Suite("Cluster connection managers")
struct ConnectionManagerTests {
    /// The HA pair of ``HAClusterTests/pair(duration:interconnects:faults:)`` with two
    /// interconnects and two managers: manager 0 serves the failover monitor preferring ic0,
    /// manager 1 the NVRAM mirror preferring ic1.
    static func pair(duration: String, faults: String) throws -> ScenarioDefinition {
        let text = """
            {"name": "ha-managers", "duration": "\(duration)",
             "topology": {
              "fabrics": [{"name": "ib0", "kind": "infiniband", "switches": [{"name": "sw0", "ports": 8}]}],
              "systems": [
               {"name": "red", "nvram": "8MiB", "hcas": [{"fabric": "ib0", "switch": "sw0"}],
                "storageNodes": [{"name": "sn0", "controllers": [{"name": "hba0", "loops": ["shelf0.A", "shelf1.B"]}]}]},
               {"name": "blue", "nvram": "8MiB", "hcas": [{"fabric": "ib0", "switch": "sw0"}],
                "storageNodes": [{"name": "sn0", "controllers": [{"name": "hba0", "loops": ["shelf1.A", "shelf0.B"]}]}]}],
              "clusters": [{"name": "ha", "systems": ["red", "blue"], "interconnects": [{"name": "ic0"}, {"name": "ic1"}],
                            "connectionManagers": [{"interconnects": ["ic0", "ic1"], "clients": ["failoverMonitor"]},
                                                   {"interconnects": ["ic1", "ic0"], "clients": ["nvramMirror"]}]}],
              "shelves": [{"name": "shelf0", "disks": [{"model": "cheetah15K", "count": 2}]},
                          {"name": "shelf1", "disks": [{"model": "cheetah15K", "count": 2}]}],
              "clients": [{"name": "c0", "fabric": "ib0", "switch": "sw0"}, {"name": "c1", "fabric": "ib0", "switch": "sw0"}]},
             "workloads": [
              {"name": "c0w", "kind": "block", "client": "c0", "target": "red", "luns": [0, 1], "readPercent": 30, "blockSize": "8KiB", "queueDepth": 2, "workingSet": "1MiB"},
              {"name": "c1w", "kind": "block", "client": "c1", "target": "blue", "luns": [2, 3], "readPercent": 30, "blockSize": "8KiB", "queueDepth": 2, "workingSet": "1MiB"}],
             "faults": \(faults)}
            """
        return try ScenarioDefinition.parse(Data(text.utf8), file: "ha-managers.json")
    }

    static func metric(_ report: RunReport, _ key: String) -> Double { StorageTargetTests.metric(report, key) }

    /// What one run shows of each node's two managers.
    struct Observed {
        var serving: [[Int?]] = []  // per system, per manager: serving interconnect (index in its list)
        var mirrorInterconnect: [Int?] = []
        var switches: [[Int]] = []
        var heartbeats: [Int] = []
    }

    static func run(_ definition: ScenarioDefinition) throws -> (RunReport, Observed) {
        var observed = Observed()
        var inspection = ScenarioRunner.Inspection()
        inspection.afterRun = { _, assembly in
            for target in assembly.targets {
                let node = target.cluster!
                observed.serving.append(node.managers.map(\.servingInterconnect))
                observed.mirrorInterconnect.append(node.mirror.activeInterconnect)
                observed.switches.append(node.managers.map(\.statistics.interconnectSwitches))
                observed.heartbeats.append(node.monitor.statistics.interconnects.reduce(0) { $0 + $1.heartbeatsReceived })
            }
        }
        let report = try ScenarioRunner.run(definition, seed: nil, duration: nil, progress: nil, inspect: inspection).report
        return (report, observed)
    }

    @Test("Each node builds two managers on the shared adapters, each with its own predetermined endpoint; both connect")
    func bothConnect() throws {
        let (report, observed) = try Self.run(try Self.pair(duration: "300ms", faults: "[]"))
        // Both managers serve on their primary (index 0 of their own list: ic0 for the monitor's, ic1 for the mirror's).
        #expect(observed.serving == [[0, 0], [0, 0]], "\(observed.serving)")
        #expect(observed.mirrorInterconnect == [0, 0], "the mirror writes on its manager's primary, ic1")
        #expect(Self.metric(report, "takeovers") == 0)
        HAClusterTests.expectClean(report, "no fault")
    }

    /// Cut ic0 at 200 ms: the monitor's manager moves to ic1, the mirror's (on ic1) stays. Repair
    /// ic0 at 400 ms (the monitor's manager returns to its primary), cut ic1 at 600 ms: the
    /// mirror's manager moves to ic0, the monitor's stays. Never a takeover; writes go on.
    @Test("Cut ic0: only the monitor's manager switches; repair, cut ic1: only the mirror's switches; no takeover")
    func independentFailover() throws {
        let faults = #"""
            [{"action": "interconnectCut", "target": "ic0", "at": "200ms"},
             {"action": "interconnectRepair", "target": "ic0", "at": "400ms"},
             {"action": "interconnectCut", "target": "ic1", "at": "600ms"}]
            """#
        let (report, observed) = try Self.run(try Self.pair(duration: "900ms", faults: faults))
        // One switch each, per node: manager 0 at the ic0 cut, manager 1 at the ic1 cut.
        #expect(observed.switches == [[1, 1], [1, 1]], "\(observed.switches)")
        for system in ["red", "blue"] {
            #expect(Self.metric(report, "\(system).manager0.interconnectSwitches") == 1)
            #expect(Self.metric(report, "\(system).manager1.interconnectSwitches") == 1)
        }
        // At the end ic1 is cut: the monitor's manager on ic0 (its index 0), the mirror's on ic0 (its index 1).
        #expect(observed.serving == [[0, 1], [0, 1]], "\(observed.serving)")
        #expect(observed.mirrorInterconnect == [1, 1], "the mirror writes on ic0, its index 1")
        // Who moved when, from the timeline: manager 0 at 200 ms only, manager 1 at 600 ms only.
        let moves = report.timeline.filter { $0.text.contains("clients moved") }
        let at200 = moves.filter { $0.time == Instant.zero + .milliseconds(200) || ($0.time > Instant.zero + .milliseconds(200) && $0.time < Instant.zero + .milliseconds(400)) }
        let at600 = moves.filter { $0.time >= Instant.zero + .milliseconds(600) }
        #expect(at200.count == 2 && at200.allSatisfy { $0.text.hasPrefix("connection manager 0: clients moved from ic0 to ic1") }, "\(moves.map(\.text))")
        #expect(at600.count == 2 && at600.allSatisfy { $0.text.hasPrefix("connection manager 1: clients moved from ic1 to ic0") }, "\(moves.map(\.text))")
        // The switch is the port-down event at the cut: the adapters raise it when the cable goes
        // down (HCAPort.networkPortChanged, deferred by zero time) and the manager fails the
        // interconnect at once, its clients moving to the other one up: switch time = 0, not
        // the keep-alive (1 ms) nor the RC timeout (~17 ms) nor the heartbeat timeout (200 ms).
        for system in ["red", "blue"] {
            for manager in 0..<2 {
                let time = Self.metric(report, "\(system).manager\(manager).interconnectSwitchTime")
                #expect(time == 0, "\(system) manager \(manager): \(time) s")
            }
        }
        #expect(Self.metric(report, "takeovers") == 0)
        #expect(Self.metric(report, "fencedOut") == 0)
        // Heartbeats every 50 ms for the whole 900 ms on some interconnect of the monitor's manager.
        #expect(observed.heartbeats.allSatisfy { $0 >= 900 / 50 - 2 }, "\(observed.heartbeats)")
        #expect(Self.metric(report, "c0w.writes") > 200 && Self.metric(report, "c1w.writes") > 200)
        HAClusterTests.expectClean(report, "two managers")
    }
}
