import Reports

/// The cluster rows of the sim-vs-real report: the real cluster run's slam-connect and failover
/// times (``RealClusterReport``) beside its simulated twin's (``SimClusterTwin``: the same
/// heartbeat settings, the kill as a node crash).
public struct SimVsRealClusterFigures: Sendable {
    public struct Row: Sendable {
        public var label: String
        public var real: Double?
        public var simulated: Double?
    }

    public var rows: [Row]
    public var realLostWrites: Int
    public var simulatedLostWrites: Int?
    /// What the simulated side is, for the report.
    public var simulatedSide: String

    /// From the real cluster report's JSON and the twin's run.
    init(real: JSONValue, simulated: RunReport, twin: SimClusterTwin) {
        func metric(_ key: String) -> Double? { simulated.metrics[key]?.doubleValue }
        let figures = real["figures"]
        var slam: Double?
        if case .object(let members)? = figures?["slamConnectSeconds"] {
            slam = members.compactMap { $0.1.doubleValue }.max()
        }
        rows = [
            Row(label: "slam-connect time (the longer of the two systems: partner's endpoint known → Connected)", real: slam,
                simulated: metric("slamConnectTime")),
            Row(label: "takeover time (kill → the partner's LUNs served by the survivor)", real: figures?["failoverSeconds"]?.doubleValue,
                simulated: metric("failoverTime")),
        ]
        realLostWrites = Int(figures?["lostAcknowledgedWrites"]?.doubleValue ?? 0)
        simulatedLostWrites = metric("lostAcknowledgedWrites").map { Int($0) }
        let cluster = twin.topology.cluster!
        simulatedSide = "A simulated twin of the cluster (`simtwin.json`): ha-takeover's shape scaled down to this file — \(cluster.systems.map(\.name).joined(separator: " and ")), one storage node each owning one shelf of \(cluster.systems[0].target.luns.count) calibrated disk(s) on loop A and reaching the partner's on loop B, one interconnect, the same clients' loads — with the file's heartbeat interval (\(Quantity.text(cluster.heartbeatInterval))), missed heartbeats (\(cluster.missedHeartbeats)), slam-connect timeout (\(Quantity.text(cluster.slamConnectTimeout))), NVRAM (\(cluster.nvramBytes >> 10) KiB) and mirroring; the kill is a `nodeCrash` \(cluster.kill.map { Quantity.text($0.after) } ?? "-") after the loads start. Simulated run: \(simulated.verdict == .pass ? "PASS" : "FAIL"), seed \(simulated.seed), \(metric("takeovers").map { Int($0) } ?? 0) takeover(s)."
    }

    public var json: JSONValue {
        .object([
            ("rows", .array(rows.map { row in
                .object([("label", .string(row.label)), ("real", row.real.map(JSONValue.number) ?? .null),
                         ("simulated", row.simulated.map(JSONValue.number) ?? .null)])
            })),
            ("realLostAcknowledgedWrites", .integer(Int64(realLostWrites))),
            ("simulatedLostAcknowledgedWrites", simulatedLostWrites.map { .integer(Int64($0)) } ?? .null),
            ("simulatedSide", .string(simulatedSide)),
        ])
    }

    /// Why the cluster rows differ.
    static let differences = [
        "Cluster: the simulated slam connect is a few fabric round trips on an idle cable (microseconds); the real one crosses processes scheduled on two emulated CPUs, whose RDMA reads and writes rxe runs in software, and the partner's first read may find a QP not yet in RTS. The simulated takeover is detection (the missed heartbeats), the fence and drain on simulated disks and the replay; the real one adds the emulated CPU to each step and the LIO disks' PERSISTENT RESERVE OUT and SYNCHRONIZE CACHE through SG_IO. The real interconnect is RoCE on the same rxe device as the clients; the twin's is its own InfiniBand cable.",
    ]
}
