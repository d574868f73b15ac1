import Foundation
import Reports
import Timebase

/// The sim-vs-real report (issue #8, item 5): a real-mode run's figures beside its simulated
/// twin's (``SimTwin``), client by client — throughput, latency percentiles, verified I/Os —
/// with the ratio simulated ÷ real, the calibration and its sources, and what differs.
/// Written as `simvsreal.md` and `simvsreal.json` into the real run's report folder.
public struct SimVsRealReport {
    /// One compared client.
    public struct Client: Sendable {
        public var name: String
        public var real: SimVsRealFigures
        public var simulated: SimVsRealFigures
    }

    /// The cluster rows of a topology without a cluster (a cluster file, e.g.
    /// `Scenarios/real/cluster.json`, measures them).
    public static let noCluster = "no cluster in this file"

    public var name: String
    /// The real run's report file (or the topology file), for the header.
    public var realSource: String
    public var calibration: SimTwinCalibration
    /// Commands each simulated disk serves at once (``SimTwin/diskOverlap``).
    public var diskOverlap: Int
    public var clients: [Client]
    /// The simulated run: verdict, seed, digest, simulated duration.
    public var simulatedVerdict: RunReport.Verdict
    public var simulatedSeed: UInt64
    public var simulatedDigest: String
    public var simulatedProblems: [String]
    /// The twin's scenario file as written beside the report.
    public var twinFile: String?

    /// The cluster rows, for a cluster file (nil: not a cluster; the rows say ``noCluster``).
    public var cluster: SimVsRealClusterFigures?

    /// Compares `realReport` (the JSON of ``RealRunReport``) with the twin's run `simulated`.
    public init(
        twin: SimTwin, realReport: JSONValue, realSource: String, simulated: RunReport, twinFile: String? = nil
    ) {
        self.init(topology: twin.topology, calibration: twin.calibration, diskOverlap: twin.diskOverlap, realReport: realReport,
                  realSource: realSource, simulated: simulated, twinFile: twinFile)
    }

    /// Compares `realReport` (``RealRunReport``'s or ``RealClusterReport``'s JSON) with the
    /// twin's run `simulated`, client by client.
    init(topology: RealTopology, calibration: SimTwinCalibration, diskOverlap: Int, realReport: JSONValue, realSource: String,
         simulated: RunReport, twinFile: String?) {
        name = topology.name
        self.realSource = realSource
        self.calibration = calibration
        self.diskOverlap = diskOverlap
        let realClients = realReport["clients"]?.arrayValue ?? []
        clients = topology.clients.map { client in
            let result = realClients.first { $0["name"]?.stringValue == client.name }?["result"]
            let real = SimVsRealFigures.real(result.flatMap { $0 == .null ? nil : $0 })
            return Client(
                name: client.name, real: real,
                simulated: SimVsRealFigures.simulated(simulated, workload: client.name, verify: client.verify))
        }
        simulatedVerdict = simulated.verdict
        simulatedSeed = simulated.seed
        simulatedDigest = simulated.traceDigest
        simulatedProblems = simulated.problems + simulated.expectations.filter { !$0.passed }.map { "expectation failed: \($0.text)" }
        self.twinFile = twinFile
    }

    // MARK: Rows

    /// One row: label, real, simulated (nil: no figure), how to print them, and whether a ratio means anything.
    struct Row {
        var label: String
        var real: Double?
        var simulated: Double?
        var format: (Double) -> String
    }

