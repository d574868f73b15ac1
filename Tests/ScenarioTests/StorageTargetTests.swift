import Agents
import Foundation
import Hardware
import Reports
import SimCore
import SimHardware
import Testing
import Timebase

@testable import Scenario

/// The storage target end to end (issue #5): the UMA, CTA, RTAs, DDMs and TTS on the simulated
/// topology, driven by clients' initiators with the integrity oracle.
@Suite("Storage target")
struct StorageTargetTests {
    static let bundled = packageRoot.appendingPathComponent("Scenarios/storage-target.json").path

    /// The bundled description, rewritten: ATA controllers and disks instead of SCSI, an
    /// Ethernet (RoCE v2) fabric instead of InfiniBand, extra faults, another duration.
    static func variant(ata: Bool = false, ethernet: Bool = false, duration: String = "400ms", faults: String = "[]") throws
        -> ScenarioDefinition
    {
        var text = try String(contentsOfFile: bundled, encoding: .utf8)
        if ata {
            text = text.replacingOccurrences(of: "\"scsiHBA\"", with: "\"ataController\"")
                .replacingOccurrences(of: "\"cheetah15K\"", with: "\"barracudaATA4\"")
        }
        if ethernet { text = text.replacingOccurrences(of: "\"infiniband\"", with: "\"ethernet\"") }
        text = text.replacingOccurrences(of: "\"duration\": \"1s\"", with: "\"duration\": \"\(duration)\"")
        text = text.replacingOccurrences(of: "\"expectations\": [", with: "\"faults\": \(faults),\n  \"expectations\": [")
        return try ScenarioDefinition.parse(Data(text.utf8), file: "storage-target-variant.json")
    }

    static func metric(_ report: RunReport, _ key: String) -> Double {
        switch report.metrics[key] {
        case .integer(let value)?: Double(value)
        case .number(let value)?: value
        case nil: .nan
        }
    }

    @Test("12 LUNs discovered, 4 clients connected, mixed random I/O verified: the bundled scenario passes")
    func bundledScenarioPasses() throws {
        let outcome = try ScenarioRunner.run(try ScenarioDefinition.load(path: Self.bundled))
        let failed = outcome.report.expectations.filter { !$0.passed }
        #expect(failed.isEmpty, "\(failed)")
        #expect(outcome.report.problems.isEmpty, "\(outcome.report.problems)")
        // The latency breakdown is reported per stage.
        for stage in ["fabric", "cta", "pci", "rta", "disk", "rdma"] {
            #expect((outcome.report.latencies["c0mix.stage." + stage]?.count ?? 0) > 0, "no \(stage) times")
        }
    }

    @Test("SCSI or ATA, InfiniBand or RoCE: the same checks pass, and only the DDM and the TTS differ",
          arguments: [(false, false), (true, false), (false, true), (true, true)])
    func protocolIndependence(ata: Bool, ethernet: Bool) throws {
        var formats: [String] = []
        var protocols: [String] = []
        var inspection = ScenarioRunner.Inspection()
        inspection.afterRun = { _, assembly in
            formats = assembly.targets.flatMap(\.driverFormats)
            protocols = assembly.targets.map(\.transport.protocolName)
        }
        let outcome = try ScenarioRunner.run(
            try Self.variant(ata: ata, ethernet: ethernet), seed: nil, duration: nil, progress: nil, inspect: inspection)
        let report = outcome.report
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(Self.metric(report, "luns") == 12)
        #expect(Self.metric(report, "connections") == 4)
        #expect(Self.metric(report, "reads") > 100 && Self.metric(report, "writes") > 50)
        #expect(Self.metric(report, "errors") == 0)
        #expect(Self.metric(report, "lostAcknowledgedWrites") == 0)
        #expect(Self.metric(report, "integrityViolations") == 0)
        #expect(formats == Array(repeating: ata ? "ata" : "scsi", count: 12))
        #expect(protocols == [ethernet ? "roce" : "infiniband"])
    }

    @Test("PCI errors on 1 % of the CTA⇄RTA transactions: nothing lost, nothing executed twice")
    func residualMessageStoreUnderPCIErrors() throws {
        let faults = #"[{"action": "pciErrors", "target": "red.pci", "at": "0s", "probability": 0.01}]"#
        let report = try ScenarioRunner.run(try Self.variant(faults: faults)).report
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(Self.metric(report, "busRetransmissions") > 0, "the fault must actually hit messages")
        #expect(Self.metric(report, "errors") == 0)
        #expect(Self.metric(report, "timeouts") == 0)
        #expect(Self.metric(report, "lostAcknowledgedWrites") == 0)
        #expect(Self.metric(report, "integrityViolations") == 0)
        #expect(Self.metric(report, "reads") > 100)
    }

