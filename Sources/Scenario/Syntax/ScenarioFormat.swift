/// The scenario file format, declared once: the walker checks files against it, the JSON
/// Schema in `Scenarios/scenario.schema.json` is generated from it (`iofabric schema`), and
/// a test keeps the two equal.
enum ScenarioFormat {
    static let diskModels = ["atlas10K", "cheetah15K", "barracudaATA4"]
    static let faultActions = [
        "diskFail", "diskSlow", "diskPull", "diskInsert", "diskPowerLoss", "diskPowerRestore", "diskMediaError",
        "loopFail", "loopRepair", "pciErrors", "pciClear",
        "linkDown", "linkUp", "switchFail", "switchRecover", "hcaFail", "packetLoss", "packetCorruption",
        "packetDelay", "clearLinkFaults", "nodeCrash", "nodeReboot", "interconnectCut", "interconnectRepair",
        "partition", "partitionHeal", "swizzleClog",
    ]

    static let switchSpec = ObjectSpec(
        "switch", "A switch of a fabric.",
        [
            .required("name", .name, "The switch's name, unique in its fabric."),
            .optional("ports", .integer(minimum: 2, maximum: 254), default: .integer(8), "Number of ports."),
        ])

    static let fabricSpec = ObjectSpec(
        "fabric", "A switched network: InfiniBand, or Ethernet carrying RoCE v2.",
        [
            .required("name", .name, "The fabric's name, unique in the scenario."),
            .required("kind", .choice(["infiniband", "ethernet"]), "The network protocol."),
            .optional("switches", .array(of: .object(switchSpec), minimumCount: 0), default: .array([]),
                      "Its switches; with none, each adapter must be the only one on the fabric besides one peer."),
            .optional("priorityFlowControl", .boolean, default: .bool(true),
                      "Ethernet only: lossless priority flow control (PFC) on every link."),
        ])

    static let hcaSpec = ObjectSpec(
        "hca", "A host channel adapter (InfiniBand) or RDMA NIC (RoCE), on its node's PCI bus.",
        [
            .optional("name", .name, default: .string("hca0"), "The adapter's name, unique in its node."),
            .required("fabric", .name, "The fabric its port 1 is cabled to."),
            .optional("switch", .name, "The switch its port is cabled to (required when the fabric has switches)."),
        ])

    static let controllerSpec = ObjectSpec(
        "controller", "An I/O controller on a storage node's PCI bus, with one port per loop it reaches.",
        [
            .required("name", .name, "The controller's name, unique in its node."),
            .optional("kind", .choice(["scsiHBA", "ataController"]), default: .string("scsiHBA"),
                      "A Fibre Channel SCSI HBA (tagged queueing) or an ATA controller (one command per disk)."),
            .required("loops", .array(of: .string, minimumCount: 1),
                      "The loops its ports are on, as \"<shelf>.A\" or \"<shelf>.B\"."),
        ])

    static let nodeSpec = ObjectSpec(
        "node", "A storage node: a PCI bus with adapters, I/O controllers and NVRAM.",
        [
            .required("name", .name, "The node's name, unique in the scenario."),
            .optional("pciBus", .choice(["pci32at33", "pci64at66"]), default: .string("pci32at33"),
                      "The node's PCI bus: 32-bit 33 MHz (133 MB/s peak) or 64-bit 66 MHz (533 MB/s peak)."),
            .optional("nvram", .size, default: .integer(0), "Battery-backed memory on the node (0: none)."),
            .optional("hcas", .array(of: .object(hcaSpec), minimumCount: 0), default: .array([]), "Its adapters."),
            .optional("controllers", .array(of: .object(controllerSpec), minimumCount: 0), default: .array([]),
                      "Its I/O controllers."),
        ])

    static let storageNodeSpec = ObjectSpec(
        "storageNode", "A storage node of a storage system: an I/O processor on the system's PCI bus, running an RTA, with its own PCI bus for its I/O controllers.",
        [
            .required("name", .name, "The node's name, unique in its system (components are named \"<system>.<node>…\")."),
            .optional("pciBus", .choice(["pci32at33", "pci64at66"]), default: .string("pci64at66"),
                      "The node's own (secondary) PCI bus, where its controllers sit."),
            .required("controllers", .array(of: .object(controllerSpec), minimumCount: 1),
                      "Its I/O controllers; the DDM for each disk follows the controller's kind (scsiHBA: SCSI, ataController: ATA)."),
        ])