    static func rows(_ client: Client) -> [Row] {
        let count: (Double) -> String = { String(Int64($0)) }
        let rate: (Double) -> String = { Format.fixed($0, 2) }
        let time: (Double) -> String = { Format.duration(seconds: $0) }
        var rows = [
            Row(label: "reads", real: client.real.reads.map(Double.init), simulated: client.simulated.reads.map(Double.init), format: count),
            Row(label: "writes", real: client.real.writes.map(Double.init), simulated: client.simulated.writes.map(Double.init), format: count),
            Row(label: "verified reads (every byte)", real: client.real.verifiedReads.map(Double.init),
                simulated: client.simulated.verifiedReads.map(Double.init), format: count),
            Row(label: "read MB/s", real: client.real.readMBps, simulated: client.simulated.readMBps, format: rate),
            Row(label: "write MB/s", real: client.real.writeMBps, simulated: client.simulated.writeMBps, format: rate),
            Row(label: "IOPS", real: client.real.iops, simulated: client.simulated.iops, format: rate),
        ]
        for (op, real, simulated) in [("read", client.real.readLatency, client.simulated.readLatency),
                                      ("write", client.real.writeLatency, client.simulated.writeLatency)] {
            for (label, _) in SimVsRealFigures.percentiles {
                rows.append(Row(label: "\(op) latency \(label)", real: real[label], simulated: simulated[label], format: time))
            }
        }
        return rows
    }

    /// `simulated ÷ real` to two decimals with a `×`, or `-` when either is missing or real is 0.
    static func ratio(_ real: Double?, _ simulated: Double?) -> String {
        guard let real, let simulated, real > 0 else { return "-" }
        return Format.fixed(simulated / real, 2) + "×"
    }

    // MARK: Output

    public var markdown: String {
        var out = "# \(name): simulated vs real\n\n"
        out += "The real run (`\(realSource)`) beside its simulated twin"
        out += twinFile.map { " (`\($0)`, calibration applied on top)" } ?? ""
        out += ". Ratio = simulated ÷ real. Real figures in the VM are emulator figures (QEMU TCG): for ratios and correctness, never as hardware figures.\n\n"
        out += "| client | figure | real | simulated | sim ÷ real |\n|---|---|---:|---:|---:|\n"
        for client in clients {
            out += "| \(client.name) | verdict | \(client.real.passed ? "PASS" : "FAIL") | \(client.simulated.passed ? "PASS" : "FAIL") | |\n"
            for row in Self.rows(client) {
                out += "| \(client.name) | \(row.label) | \(row.real.map(row.format) ?? "-") | \(row.simulated.map(row.format) ?? "-") | \(Self.ratio(row.real, row.simulated)) |\n"
            }
        }
        if let cluster {
            let time: (Double) -> String = { Format.duration(seconds: $0) }
            for row in cluster.rows {
                out += "| cluster | \(row.label) | \(row.real.map(time) ?? "-") | \(row.simulated.map(time) ?? "-") | \(Self.ratio(row.real, row.simulated)) |\n"
            }
            out += "| cluster | lost acknowledged writes | \(cluster.realLostWrites) | \(cluster.simulatedLostWrites.map(String.init) ?? "-") | |\n"
        } else {
            out += "| cluster | slam-connect time | \(Self.noCluster) | \(Self.noCluster) | |\n"
            out += "| cluster | takeover time | \(Self.noCluster) | \(Self.noCluster) | |\n"
        }
        out += "\nSimulated run: \(simulatedVerdict == .pass ? "PASS" : "FAIL"), seed \(simulatedSeed), trace digest `\(simulatedDigest)`.\n"
        if !simulatedProblems.isEmpty { out += simulatedProblems.map { "- \($0)\n" }.joined() }
        out += "\n## Calibration\n\n"
        out += "- disk: every 4 KiB READ \(calibration.disk.read), WRITE \(calibration.disk.write), \(calibration.disk.blocks) blocks of 512 B (a fixed-latency disk: no seek, 1 µs revolutions, write cache off; commands in arrival order, \(diskOverlap) at once, the target's `sgWorkers`) — \(calibration.disk.source)\n"
        out += "- link: \(Format.fixed(calibration.link.writeMBps, 2)) MB/s, \(calibration.link.writeLatency) one way, MTU \(calibration.link.mtu) — \(calibration.link.source)\n"
        out += "- given to the fabric: RoCE v2 links at \(Format.fixed(Double(calibration.linkBitsPerSecond) / 1e6, 1)) Mb/s (payload rate × (MTU + \(SimTwinCalibration.perPacketOverhead) B of headers, CRCs, preamble and gap) ÷ MTU), propagation \(calibration.propagationDelay) (ib_write_lat − the wire time of its 2-byte WRITE, \(calibration.latencyPacketWireTime)), path MTU \(calibration.link.mtu)\n"
        if let cluster { out += "\n## The cluster's simulated side\n\n" + cluster.simulatedSide + "\n" }
        out += "\n## What differs\n\n"
        out += (cluster == nil ? Self.differences : Self.differences.dropLast() + SimVsRealClusterFigures.differences).map { "- \($0)\n" }.joined()
        return out
    }