    @Test("A disk media error reaches the client as CHECK CONDITION, MEDIUM ERROR")
    func mediaErrorReachesClient() throws {
        // LUN 0 is shelf0.bay0, driven by c0; a bad run of blocks inside its 64 MiB working set.
        let faults = #"[{"action": "diskMediaError", "target": "shelf0.bay0", "at": "0s", "lba": 0, "blocks": 131072}]"#
        var senses: [SenseSummary] = []
        var inspection = ScenarioRunner.Inspection()
        inspection.afterRun = { _, assembly in senses = assembly.sessions[0].checkConditions }
        let report = try ScenarioRunner.run(try Self.variant(faults: faults), seed: nil, duration: nil, progress: nil, inspect: inspection).report
        #expect(Self.metric(report, "c0mix.errors") > 0)
        #expect(!senses.isEmpty)
        #expect(senses.allSatisfy { $0.senseKey == .mediumError })
        #expect(Self.metric(report, "c1mix.errors") == 0)
    }

    @Test("Forged requests (wrong connection, LUN not granted, another client's buffer) are rejected, counted, never executed")
    func forgedRequestsRejected() throws {
        var rejected: [RejectReason: Int] = [:]
        var forger: Forger?
        var inspection = ScenarioRunner.Inspection()
        inspection.afterBuild = { topology, assembly in
            forger = Forger(simulator: topology.simulator, assembly: assembly, at: .zero + .milliseconds(200))
        }
        inspection.afterRun = { _, assembly in rejected = assembly.targets[0].uma.cta.statistics.rejected }
        let report = try ScenarioRunner.run(try Self.variant(), seed: nil, duration: nil, progress: nil, inspect: inspection).report
        #expect(forger?.sent == 3)
        #expect(rejected[.unknownConnection] == 1)
        #expect(rejected[.lunNotGranted] == 1)
        #expect(rejected[.bufferNotOwned] == 1)
        #expect(Self.metric(report, "rejectedRequests") == 3)
        // The victims' data is untouched: their oracles found nothing wrong.
        #expect(Self.metric(report, "lostAcknowledgedWrites") == 0)
        #expect(Self.metric(report, "integrityViolations") == 0)
        #expect(Self.metric(report, "errors") == 0)
    }
}

/// At a set time, client c3 sends three forged writes on its own connection: one naming c0's
/// connection, one to c0's LUN 0 (not granted to c3), one from memory c3 never declared (an rkey
/// it does not own). (c0's own region would not do: every simulated HCA numbers its first
/// region alike, so c0's address and rkey equal c3's; the target checks what each connection declared.)
private final class Forger: SimComponent {
    let assembly: TargetAssembly
    private(set) var sent = 0

    @discardableResult
    init(simulator: Simulator, assembly: TargetAssembly, at time: Instant) {
        self.assembly = assembly
        let id = simulator.register(self, name: "test.forger")
        simulator.schedule(EventKind(rawValue: 1), for: id, at: time, payload: 0)
    }

    func handle(_ event: Event, in simulator: Simulator) {
        let victim = assembly.sessions[0]
        let forger = assembly.sessions[3]
        guard let (victimConnection, _) = victim.initiator.connection, let (connection, _) = forger.initiator.connection else { return }
        let own = forger.transport.bufferRegion
        let requests = [
            ClientRequest(tag: 9001, connection: victimConnection, lun: 3, operation: .write, lba: 0, blocks: 1,
                          buffer: RemoteBuffer(address: own.address, length: 512, rkey: own.rkey)),
            ClientRequest(tag: 9002, connection: connection, lun: 0, operation: .write, lba: 0, blocks: 1,
                          buffer: RemoteBuffer(address: own.address, length: 512, rkey: own.rkey)),
            ClientRequest(tag: 9003, connection: connection, lun: 3, operation: .write, lba: 0, blocks: 1,
                          buffer: RemoteBuffer(address: own.address, length: 512, rkey: own.rkey &+ 1)),
        ]
        for request in requests {
            if (try? forger.transport.send(ConnectionMessage.request(request).encoded(), on: connection)) != nil { sent += 1 }
        }
    }
}

extension StorageTargetTests {
    @Test("A client whose adapter dies: the target closes its connection, removes the route and releases its buffers; the others go on")
    func clientFailureCleansUp() throws {
        let faults = #"[{"action": "hcaFail", "target": "c3.hca0", "at": "200ms"}]"#
        var closed = 0
        var routes = -1
        var buffersInUse: [Int] = []
        var inspection = ScenarioRunner.Inspection()
        inspection.afterRun = { _, assembly in
            let target = assembly.targets[0]
            closed = target.uma.statistics.connectionsClosed
            routes = target.uma.cta.routedConnections
            buffersInUse = target.rtas.map(\.statistics.buffersInUse)
        }
        let report = try ScenarioRunner.run(try Self.variant(duration: "1500ms", faults: faults), seed: nil, duration: nil,
                                            progress: nil, inspect: inspection).report
        #expect(closed == 1)
        #expect(routes == 3)
        // What is still in use belongs to the three live clients' requests in flight (at most
        // 2 per LUN × 3 LUNs each, 2 segments of 4 KiB per 8 KiB request), never to c3's.
        #expect(buffersInUse.reduce(0, +) <= 3 * 6 * 2)
        for client in ["c0mix", "c1mix", "c2mix"] {
            #expect(Self.metric(report, client + ".errors") == 0)
        }
        #expect(Self.metric(report, "lostAcknowledgedWrites") == 0)
        #expect(Self.metric(report, "integrityViolations") == 0)
    }
}
