import Agents
import Hardware
import SimCore
import SimHardware
import Timebase

/// The network a transport test runs on.
enum TransportFabric: String, CaseIterable, CustomStringConvertible {
    case infiniBand, roce
    var description: String { rawValue }
}

/// A target node and a client node, each with a simulated HCA and a `SimNodeRuntime`, on one
/// switch of an InfiniBand subnet (SM swept) or of a 10 GbE fabric; the target's link is
/// `link0`, the client's `link1`. Both transports are started (pool / buffer of 64 KiB).
final class TransportTestbed {
    let simulator: Simulator
    let fabric: TransportFabric
    let targetHCA: SimHCA
    let clientHCA: SimHCA
    let target: any TargetTransport
    let client: any InitiatorTransport
    let targetDelegate = TargetRecorder()
    let clientDelegate = ClientRecorder()
    private let runtimes: [SimNodeRuntime]
    private let infiniBand: InfiniBandFabric?
    private let ethernet: EthernetFabric?

    static let poolBytes = 64 * 1024

    /// A third HCA on the InfiniBand switch (port 3, `probe.hca0`), for raw verbs traffic.
    let probeHCA: SimHCA

    init(_ fabric: TransportFabric, configuration: TransportConfiguration = TransportConfiguration(), seed: UInt64 = 7) throws {
        self.fabric = fabric
        simulator = Simulator(seed: seed)
        targetHCA = SimHCA(name: "target.hca0", guid: GUID(rawValue: 0x0002_c903_0000_1000), host: .ideal(latency: .zero), simulator: simulator)
        clientHCA = SimHCA(name: "client.hca0", guid: GUID(rawValue: 0x0002_c903_0000_2000), host: .ideal(latency: .zero), simulator: simulator)
        probeHCA = SimHCA(name: "probe.hca0", guid: GUID(rawValue: 0x0002_c903_0000_3000), host: .ideal(latency: .zero), simulator: simulator)
        let hcas = [targetHCA, clientHCA]
        switch fabric {
        case .infiniBand:
            let network = InfiniBandFabric(name: "ib", simulator: simulator)
            let switchID = try network.addSwitch(named: "sw0", portCount: 3)
            var attachments: [InfiniBandPortAttachment] = []
            for (index, hca) in (hcas + [probeHCA]).enumerated() {
                let attachment = network.attachEndpoint(named: hca.name, endpoint: hca.endpoint(port: 1), portGUID: hca.portGUID(1))
                hca.attach(port: 1, to: attachment)
                try network.connect(.endpoint(attachment), .switchPort(switchID, index + 1), named: "link\(index)")
                attachments.append(attachment)
            }
            _ = network.addSubnetManager(at: attachments[0])
            network.start()
            infiniBand = network
            ethernet = nil
        case .roce:
            let network = EthernetFabric(name: "eth", simulator: simulator)
            try network.addSwitch(named: "sw0", portCount: 2)
            for (index, hca) in hcas.enumerated() {
                let attachment = try network.attachEndpoint(
                    named: hca.name, endpoint: hca.endpoint(port: 1), ipv4: IPv4Address(10, 0, 0, UInt8(index + 1)))
                hca.attach(port: 1, to: attachment)
                try network.connect(.endpoint(hca.name), .switchPort("sw0", index + 1), link: "link\(index)")
            }
            infiniBand = nil
            ethernet = network
        }
        // Let the SM sweep (InfiniBand) and the links come up.
        simulator.run(until: .zero + .milliseconds(50))
        let targetRuntime = SimNodeRuntime(nodeName: "target", simulator: simulator)
        let clientRuntime = SimNodeRuntime(nodeName: "client", simulator: simulator)
        runtimes = [targetRuntime, clientRuntime]
        let provider = SimVerbsProvider(adapters: hcas)
        let targetContext = try provider.openDevice(named: targetHCA.name)
        let clientContext = try provider.openDevice(named: clientHCA.name)
        switch fabric {
        case .infiniBand:
            target = InfiniBandTransport(name: "tts", runtime: targetRuntime, context: targetContext, configuration: configuration)
            client = InfiniBandTransport(name: "tts", runtime: clientRuntime, context: clientContext, configuration: configuration)
        case .roce:
            target = RoCETransport(name: "tts", runtime: targetRuntime, context: targetContext, configuration: configuration)
            client = RoCETransport(name: "tts", runtime: clientRuntime, context: clientContext, configuration: configuration)
        }
        target.connectionDelegate = targetDelegate
        target.dataDelegate = targetDelegate
        client.delegate = clientDelegate
        targetDelegate.transport = target
        try target.start(dataPoolBytes: Self.poolBytes)
        try client.start(bufferBytes: Self.poolBytes)
    }

