import Foundation
import Reports
import Timebase

/// The simulated twin of a real-mode topology: a scenario of the same shape, for the
/// sim-vs-real report.
///
/// | real | simulated |
/// |---|---|
/// | the target process (UMA, CTA, TTS; RTAs on the in-process bus) | storage system `<target>` (host storage node on a 64-bit 66 MHz PCI bus) |
/// | RTA `i` serving sg devices `i`, `i + rtas`, … | storage node `sn<i>` with an FC SCSI HBA on loop A of shelf `shelf<i>` holding one disk per device (RTAs with no device are left out) |
/// | an sg device (scsi_debug in the VM) behind `sgWorkers` SG_IO threads | a ``SimTwinCalibration/diskModel(overlap:)``: fixed-latency disk, SG_IO p50 per command, in arrival order, ``diskOverlap`` commands at once |
/// | the RDMA device (rxe0: RoCE v2) | one Ethernet fabric `roce0`, lossless, at the ``SimTwinCalibration/linkBitsPerSecond`` rate; adapters back to back (a switch when there are several clients) |
/// | each client process | client `<name>` (no host bus: `ideal`) with one block workload of the same fields, issuing from `start` for the client's duration |
///
/// The calibration is applied on top of the parsed file (``FabricDefinition`` and
/// ``DiskGroupDefinition`` members that the file format does not carry); ``json`` is the file
/// without it, so a reader can see the shape.
public struct SimTwin: Sendable {
    /// When the simulated loads start issuing: assumption, well after the simulated target
    /// is up and the client connected (the real client starts its clock once connected too).
    public static let loadStart = TimeSpan.milliseconds(100)
    /// How long the run goes on after the longest load stops issuing, so that I/Os in flight
    /// (a few disk service times each) complete. Assumption: 500 ms ≫ 4 × 4.5 ms.
    public static let drain = TimeSpan.milliseconds(500)

    public var topology: RealTopology
    public var calibration: SimTwinCalibration
    /// The scenario, calibration applied.
    public var definition: ScenarioDefinition
    /// The scenario file (without the calibration, which the format does not carry).
    public var json: JSONValue

    /// Builds the twin of `topology` calibrated by `calibration`.
    ///
    /// - Throws: the scenario checker's issues (a topology the simulator cannot shape, e.g. a
    ///   name it refuses), naming `<topology file> (simulated twin)`.
    public init(_ topology: RealTopology, calibration: SimTwinCalibration) throws(ScenarioErrors) {
        self.topology = topology
        self.calibration = calibration
        json = Self.scenario(topology)
        let file = topology.file + " (simulated twin)"
        var definition = try ScenarioDefinition.parse(Data(json.rendered(pretty: true).utf8), file: file)
        calibration.calibrateLinks(of: &definition)
        calibration.calibrateDisks(of: &definition, overlap: Self.diskOverlap(topology.target))
        self.definition = definition
    }