    static let lunMaskSpec = ObjectSpec(
        "lunMask", "The LUNs one client may reach (LUN masking in the CTA's routing table).",
        [
            .required("client", .name, "The client."),
            .required("luns", .array(of: .integer(minimum: 0, maximum: 65_535), minimumCount: 0), "Its LUNs."),
        ])

    static let systemSpec = ObjectSpec(
        "system", "A storage system (the storage target): a host storage node with an adapter on a fabric (UMA, CTA, TTS) and storage nodes (RTAs) on one PCI bus.",
        [
            .required("name", .name, "The system's name, unique among hosts; its bus is \"<name>.pci\", its adapter \"<name>.hca0\"."),
            .optional("pciBus", .choice(["pci32at33", "pci64at66"]), default: .string("pci64at66"),
                      "The bus shared by the host storage node, its adapter and the storage nodes."),
            .optional("nvram", .size, default: .integer(0), "Battery-backed memory on the host storage node (0: none)."),
            .required("hcas", .array(of: .object(hcaSpec), minimumCount: 1), "The host storage node's adapters (the TTS uses the first)."),
            .required("storageNodes", .array(of: .object(storageNodeSpec), minimumCount: 1), "The storage nodes on the bus."),
            .optional("dataPool", .size, default: .string("16MiB"),
                      "Host memory for data in flight, shared by the RTAs (registered with the adapter, exposed on the bus)."),
            .optional("maxTransfer", .size, default: .string("256KiB"), "The largest request a client may make."),
            .optional("lunMasks", .array(of: .object(lunMaskSpec), minimumCount: 0),
                      "Which LUNs each listed client may reach (default: every client reaches every LUN)."),
            .optional("defaultLUNs", .array(of: .integer(minimum: 0, maximum: 65_535), minimumCount: 0),
                      "The LUNs a client without a mask may reach (default: all)."),
        ])

    static let diskGroupSpec = ObjectSpec(
        "diskGroup", "Identical disks filling the next bays of a shelf.",
        [
            .required("model", .choice(diskModels), "The drive model (see README: disk models)."),
            .optional("count", .integer(minimum: 1, maximum: 126), default: .integer(1), "How many."),
            .optional("writeCache", .boolean, "Whether the drives' write caches are on (default: the model's)."),
        ])

    static let shelfSpec = ObjectSpec(
        "shelf", "A disk shelf: bays of dual-ported disks on two FC-AL loops, A and B.",
        [
            .required("name", .name, "The shelf's name, unique in the scenario."),
            .optional("loopRate", .choice(["1GFC", "2GFC"]), default: .string("2GFC"), "The speed of both loops."),
            .optional("bays", .integer(minimum: 1, maximum: 126), default: .integer(14), "Number of bays."),
            .required("disks", .array(of: .object(diskGroupSpec), minimumCount: 1),
                      "The disks, filling bays 0, 1, 2… in order."),
        ])

    static let clientSpec = ObjectSpec(
        "client", "A client host with one adapter on a fabric.",
        [
            .required("name", .name, "The client's name, unique in the scenario."),
            .required("fabric", .name, "The fabric its adapter is cabled to."),
            .optional("switch", .name, "The switch (required when the fabric has switches)."),
            .optional("pciBus", .choice(["ideal", "pci32at33", "pci64at66"]), default: .string("pci64at66"),
                      "The client's host bus, or \"ideal\" for none."),
        ])

    static let interconnectSpec = ObjectSpec(
        "interconnect", "A cluster interconnect: one dedicated InfiniBand adapter per partner on its host storage node's bus, cabled back to back.",
        [
            .required("name", .name, "Its name, unique in the scenario: the adapters are \"<system>.<name>\", the cable is named after the second."),
        ])

    static let connectionManagerSpec = ObjectSpec(
        "connectionManager", "A cluster connection manager of each partner: it slam connects on its interconnects and serves its clients on the first one up, moving them to the next when it fails, independently of the other managers.",
        [
            .required("interconnects", .array(of: .name, minimumCount: 1),
                      "The cluster's interconnects it uses, by name, in preference order (the first is its primary)."),
            .required("clients", .array(of: .choice(ConnectionManagerDefinition.clientNames), minimumCount: 1),
                      "The cluster connection clients it serves; each client is served by exactly one manager."),
        ])