    /// A fault on `link` now (the fabric applies it at once, before anything later).
    func fault(_ action: FabricFault.Action, on link: String) throws {
        if let infiniBand { try infiniBand.schedule(FabricFault(action, on: link), at: simulator.now) }
        if let ethernet { try ethernet.schedule(FabricFault(action, on: link), at: simulator.now) }
    }

    /// Runs until `condition` holds or `limit` of virtual time has passed; returns whether it holds.
    @discardableResult
    func run(for limit: TimeSpan = .milliseconds(100), until condition: @escaping () -> Bool = { false }) -> Bool {
        simulator.run(until: simulator.now + limit, stopWhen: { _ in condition() })
        return condition()
    }

    static let unit = IOUnitAdvertisement(
        unitGUID: 0xfeed_0001, changeID: 3,
        controllers: [IOControllerProfile(slot: 1, guid: 0xc0_0001, luns: [LUNProfile(lun: 0, blockLength: 512, blockCount: 1 << 20),
                                                                         LUNProfile(lun: 1, blockLength: 4096, blockCount: 1 << 16)])],
        services: [.blockStorage])

    var offer: ConnectionOffer {
        ConnectionOffer(clientGUID: client.clientGUID, serviceID: ServiceEntry.blockStorage.serviceID, requestedLUNs: [0, 1],
                        regions: [client.bufferRegion], maxOutstanding: 8)
    }

    static let grant = ConnectionGrant(luns: [0, 1], maxTransferBytes: 1 << 20, maxOutstanding: 8)

    /// Connects the client (the target accepting as `id`) and returns the connection.
    func connect(as id: ConnectionID = ConnectionID(rawValue: 7)) throws -> ConnectionID? {
        targetDelegate.autoAccept = (id, Self.grant)
        try client.connect(to: target.serviceAddress, offer: offer, tag: 1)
        run { !self.clientDelegate.connected.isEmpty || !self.clientDelegate.failures.isEmpty }
        return clientDelegate.connected.first?.connection
    }
}

/// Records what a target transport reports; accepts requests at once when `autoAccept` is set.
final class TargetRecorder: TargetConnectionDelegate, TargetDataDelegate {
    weak var transport: (any TargetTransport)?
    var autoAccept: (ConnectionID, ConnectionGrant)?
    var requests: [IncomingConnection] = []
    var closed: [(ConnectionID, ConnectionCloseReason)] = []
    var messages: [([UInt8], ConnectionID)] = []
    var transfers: [(tag: UInt64, connection: ConnectionID, status: TransportStatus)] = []
    var acceptErrors: [TransportError] = []

    func connectionRequested(_ request: IncomingConnection) {
        requests.append(request)
        guard let (id, grant) = autoAccept else { return }
        do { try transport?.accept(request, as: id, grant: grant) } catch { acceptErrors.append(error) }
    }
    func connectionClosed(_ connection: ConnectionID, reason: ConnectionCloseReason) { closed.append((connection, reason)) }
    func messageReceived(_ message: [UInt8], on connection: ConnectionID) { messages.append((message, connection)) }
    func transferCompleted(tag: UInt64, on connection: ConnectionID, status: TransportStatus) {
        transfers.append((tag, connection, status))
    }
}

/// Records what an initiator transport reports.
final class ClientRecorder: InitiatorTransportDelegate {
    var answers: [(tag: UInt64, reply: DeviceManagementReply?)] = []
    var connected: [(tag: UInt64, connection: ConnectionID, grant: ConnectionGrant)] = []
    var failures: [(tag: UInt64, reason: ConnectFailure)] = []
    var messages: [([UInt8], ConnectionID)] = []
    var closed: [(ConnectionID, ConnectionCloseReason)] = []

    func queryAnswered(tag: UInt64, reply: DeviceManagementReply?) { answers.append((tag, reply)) }
    func connected(tag: UInt64, connection: ConnectionID, grant: ConnectionGrant) { connected.append((tag, connection, grant)) }
    func connectFailed(tag: UInt64, reason: ConnectFailure) { failures.append((tag, reason)) }
    func messageReceived(_ message: [UInt8], on connection: ConnectionID) { messages.append((message, connection)) }
    func connectionClosed(_ connection: ConnectionID, reason: ConnectionCloseReason) { closed.append((connection, reason)) }
}
