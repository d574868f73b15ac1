import Agents
import Hardware
import SimCore
import SimHardware
import Timebase

/// Red and Blue, each with one simulated HCA per cluster interconnect; each interconnect is a
/// cable between Red's and Blue's HCA (a tiny InfiniBand subnet, SM on Red's side), swept
/// before anything boots. Each side has a `SimNodeRuntime`; managers are made on demand, with
/// both sides provisioned with the predetermined endpoints (first QPN, first region key and
/// address of a fresh HCA, the LIDs the SM assigned).
final class ClusterTestBed: ClusterConnectionManagerObserver {
    enum Side: Int, CaseIterable { case red, blue }

    let simulator: Simulator
    /// `hcas[side][interconnect]`.
    let hcas: [[SimHCA]]
    private let attachments: [[InfiniBandPortAttachment]]
    let runtimes: [SimNodeRuntime]
    let configuration: ClusterConnectionManagerConfiguration
    /// The current manager of each side (a reboot replaces it).
    var managers: [ClusterConnectionManager?] = [nil, nil]
    /// Every transition every manager took: (side, interconnect, edge, time).
    var log: [(side: Side, interconnect: Int, edge: SlamConnectTransition, time: Instant)] = []
    var ready: [(side: Side, interconnect: Int, count: Int, time: Instant)] = []
    /// Called on every transition, after it is logged (fault injection at exact instants).
    var hook: ((Side, Int, SlamConnectTransition) -> Void)?

    init(interconnects: Int = 1, configuration: ClusterConnectionManagerConfiguration = ClusterConnectionManagerConfiguration(),
         seed: UInt64 = 11) throws {
        simulator = Simulator(seed: seed)
        self.configuration = configuration
        var hcas: [[SimHCA]] = [[], []]
        var attachments: [[InfiniBandPortAttachment]] = [[], []]
        for index in 0..<interconnects {
            let fabric = InfiniBandFabric(name: "cluster-ib\(index)", simulator: simulator)
            var pair: [InfiniBandPortAttachment] = []
            for side in Side.allCases {
                let name = "\(side).ic\(index)"
                let hca = SimHCA(name: name, guid: GUID(rawValue: 0x0002_c903_00c0_0000 | UInt64(side.rawValue) << 8 | UInt64(index)),
                                 host: .ideal(latency: .zero), simulator: simulator)
                let attachment = fabric.attachEndpoint(named: name, endpoint: hca.endpoint(port: 1), portGUID: hca.portGUID(1))
                hca.attach(port: 1, to: attachment)
                hcas[side.rawValue].append(hca)
                attachments[side.rawValue].append(attachment)
                pair.append(attachment)
            }
            try fabric.connect(.endpoint(pair[0]), .endpoint(pair[1]), named: "cable\(index)")
            _ = fabric.addSubnetManager(at: pair[0])
            fabric.start()
        }
        self.hcas = hcas
        self.attachments = attachments
        simulator.run(until: .zero + .milliseconds(50))
        runtimes = [SimNodeRuntime(nodeName: "red", simulator: simulator), SimNodeRuntime(nodeName: "blue", simulator: simulator)]
    }

    /// The predetermined endpoint of `side` on interconnect `index`.
    func endpoint(_ side: Side, _ index: Int) -> ClusterEndpoint {
        let lid = attachments[side.rawValue][index].lid
        return ClusterEndpoint(protocolName: "infiniband", address: [UInt8(lid >> 8), UInt8(lid & 0xff)],
                               queuePairNumber: SimHCA.firstQueuePairNumber, rkey: SimHCA.firstRegionKey,
                               stateBlockAddress: SimHCA.firstRegionAddress)
    }

    static func other(_ side: Side) -> Side { side == .red ? .blue : .red }

    /// Opens the adapter of `side` on interconnect `index` (a fresh context).
    func open(_ side: Side, _ index: Int) throws -> any VerbsDeviceContext {
        let hca = hcas[side.rawValue][index]
        return try SimVerbsProvider(adapters: [hca]).openDevice(named: hca.name)
    }

