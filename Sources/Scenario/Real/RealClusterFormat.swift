/// The `cluster` part of a real-mode topology file: two storage systems of an HA pair on real
/// devices, each a target as in a one-target file plus the same shelf as its partner sees it.
enum RealClusterFormat {
    /// A system: the target's fields, its name required, and its shelf through the partner's paths.
    static let systemSpec = ObjectSpec(
        "real cluster system",
        "One partner of the HA pair: a storage target (its LUNs as it sees them) whose shelf the partner also reaches, through lunsAtPartner.",
        [.required("name", .name, "The storage system's name, e.g. \"red\" (`iofabric serve FILE --system NAME` runs it).")]
            + RealTopologyFormat.targetSpec.fields.filter { $0.name != "name" }
            + [
                .required("lunsAtPartner", .array(of: .string, minimumCount: 1),
                          "The same disks as `luns`, in the same order, as the partner's initiator sees them (the partner's paths: it fences, replays and serves them after a takeover)."),
            ])

    static let killSpec = ObjectSpec(
        "real cluster kill",
        "The fault `run --backend real` injects: SIGKILL to one system's process.",
        [
            .required("system", .name, "The system killed."),
            .required("after", .duration, "When, after the first client's load started (its connect and zeroing done)."),
        ])

    static let clusterSpec = ObjectSpec(
        "real cluster",
        "An HA pair on real devices: both systems on the selected RDMA device (the interconnect and the client fabric may share it), NVRAM in shared memory, a failover monitor on the interconnect.",
        [
            .required("systems", .array(of: .object(systemSpec), minimumCount: 2), "The two systems; the first's first LUN is the mailbox disk."),
            .optional("nvram", .size, default: .string("4MiB"),
                      "Each system's NVRAM: half its write log, half the partner's mirror."),
            .optional("nvramFolder", .string, default: .string("/dev/shm"),
                      "Where each system's NVRAM file lives (mapped shared: it survives the process's SIGKILL, as battery-backed memory survives a crash)."),
            .optional("heartbeatInterval", .duration, default: .string("50ms"), "How often the failover monitor sends a heartbeat (FailoverMonitorConfiguration)."),
            .optional("missedHeartbeats", .integer(minimum: 1, maximum: 100), default: .integer(4),
                      "The partner is declared failed after this many intervals without a word."),
            .optional("slamConnectTimeout", .duration, default: .string("50ms"),
                      "How long a slam connect waits for its partner in states 3 and 5 (ClusterConnectionManagerConfiguration.waitTimeout)."),
            .optional("consistencyPoint", .duration,
                      "Write-behind: an acknowledged write's disk write waits for the next consistency point, this often (absent: each goes to disk once logged); until then it is only in the two NVRAM logs."),
            .optional("mirror", .boolean, default: .bool(true), "Whether writes are acknowledged only once mirrored to the partner's NVRAM."),
            .optional("kill", .object(killSpec), "The partner kill `run --backend real` injects (none: both run to the end)."),
        ])
}