    static let clusterSpec = ObjectSpec(
        "cluster", "Two storage systems in a high-availability pair: each owns the shelves its storage nodes reach through A loops and reaches its partner's through B loops; they slam connect over the interconnects, mirror each other's NVRAM write log, and take over each other's shelf.",
        [
            .required("name", .name, "The cluster's name (a partition fault targets it)."),
            .required("systems", .array(of: .name, minimumCount: 2), "The two partners, by system name."),
            .required("interconnects", .array(of: .object(interconnectSpec), minimumCount: 1),
                      "Its interconnects; with two, one can fail without a takeover."),
            .optional("heartbeatInterval", .duration, default: .string("50ms"), "How often the failover monitors exchange heartbeats."),
            .optional("missedHeartbeats", .integer(minimum: 1, maximum: 1000), default: .integer(4),
                      "Heartbeat intervals without any heartbeat before the partner is declared failed."),
            .optional("slamConnectTimeout", .duration, default: .string("2s"),
                      "How long slam connect waits for a partner that has not booted before it reports Error (and retries)."),
            .optional("mirror", .boolean, default: .bool(true),
                      "Mirror every write's NVRAM log record to the partner before acknowledging it. false is unsafe: it shows what the mirror protects."),
            .optional("consistencyPoint", .duration,
                      "Write-behind: a write acknowledged from NVRAM reaches disk only at the next consistency point, taken this often (and sooner when the log or the buffers fill, or a request waits for a held write). Absent: each write goes to disk once logged."),
            .optional("connectionManagers", .array(of: .object(connectionManagerSpec), minimumCount: 1),
                      "The cluster connection managers of each partner. Absent: one manager over every interconnect, serving both clients."),
        ])

    static let topologySpec = ObjectSpec(
        "topology", "What is simulated: fabrics, storage nodes, shelves, clients.",
        [
            .optional("fabrics", .array(of: .object(fabricSpec), minimumCount: 0), default: .array([]), "Networks."),
            .optional("nodes", .array(of: .object(nodeSpec), minimumCount: 0), default: .array([]),
                      "Standalone storage nodes (disk workloads run on them)."),
            .optional("systems", .array(of: .object(systemSpec), minimumCount: 0), default: .array([]),
                      "Storage systems: targets serving LUNs to clients over a fabric."),
            .optional("shelves", .array(of: .object(shelfSpec), minimumCount: 0), default: .array([]), "Disk shelves."),
            .optional("clients", .array(of: .object(clientSpec), minimumCount: 0), default: .array([]), "Client hosts."),
            .optional("clusters", .array(of: .object(clusterSpec), minimumCount: 0), default: .array([]),
                      "High-availability pairs of storage systems."),
        ])

    static let workloadSpec = ObjectSpec(
        "workload", "A fio-like load. kind \"disk\": a node drives disks through its controllers (SG_IO). kind \"block\": a client drives a storage system's LUNs over the fabric. kind \"rdma\": one client moves data to another by RDMA.",
        [
            .required("name", .name, "The workload's name, unique in the scenario; metrics are reported under it."),
            .required("kind", .choice(["disk", "block", "rdma"]), "What drives the load."),
            .optional("node", .name, "disk: the storage node that issues the I/O."),
            .optional("client", .name, "block: the client that issues the I/O."),
            .optional("target", .name, "block: the storage system it connects to."),
            .optional("luns", .array(of: .integer(minimum: 0, maximum: 65_535), minimumCount: 1),
                      "block: the LUNs it asks for (default: every LUN it is granted)."),
            .optional("disks", .array(of: .string, minimumCount: 1),
                      "disk: the disks, as \"<shelf>\" (every disk) or \"<shelf>.bay<N>\" (default: every disk the node reaches)."),
            .optional("from", .name, "rdma: the client that issues the transfers."),
            .optional("to", .name, "rdma: the client at the other end."),
            .optional("operation", .choice(["write", "read", "send"]), default: .string("write"),
                      "rdma: RDMA WRITE, RDMA READ or SEND."),
            .optional("readPercent", .integer(minimum: 0, maximum: 100), default: .integer(100),
                      "disk, block: the share of reads; the rest are writes."),
            .optional("blockSize", .size, default: .string("4KiB"), "Bytes per I/O (disk, block: a multiple of 512)."),
            .optional("queueDepth", .integer(minimum: 1, maximum: 4096), default: .integer(1),
                      "I/Os kept outstanding per disk (disk), per LUN (block) or per connection (rdma)."),
            .optional("pattern", .choice(["random", "sequential"]), default: .string("random"), "disk, block: where I/Os go."),
            .optional("workingSet", .size, "disk, block: the span of each disk or LUN the I/Os touch, from LBA 0 (default: all of it)."),
            .optional("rate", .number(minimum: 0.001, maximum: nil),
                      "I/Os per second per disk (disk), per LUN (block) or per connection (rdma); absent: a closed loop."),
            .optional("thinkTime", .duration, default: .string("0s"), "Pause between an I/O's completion and the next."),
            .optional("start", .duration, default: .string("0s"), "When the load starts."),
            .optional("stop", .duration, "When it stops issuing (default: the end of the run)."),
            .optional("timeout", .duration, default: .string("10s"), "Per-I/O timeout."),
            .optional("verify", .boolean, default: .bool(true),
                      "disk, block: check every read against the last acknowledged write (the data-integrity oracle)."),
        ])

