import Foundation
import Reports
import Timebase

/// The simulated twin of a real-mode cluster file: the ha-takeover scenario's shape scaled down
/// to the file's — two systems with one storage node each, each owning one shelf with a disk per
/// LUN (loop A) and reaching the partner's (loop B), one interconnect, the clients' loads, and
/// the file's kill as a `nodeCrash` — with the same heartbeat interval, missed-heartbeat count,
/// slam-connect timeout, NVRAM size and mirroring, and the calibrated disk and RoCE link of
/// ``SimTwin``. Its slam-connect and failover times are the simulated side of the sim-vs-real
/// report's cluster rows.
public struct SimClusterTwin: Sendable {
    public var topology: RealTopology
    public var calibration: SimTwinCalibration
    public var definition: ScenarioDefinition
    public var json: JSONValue

    /// - Throws: the scenario checker's issues, naming `<file> (simulated cluster twin)`.
    public init(_ topology: RealTopology, calibration: SimTwinCalibration) throws(ScenarioErrors) {
        guard let cluster = topology.cluster else { preconditionFailure("a cluster twin of a file without a cluster") }
        self.topology = topology
        self.calibration = calibration
        json = Self.scenario(topology)
        var definition = try ScenarioDefinition.parse(Data(json.rendered(pretty: true).utf8), file: topology.file + " (simulated cluster twin)")
        calibration.calibrateLinks(of: &definition, fabric: "roce0")
        calibration.calibrateDisks(of: &definition, overlap: SimTwin.diskOverlap(cluster.systems[0].target))
        self.definition = definition
    }

    /// Commands each simulated disk serves at once: the first system's SG_IO workers (see
    /// ``SimTwin/diskOverlap``; the partners are configured alike).
    public var diskOverlap: Int { SimTwin.diskOverlap(topology.cluster!.systems[0].target) }

    /// A system's shelf in the twin: `<system>0` (the LIO disks' names in the VM).
    static func shelf(_ system: String) -> String { system + "0" }

    static func scenario(_ topology: RealTopology) -> JSONValue {
        let cluster = topology.cluster!
        let attachment: JSONValue = .object([("fabric", .string("roce0")), ("switch", .string("sw0"))])
        let systems: [JSONValue] = cluster.systems.map { system in
            let partner = cluster.partner(of: system.name)!
            return .object([
                ("name", .string(system.name)),
                ("nvram", .integer(Int64(cluster.nvramBytes))),
                ("hcas", .array([attachment])),
                ("storageNodes", .array([.object([
                    ("name", .string("sn0")),
                    ("controllers", .array([.object([
                        ("name", .string("hba0")), ("kind", .string("scsiHBA")),
                        ("loops", .array([.string(shelf(system.name) + ".A"), .string(shelf(partner.name) + ".B")])),
                    ])])),
                ])])),
                ("dataPool", .integer(Int64(system.target.dataPoolBytes))),
                ("maxTransfer", .integer(Int64(system.target.maxTransferBytes))),
            ])
        }
        let shelves: [JSONValue] = cluster.systems.map { system in
            .object([
                ("name", .string(shelf(system.name))),
                ("bays", .integer(Int64(system.target.luns.count))),
                // The model is replaced by the calibration's.
                ("disks", .array([.object([("model", .string("cheetah15K")), ("count", .integer(Int64(system.target.luns.count)))])])),
            ])
        }
        let workloads = topology.clients.map { SimTwin.workload($0, target: topology.target(of: $0).name) }
        let longest = topology.clients.map(\.duration).max() ?? .zero
        var faults: [JSONValue] = []
        var expectations = ["lostAcknowledgedWrites == 0", "integrityViolations == 0", "dualOwnership == 0"]
        if let kill = cluster.kill {
            // The real kill comes `after` the clients started; here the loads start at loadStart.
            faults.append(.object([
                ("action", .string("nodeCrash")), ("target", .string(kill.system)),
                ("at", .string(Quantity.text(SimTwin.loadStart + kill.after))),
            ]))
            expectations.append("takeovers == 1")
        }
        return .object([
            ("name", .string(topology.name + "-simtwin")),
            ("description", .string("The simulated twin of the HA pair of \(topology.file) (\(topology.name)): ha-takeover's shape scaled down to it, its heartbeat settings, calibrated from SG_IO and perftest figures; see simvsreal.md.")),
            ("seed", .integer(Int64(topology.seed))),
            ("duration", .string(Quantity.text(SimTwin.loadStart + longest + SimTwin.drain))),
            ("topology", .object([
                ("fabrics", .array([.object([
                    ("name", .string("roce0")), ("kind", .string("ethernet")), ("priorityFlowControl", .bool(true)),
                    ("switches", .array([.object([("name", .string("sw0")), ("ports", .integer(Int64(topology.clients.count + 3)))])])),
                ])])),
                ("systems", .array(systems)),
                ("clusters", .array([.object([
                    ("name", .string("ha")), ("systems", .array(cluster.systems.map { .string($0.name) })),
                    ("interconnects", .array([.object([("name", .string("ic0"))])])),
                    ("heartbeatInterval", .string(Quantity.text(cluster.heartbeatInterval))),
                    ("missedHeartbeats", .integer(Int64(cluster.missedHeartbeats))),
                    ("slamConnectTimeout", .string(Quantity.text(cluster.slamConnectTimeout))),
                    ("mirror", .bool(cluster.mirror)),
                ] + (cluster.consistencyPoint.map { [("consistencyPoint", JSONValue.string(Quantity.text($0)))] } ?? []))])),
                ("shelves", .array(shelves)),
                ("clients", .array(topology.clients.map { .object([("name", .string($0.name)), ("fabric", .string("roce0")), ("switch", .string("sw0"))]) })),
            ])),
            ("workloads", .array(workloads)),
            ("faults", .array(faults)),
            ("expectations", .array(expectations.map(JSONValue.string))),
        ])
    }
}