    /// The twin's block workload of `client` against `target`: the real client's fio-like
    /// fields, issuing from ``loadStart`` for its duration.
    static func workload(_ client: RealTopology.Client, target: String) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(client.name)), ("kind", .string("block")), ("client", .string(client.name)),
            ("target", .string(target)), ("readPercent", .integer(Int64(client.readPercent))),
            ("blockSize", .integer(Int64(client.blockSize))), ("queueDepth", .integer(Int64(client.queueDepth))),
            ("pattern", .string(client.pattern == .sequential ? "sequential" : "random")),
            ("thinkTime", .string(Quantity.text(client.thinkTime))), ("timeout", .string(Quantity.text(client.timeout))),
            ("verify", .bool(client.verify)),
            ("start", .string(Quantity.text(loadStart))), ("stop", .string(Quantity.text(loadStart + client.duration))),
        ]
        if let luns = client.luns { members.append(("luns", .array(luns.map { .integer(Int64($0)) }))) }
        if let set = client.workingSet { members.append(("workingSet", .integer(set))) }
        if let rate = client.rate { members.append(("rate", .number(rate))) }
        return .object(members)
    }

    /// Commands each simulated disk serves at once: the real target's SG_IO worker threads
    /// per sg device, each blocked in one ioctl (`sgWorkers`, at most `sgQueueDepth`, as
    /// `RealSCSIGenericDeviceConfiguration` clamps it).
    public var diskOverlap: Int { Self.diskOverlap(topology.target) }

    static func diskOverlap(_ target: RealTopology.Target) -> Int { max(1, min(target.sgWorkers, target.sgQueueDepth)) }

    /// The sg devices RTA `index` serves, as ``RealTarget`` deals them out.
    static func luns(ofRTA index: Int, _ target: RealTopology.Target) -> [String] {
        stride(from: index, to: target.luns.count, by: target.rtas).map { target.luns[$0] }
    }

    /// The scenario file of the twin.
    static func scenario(_ topology: RealTopology) -> JSONValue {
        let target = topology.target
        let switched = topology.clients.count > 1
        func attachment(_ members: [(String, JSONValue)]) -> JSONValue {
            .object(members + [("fabric", .string("roce0"))] + (switched ? [("switch", .string("sw0"))] : []))
        }
        var storageNodes: [JSONValue] = []
        var shelves: [JSONValue] = []
        for index in 0..<target.rtas {
            let devices = luns(ofRTA: index, target)
            guard !devices.isEmpty else { continue }
            storageNodes.append(.object([
                ("name", .string("sn\(index)")),
                ("controllers", .array([.object([
                    ("name", .string("hba0")), ("kind", .string("scsiHBA")), ("loops", .array([.string("shelf\(index).A")])),
                ])])),
            ]))
            shelves.append(.object([
                ("name", .string("shelf\(index)")),
                ("bays", .integer(Int64(max(devices.count, 1)))),
                // The model is replaced by the calibration's (see the type's documentation).
                ("disks", .array([.object([("model", .string("cheetah15K")), ("count", .integer(Int64(devices.count)))])])),
            ]))
        }
        var fabric: [(String, JSONValue)] = [("name", .string("roce0")), ("kind", .string("ethernet")), ("priorityFlowControl", .bool(true))]
        if switched {
            fabric.append(("switches", .array([.object([("name", .string("sw0")), ("ports", .integer(Int64(topology.clients.count + 1)))])])))
        }
        let clients = topology.clients.map { client in
            attachment([("name", .string(client.name)), ("pciBus", .string("ideal"))])
        }
        let workloads = topology.clients.map { workload($0, target: target.name) }
        let longest = topology.clients.map(\.duration).max() ?? .zero
        let expectations: [JSONValue] = [
            "luns == \(target.luns.count)", "connections == \(topology.clients.count)", "errors == 0", "timeouts == 0",
            "lostAcknowledgedWrites == 0", "integrityViolations == 0",
        ].map(JSONValue.string)
        return .object([
            ("name", .string(topology.name + "-simtwin")),
            ("description", .string("The simulated twin of \(topology.file) (\(topology.name)), calibrated from SG_IO and perftest figures: see simvsreal.md.")),
            ("seed", .integer(Int64(topology.seed))),
            ("duration", .string(Quantity.text(loadStart + longest + drain))),
            ("topology", .object([
                ("fabrics", .array([.object(fabric)])),
                ("systems", .array([.object([
                    ("name", .string(target.name)),
                    ("hcas", .array([attachment([])])),
                    ("storageNodes", .array(storageNodes)),
                    ("dataPool", .integer(Int64(target.dataPoolBytes))),
                    ("maxTransfer", .integer(Int64(target.maxTransferBytes))),
                ])])),
                ("shelves", .array(shelves)),
                ("clients", .array(clients)),
            ])),
            ("workloads", .array(workloads)),
            ("expectations", .array(expectations)),
        ])
    }
}
