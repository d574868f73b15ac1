/// The shape of a real-mode topology file (`Scenarios/real/*.json`): checked by the same
/// ``SchemaWalker`` as scenarios, so a mistake is reported with the file, the JSON path and
/// what was expected.
enum RealTopologyFormat {
    static let deviceSpec = ObjectSpec(
        "device", "Which RDMA device, port and GID the processes use, as perftest chooses them; the command line's --ib-dev, --ib-port and --gid-index override it.",
        [
            .optional("name", .string, "The device, e.g. \"rxe0\" or \"mlx5_0\" (default: the first, in `iofabric devices` order)."),
            .optional("port", .integer(minimum: 1, maximum: 255), default: .integer(1), "The port, from 1."),
            .optional("gidIndex", .integer(minimum: 0, maximum: nil),
                      "The GID index (default: perftest's choice; the RoCE TTS addresses its port by GID 0)."),
        ])

    static let targetSpec = ObjectSpec(
        "real target", "The host storage node: its UMA, CTA and TTS, and RTAs on the in-process bus, each driving some of the LUNs' sg devices through SG_IO.",
        [
            .optional("name", .name, default: .string("target"), "The storage system's name (its unit GUID is derived from it)."),
            .required("luns", .array(of: .string, minimumCount: 1),
                      "The SCSI generic devices served, in LUN order, e.g. [\"/dev/sg0\"]."),
            .optional("rtas", .integer(minimum: 1, maximum: 16), default: .integer(1),
                      "RTAs on the in-process bus; the LUNs are dealt to them in turn."),
            .optional("dataPool", .size, default: .string("16MiB"),
                      "Host memory for data in flight, registered with the HCA and shared among the RTAs (TargetConfiguration's default)."),
            .optional("maxTransfer", .size, default: .string("256KiB"), "The largest request a client may make."),
            .optional("sgQueueDepth", .integer(minimum: 1, maximum: 256), default: .integer(16),
                      "Commands each sg device accepts at once (RealSCSIGenericDeviceConfiguration's default)."),
            .optional("sgWorkers", .integer(minimum: 1, maximum: 64), default: .integer(1),
                      "Worker threads per sg device running SG_IO (each blocks in one ioctl at a time)."),
        ])

    static let clientSpec = ObjectSpec(
        "real client", "A client process: a client initiator connected to the target over RDMA, driving its LUNs with a fio-like block load checked by the integrity oracle.",
        [
            .required("name", .name, "The client's name: `iofabric client FILE --name NAME` runs it."),
            .optional("target", .name,
                      "In a cluster file: the system whose client it is (default: the first); it reconnects to the partner after a takeover."),
            .required("duration", .duration, "How long the load issues I/O (then the outstanding I/Os complete)."),
            .optional("luns", .array(of: .integer(minimum: 0, maximum: 65_535), minimumCount: 1),
                      "The LUNs it asks for (default: every LUN it is granted)."),
            .optional("readPercent", .integer(minimum: 0, maximum: 100), default: .integer(50),
                      "The share of reads; the rest are writes."),
            .optional("blockSize", .size, default: .string("4KiB"), "Bytes per I/O: a multiple of the LUNs' block length."),
            .optional("queueDepth", .integer(minimum: 1, maximum: 64), default: .integer(4), "I/Os kept outstanding per LUN."),
            .optional("pattern", .choice(["random", "sequential"]), default: .string("random"), "Where I/Os go."),
            .optional("workingSet", .size,
                      "The span of each LUN the I/Os touch, from LBA 0 (default: all of it)."),
            .optional("rate", .number(minimum: 0.001, maximum: nil), "I/Os per second per LUN; absent: a closed loop."),
            .optional("thinkTime", .duration, default: .string("0s"), "Pause between an I/O's completion and the next."),
            .optional("timeout", .duration, default: .string("10s"), "Per-I/O timeout."),
            .optional("verify", .boolean, default: .bool(true),
                      "Check every read against the last acknowledged write (the data-integrity oracle)."),
            .optional("zeroFirst", .boolean, default: .bool(true),
                      "Before the load, write zeros over the working set through the target, so that a disk holding an earlier run's data is not taken for corruption by the oracle."),
        ])

    static let topologySpec = ObjectSpec(
        "real topology", "Which processes play which role on real RDMA and SCSI devices (iofabric serve / client / run --backend real).",
        [
            .optional("$schema", .string, "The JSON Schema this file follows (for editors; ignored)."),
            .required("name", .name, "The topology's name: `run --backend real` reports to Reports/<name>-real/."),
            .optional("description", .string, "One line on what it shows."),
            .optional("seed", .integer(minimum: 0, maximum: nil), default: .integer(1),
                      "The seed of the agents' random streams (each process adds its role's name)."),
            .optional("device", .object(deviceSpec), "The RDMA device selection (default: the first device, port 1)."),
            .optional("bootstrap", .string,
                      "The folder where the processes exchange what real verbs chose (the target's management endpoint), relative to the current directory (default: Reports/<name>-real/bootstrap)."),
            .optional("startTimeout", .duration, default: .string("60s"),
                      "How long a client waits for the target's endpoint file, and the target for its devices."),
            .optional("target", .object(targetSpec), "The storage target (a file has a target or a cluster)."),
            .optional("cluster", .object(RealClusterFormat.clusterSpec),
                      "An HA pair of storage targets instead of one target: slam connect, heartbeats, NVRAM mirroring, takeover."),
            .required("clients", .array(of: .object(clientSpec), minimumCount: 1), "The clients."),
            .optional("clientOrder", .choice(["together", "oneAfterAnother"]), default: .string("together"),
                      "How `run --backend real` starts the clients: all at once, or each after the previous one ended (for clients that share a LUN and would confuse each other's oracle)."),
        ])
}