    /// Makes `side`'s manager with `clients` (not started).
    @discardableResult
    func makeManager(_ side: Side, clients: [TestClusterClient] = [], local: [ClusterEndpoint]? = nil) throws -> ClusterConnectionManager {
        var interconnects: [ClusterConnectionManager.Interconnect] = []
        for index in hcas[side.rawValue].indices {
            interconnects.append((context: try open(side, index), port: 1, local: local?[index] ?? endpoint(side, index),
                                  partner: endpoint(Self.other(side), index)))
        }
        let manager = ClusterConnectionManager(name: "\(side).ccm", runtime: runtimes[side.rawValue], interconnects: interconnects,
                                               configuration: configuration)
        manager.observer = self
        for client in clients { manager.register(client) }
        managers[side.rawValue] = manager
        return manager
    }

    /// Makes and starts `side`'s manager now.
    @discardableResult
    func boot(_ side: Side, clients: [TestClusterClient] = []) throws -> ClusterConnectionManager {
        let manager = try makeManager(side, clients: clients)
        manager.start()
        return manager
    }

    func manager(_ side: Side) -> ClusterConnectionManager { managers[side.rawValue]! }

    func state(_ side: Side, _ index: Int = 0) -> SlamConnectState { manager(side).state(ofInterconnect: index) }

    /// Runs until `condition` holds or `limit` has passed; returns whether it holds.
    @discardableResult
    func run(for limit: TimeSpan, until condition: @escaping () -> Bool = { false }) -> Bool {
        simulator.run(until: simulator.now + limit, stopWhen: { _ in condition() })
        return condition()
    }

    /// The edges taken (all sides and interconnects).
    var edges: Set<SlamConnectTransition> { Set(log.map(\.edge)) }

    /// The states `side` went through on interconnect `index`, starting from Initial.
    func path(_ side: Side, _ index: Int = 0) -> [SlamConnectState] {
        [.initial] + log.filter { $0.side == side && $0.interconnect == index }.map(\.edge.to)
    }

    func slamConnectTransition(_ transition: SlamConnectTransition, interconnect: Int, at time: Instant, manager: ClusterConnectionManager) {
        let side: Side = manager.name.hasPrefix("red") ? .red : .blue
        log.append((side, interconnect, transition, time))
        hook?(side, interconnect, transition)
    }

    func clusterConnectionsReady(interconnect: Int, connections: Int, at time: Instant, manager: ClusterConnectionManager) {
        ready.append((manager.name.hasPrefix("red") ? .red : .blue, interconnect, connections, time))
    }
}

/// A cluster connection client that records everything, with optional exposed and source memory.
final class TestClusterClient: ClusterConnectionClient {
    let clusterClientName: String
    let clusterNeeds: ClusterClientNeeds
    let exposed: SimMemory?
    let source: SimMemory?
    var connections: [any ClusterConnection] = []
    var downs: [any ClusterConnection] = []
    var messages: [(bytes: [UInt8], interconnect: Int)] = []
    var completions: [(tag: UInt64, interconnect: Int, success: Bool)] = []

    init(_ name: String, exposedBytes: Int = 0, sourceBytes: Int = 0, maxOutstanding: Int = 8) {
        clusterClientName = name
        exposed = exposedBytes > 0 ? SimMemory(name: name + ".exposed", length: exposedBytes) : nil
        source = sourceBytes > 0 ? SimMemory(name: name + ".source", length: sourceBytes) : nil
        clusterNeeds = ClusterClientNeeds(exposedMemory: exposed, sourceMemory: source, maxMessageBytes: 64, maxOutstanding: maxOutstanding)
    }

    /// The connection that is up on `interconnect`, if any.
    func connection(on interconnect: Int) -> (any ClusterConnection)? {
        connections.last { $0.interconnect == interconnect && $0.isUp }
    }

    func clusterConnectionUp(_ connection: any ClusterConnection) { connections.append(connection) }
    func clusterConnectionDown(_ connection: any ClusterConnection) { downs.append(connection) }
    func clusterMessageReceived(_ message: [UInt8], on connection: any ClusterConnection) {
        messages.append((message, connection.interconnect))
    }
    func clusterOperationCompleted(tag: UInt64, on connection: any ClusterConnection, success: Bool) {
        completions.append((tag, connection.interconnect, success))
    }
}