    static let faultSpec = ObjectSpec(
        "fault", "Something that goes wrong at a time: give \"at\", or a \"window\" for a time drawn from the seed.",
        [
            .required("action", .choice(faultActions), "What happens (see README: faults)."),
            .required("target", .string, "What it happens to: a disk \"<shelf>.bay<N>\", a loop \"<shelf>.A\", a node's PCI bus \"<node>.pci\", a link \"<name>\", a switch, an adapter \"<node>.<hca>\", a storage system (nodeCrash, nodeReboot), an interconnect (interconnectCut, interconnectRepair), a cluster (partition, partitionHeal), a fabric (swizzleClog)."),
            .optional("at", .duration, "When."),
            .optional("window", .array(of: .duration, minimumCount: 2),
                      "[earliest, latest]: when, drawn uniformly from the scenario's seed."),
            .optional("for", .duration, "Heal it after this long (the matching repair action)."),
            .optional("factor", .number(minimum: 1, maximum: 1000), "diskSlow: how many times slower."),
            .optional("probability", .number(minimum: 0, maximum: 1),
                      "pciErrors, packetLoss, packetCorruption: the share of transactions or packets hit."),
            .optional("delay", .duration, "packetDelay: added per packet."),
            .optional("lba", .integer(minimum: 0, maximum: nil), "diskMediaError: first bad block."),
            .optional("blocks", .integer(minimum: 1, maximum: nil), default: .integer(1), "diskMediaError: how many."),
            // FoundationDB's swizzle clogs half of the connections it picks (sim2 `swizzleClog`
            // clogs a random subset); 0.5 follows it. The 1 ms step is an assumption: long
            // enough for the clogs to land on different packets, short against the clog.
            .optional("fraction", .number(minimum: 0, maximum: 1), default: .number(0.5),
                      "swizzleClog: the share of the fabric's links clogged (rounded, at least one)."),
            .optional("step", .duration, default: .string("1ms"),
                      "swizzleClog: the time between two links' clogs, and between two unclogs."),
        ])

    static let scenarioSpec = ObjectSpec(
        "scenario", "An iofabric scenario: a topology, workloads, faults, and what must hold.",
        [
            .optional("$schema", .string, "The JSON Schema this file follows (for editors; ignored)."),
            .required("name", .name, "The scenario's name: its report goes to Reports/<name>/."),
            .optional("description", .string, "One line on what it shows (iofabric list prints it)."),
            .optional("seed", .integer(minimum: 0, maximum: nil), default: .integer(1),
                      "The seed of every random draw; --seed overrides it."),
            .required("duration", .duration, "Simulated time to run (with liveness: the safety phase, faults included)."),
            .optional("liveness", .duration,
                      "A liveness phase after duration: every fault still in effect is healed at its start and the run goes on this long with no fault; every workload must complete I/O in it."),
            .required("topology", .object(topologySpec), "What is simulated."),
            .optional("workloads", .array(of: .object(workloadSpec), minimumCount: 0), default: .array([]),
                      "The load."),
            .optional("faults", .array(of: .object(faultSpec), minimumCount: 0), default: .array([]),
                      "The fault schedule."),
            .optional("expectations", .array(of: .string, minimumCount: 0), default: .array([]),
                      "What must hold, as \"<metric> <op> <value>\", e.g. \"readIOPS >= 400\", \"p99ReadLatency <= 30ms\"."),
        ])
}