    /// What the twin does not model, and why the columns differ.
    public static let differences = [
        "CPU: the simulated agents cost no processor time; in the VM every agent, the SG_IO workers and rxe itself run on two emulated CPUs (about 3 ms of CPU per 4 KiB I/O in a release build; more in debug), which dominates the real latencies.",
        "Disk: the simulated disk serves commands in arrival order, up to the target's `sgWorkers` at once, each after its fixed service time (DiskModel.fixedLatency with overlap and first-come-first-served order), as the real path does: the sg workers take commands from one FIFO, each blocks in one SG_IO, and scsi_debug times every command on its own timer (schedule_resp in drivers/scsi/scsi_debug.c, sdebug_jdelay = 1 jiffy). What the twin leaves out is the time between a worker's ioctl returning and its next one (CPU, below).",
        "Path to the disk: the twin's storage node reaches its disk through an FC SCSI HBA on a 2 Gb/s loop and a PCI bus (a few µs per 4 KiB); the real RTA calls SG_IO through the kernel's sg driver.",
        "Link: the simulated wire runs at perftest's rate, so the fabric is the bottleneck there; rxe's bottleneck is the CPU running it, shared with everything else in the guest.",
        "Clock: the real throughput counts from the load's start to its last completion, the simulated from the load's start to its stop (the twin's loads start at \(Quantity.text(SimTwin.loadStart)), after the simulated connect); the real client zeroes its LUNs first (`zeroFirst`), the simulated disks start zeroed.",
        "Cluster: this file has no cluster; a cluster file (Scenarios/real/cluster.json) measures slam connect and takeover on both sides.",
    ]

    public var json: JSONValue {
        func figures(_ f: SimVsRealFigures) -> JSONValue {
            func latency(_ values: [String: Double]) -> JSONValue {
                .object(SimVsRealFigures.percentiles.compactMap { label, _ in values[label].map { (label, .number($0)) } })
            }
            func optional(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
            func optional(_ value: Int?) -> JSONValue { value.map { .integer(Int64($0)) } ?? .null }
            return .object([
                ("passed", .bool(f.passed)), ("reads", optional(f.reads)), ("writes", optional(f.writes)),
                ("verifiedReads", optional(f.verifiedReads)), ("readMBps", optional(f.readMBps)),
                ("writeMBps", optional(f.writeMBps)), ("iops", optional(f.iops)),
                ("readLatencySeconds", latency(f.readLatency)), ("writeLatencySeconds", latency(f.writeLatency)),
            ])
        }
        return .object([
            ("name", .string(name)),
            ("real", .string(realSource)),
            ("twin", twinFile.map(JSONValue.string) ?? .null),
            ("calibration", calibration.json),
            ("clients", .array(clients.map { client in
                .object([("name", .string(client.name)), ("real", figures(client.real)), ("simulated", figures(client.simulated))])
            })),
            ("cluster", cluster?.json ?? .object([("slamConnect", .string(Self.noCluster)), ("takeover", .string(Self.noCluster))])),
            ("simulated", .object([
                ("verdict", .string(simulatedVerdict.rawValue)), ("seed", .unsigned(simulatedSeed)),
                ("traceDigest", .string(simulatedDigest)), ("problems", .array(simulatedProblems.map(JSONValue.string))),
            ])),
        ])
    }

    /// Writes `simvsreal.md` and `simvsreal.json` into `directory`; returns their paths.
    public func write(to directory: String) throws(RealModeError) -> [String] {
        let json = directory + "/simvsreal.json", markdown = directory + "/simvsreal.md"
        try RealBootstrap.write(self.json.rendered(pretty: true) + "\n", to: json)
        try RealBootstrap.write(self.markdown, to: markdown)
        return [markdown, json]
    }
}
