import Foundation
import Reports
@testable import Scenario
import Testing
import Timebase

/// The real-mode cluster file (`cluster` instead of `target`), its precise errors, the slam
/// endpoint bootstrap files, the file-backed NVRAM and the cluster's simulated twin: what the
/// host can check without an RDMA device.
@Suite("Real cluster topology")
struct RealClusterTopologyTests {
    static let bundled = packageRoot.appendingPathComponent("Scenarios/real/cluster.json").path

    /// A valid cluster file with `change` applied to its JSON object.
    static func file(_ change: (inout [String: Any]) -> Void = { _ in }) throws -> Data {
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bundled))) as! [String: Any]
        change(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    static func issues(_ change: (inout [String: Any]) -> Void) throws -> [String] {
        do {
            _ = try RealTopology.parse(try file(change), file: "c.json")
            return []
        } catch let error as ScenarioErrors {
            return error.issues.map(\.description)
        }
    }

    static func cluster(_ object: inout [String: Any], _ change: (inout [String: Any]) -> Void) {
        var cluster = object["cluster"] as! [String: Any]
        change(&cluster)
        object["cluster"] = cluster
    }

    static func system(_ object: inout [String: Any], _ index: Int, _ change: (inout [String: Any]) -> Void) {
        cluster(&object) { cluster in
            var systems = cluster["systems"] as! [[String: Any]]
            change(&systems[index])
            cluster["systems"] = systems
        }
    }

    @Test("the bundled Scenarios/real/cluster.json: Red and Blue on the four LIO names, the mailbox Red's first disk, Red killed 3 s in")
    func bundledFile() throws {
        let topology = try RealTopology.load(path: Self.bundled)
        let cluster = try #require(topology.cluster)
        #expect(cluster.systems.map(\.name) == ["red", "blue"])
        #expect(cluster.systems[0].target.luns == ["/dev/iofabric/sg-red0-red"])
        #expect(cluster.systems[0].lunsAtPartner == ["/dev/iofabric/sg-red0-blue"])
        #expect(cluster.systems[1].target.luns == ["/dev/iofabric/sg-blue0-blue"])
        #expect(cluster.systems[1].lunsAtPartner == ["/dev/iofabric/sg-blue0-red"])
        #expect(cluster.kill?.system == "red" && cluster.kill?.after == .seconds(3))
        #expect(cluster.heartbeatInterval == .milliseconds(100) && cluster.missedHeartbeats == 4)
        #expect(cluster.consistencyPoint == .seconds(1) && cluster.mirror)
        #expect(topology.target.name == "red")  // a cluster file's `target` is its first system's
        #expect(topology.target(of: topology.clients[0]).name == "red")
        #expect(topology.asSystem("blue")?.target.luns == ["/dev/iofabric/sg-blue0-blue"])
        #expect(cluster.nvramPath(topology: "cluster", system: "red") == "/dev/shm/iofabric-cluster-red.nvram")
    }

    @Test("a file with both a target and a cluster, or neither, says so at the root")
    func targetOrCluster() throws {
        let both = try Self.issues { $0["target"] = ["luns": ["/dev/sg0"]] }
        #expect(both == ["c.json: $.cluster: expected either a target or a cluster, not both"])
        let neither = try Self.issues { $0.removeValue(forKey: "cluster") }
        #expect(neither == [#"c.json: $: expected a member "target" (one storage target) or "cluster" (an HA pair)"#])
    }

    @Test("a cluster of 3 systems, a lunsAtPartner of the wrong length, a repeated name: each at its path")
    func systemErrors() throws {
        let three = try Self.issues { object in
            Self.cluster(&object) { cluster in
                var systems = cluster["systems"] as! [[String: Any]]
                var third = systems[1]
                third["name"] = "green"
                third["luns"] = ["/dev/sg9"]
                third["lunsAtPartner"] = ["/dev/sg10"]
                systems.append(third)
                cluster["systems"] = systems
            }
        }
        #expect(three == ["c.json: $.cluster.systems: expected exactly 2 systems (an HA pair); found 3"])
        let length = try Self.issues { Self.system(&$0, 1) { $0["lunsAtPartner"] = ["/dev/a", "/dev/b"] } }
        #expect(length == ["c.json: $.cluster.systems[1].lunsAtPartner: expected one partner path per LUN (1, in the order of luns); found 2"])
        let twice = try Self.issues { Self.system(&$0, 1) { $0["name"] = "red" } }
        #expect(twice.contains(#"c.json: $.cluster.systems[1].name: expected a system name unique in the cluster; "red" is used twice"#))
        let own = try Self.issues { Self.system(&$0, 1) { $0["lunsAtPartner"] = ["/dev/iofabric/sg-red0-red"] } }
        #expect(own == [#"c.json: $.cluster.systems[1].lunsAtPartner[0]: expected the partner's path to the disk, not a system's own LUN path ("/dev/iofabric/sg-red0-red")"#])
        let missing = try Self.issues { Self.system(&$0, 0) { $0.removeValue(forKey: "lunsAtPartner") } }
        #expect(missing.count == 1 && missing[0].hasPrefix("c.json: $.cluster.systems[0]") && missing[0].contains("lunsAtPartner"))
    }

    @Test("a kill of an unknown system, an NVRAM too small, a client of an unknown system or of a system in a one-target file")
    func otherErrors() throws {
        let kill = try Self.issues { Self.cluster(&$0) { $0["kill"] = ["system": "green", "after": "1s"] } }
        #expect(kill == [#"c.json: $.cluster.kill.system: expected one of the cluster's systems ("red", "blue"); found "green""#])
        let nvram = try Self.issues { Self.cluster(&$0) { $0["nvram"] = "16KiB" } }
        #expect(nvram == ["c.json: $.cluster.nvram: expected a multiple of 4 KiB, at least 64 KiB (half the log, half the mirror); found 16384"])
        let client = try Self.issues { object in
            var clients = object["clients"] as! [[String: Any]]
            clients[0]["target"] = "green"
            object["clients"] = clients
        }
        #expect(client == [#"c.json: $.clients[0].target: expected one of the cluster's systems ("red", "blue"); found "green""#])
        let validation = try Data(contentsOf: packageRoot.appendingPathComponent("Scenarios/real/validation.json"))
        var object = try JSONSerialization.jsonObject(with: validation) as! [String: Any]
        var clients = object["clients"] as! [[String: Any]]
        clients[0]["target"] = "host0"
        object["clients"] = clients
        #expect(throws: ScenarioErrors.self) { try RealTopology.parse(JSONSerialization.data(withJSONObject: object), file: "v.json") }
        do { _ = try RealTopology.parse(JSONSerialization.data(withJSONObject: object), file: "v.json") } catch let error as ScenarioErrors {
            #expect(error.issues.map(\.description) == ["v.json: $.clients[0].target: expected no target in a file without a cluster (the clients use the file's target)"])
        }
    }

    @Test("the slam endpoint file round-trips through the bootstrap folder; a missing partner is one line naming the file and the command")
    func slamBootstrap() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slam-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text = #"{"system": "red", "device": "rxe0 port 1", "protocol": "roce", "address": "fe800000000000000c0fa8fffe00b810", "queuePairNumber": 18, "rkey": 1011, "stateBlockAddress": 94122357895168, "processID": \#(getpid()), "host": "\#(RealBootstrap.hostName)"}"#
        let record = try #require(RealSlamEndpointRecord(json: JSONValue.parse(Data(text.utf8))))
        #expect(record.endpoint.queuePairNumber == 0x12 && record.endpoint.rkey == 0x3f3 && record.endpoint.address.count == 16)
        try RealBootstrap.publish(record, folder: folder)
        let read = try RealBootstrap.waitForPartner(folder: folder, system: "red", timeout: .milliseconds(100))
        #expect(read == record)
        #expect(throws: RealModeError(
            "no partner \"blue\" after 50ms: \(folder)/slam-blue.json did not appear (start it with 'iofabric serve FILE --system blue', or see its error)"
        )) {
            try RealBootstrap.waitForPartner(folder: folder, system: "blue", timeout: .milliseconds(50))
        }
        RealBootstrap.withdrawSlam(folder: folder, system: "red")
        #expect(!FileManager.default.fileExists(atPath: RealBootstrap.slamPath(folder: folder, system: "red")))
    }

    @Test("the file-backed NVRAM keeps its bytes when the mapping goes and comes back (as a SIGKILLed process's NVRAM does)")
    func fileNVRAM() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nvram-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { RealFileNVRAM.remove(path: path) }
        do {
            let nvram = try RealFileNVRAM(path: path, length: 64 << 10)
            #expect(nvram.read(offset: 4096, count: 4) == [0, 0, 0, 0])
            nvram.write([1, 2, 3, 4], at: 4096)
        }
        let again = try RealFileNVRAM(path: path, length: 64 << 10)
        #expect(again.read(offset: 4096, count: 4) == [1, 2, 3, 4])
        #expect(throws: RealModeError.self) { try RealFileNVRAM(path: "/nonexistent-folder/x.nvram", length: 4096) }
    }

    @Test("the cluster's simulated twin: ha-takeover's shape scaled down; slam connects, and takes Red over no sooner than missedHeartbeats × heartbeatInterval after the crash, losing nothing")
    func clusterTwin() throws {
        var topology = try RealTopology.load(path: Self.bundled)
        // A shorter load keeps the test quick; the kill stays inside it.
        topology.clients[0].duration = .seconds(2)
        topology.cluster!.kill!.after = .milliseconds(500)
        let twin = try SimClusterTwin(topology, calibration: .vmDefaults)
        #expect(twin.definition.topology.systems.count == 2)
        #expect(twin.definition.topology.shelves.map(\.name) == ["red0", "blue0"])
        let outcome = try ScenarioRunner.run(twin.definition)
        let report = outcome.report
        #expect(report.verdict == .pass, "\(report.problems) \(report.expectations.filter { !$0.passed }.map(\.text))")
        let cluster = topology.cluster!
        let failover = try #require(report.metrics["failoverTime"]?.doubleValue)
        // Detection alone is failureTimeout = heartbeat × missed after the last heartbeat heard.
        #expect(failover >= (cluster.heartbeatInterval * Int64(cluster.missedHeartbeats) - cluster.heartbeatInterval).seconds)
        #expect(failover < (cluster.heartbeatInterval * Int64(cluster.missedHeartbeats + 2)).seconds + 0.5)
        #expect(report.metrics["slamConnectTime"]?.doubleValue ?? 1 < 0.01)
        #expect(report.metrics["lostAcknowledgedWrites"]?.doubleValue == 0)
    }
}

