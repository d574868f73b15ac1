import Agents
import Hardware
import SimCore
import SimHardware
import Timebase

/// Test doubles for the CTA's cluster write path (no tests here): a target transport whose
/// RDMA takes `rdmaLatency` (client memory is a `SimMemory` addressed from 0), and an RTA with
/// one device whose disk takes `diskLatency` per command.

final class FakeTargetTransport: TargetTransport, TimerHandler {
    let protocolName = "fake"
    weak var connectionDelegate: (any TargetConnectionDelegate)?
    weak var dataDelegate: (any TargetDataDelegate)?
    let runtime: SimNodeRuntime
    let client = SimMemory(name: "client", length: 1 << 20)
    private(set) var pool = SimMemory(name: "pool", length: 1)
    var dataPool: any MemoryBuffer { pool }
    let rdmaLatency: TimeSpan
    private(set) var statistics = TransportStatistics()
    private(set) var responses: [(response: ClientResponse, at: Instant)] = []
    private var transfers: [(tag: UInt64, connection: ConnectionID, read: Bool, pool: [PoolSegment], remote: RemoteBuffer)?] = []

    init(runtime: SimNodeRuntime, rdmaLatency: TimeSpan) {
        self.runtime = runtime
        self.rdmaLatency = rdmaLatency
    }

    func start(dataPoolBytes: Int) throws(TransportError) { pool = SimMemory(name: "pool", length: dataPoolBytes) }
    var serviceAddress: ServiceAddress {
        ServiceAddress(protocolName: protocolName, endpoint: TransportEndpoint(address: [0], queuePairNumber: 1, packetSequenceNumber: 0), queueKey: 0)
    }
    func advertise(_ unit: IOUnitAdvertisement) {}
    func accept(_ request: IncomingConnection, as connection: ConnectionID, grant: ConnectionGrant) throws(TransportError) {}
    func reject(_ request: IncomingConnection, reason: ConnectRejectReason) {}
    func close(_ connection: ConnectionID) {}

    func send(_ message: [UInt8], on connection: ConnectionID) throws(TransportError) {
        if case .response(let response) = try? ConnectionMessage(decoding: message) { responses.append((response, runtime.now)) }
    }

    func write(_ pool: [PoolSegment], to remote: RemoteBuffer, on connection: ConnectionID, tag: UInt64) throws(TransportError) {
        schedule((tag, connection, false, pool, remote))
    }

    func read(_ remote: RemoteBuffer, into pool: [PoolSegment], on connection: ConnectionID, tag: UInt64) throws(TransportError) {
        schedule((tag, connection, true, pool, remote))
    }

    private func schedule(_ transfer: (tag: UInt64, connection: ConnectionID, read: Bool, pool: [PoolSegment], remote: RemoteBuffer)) {
        transfers.append(transfer)
        runtime.scheduleTimer(after: rdmaLatency, handler: self, token: UInt64(transfers.count - 1))
    }

    func timerFired(_ token: UInt64) {
        guard let transfer = transfers[Int(token)] else { return }
        transfers[Int(token)] = nil
        var address = Int(transfer.remote.address)
        for segment in transfer.pool {
            if transfer.read {
                pool.write(client.read(offset: address, count: segment.length), at: segment.offset)
            } else {
                client.write(pool.read(offset: segment.offset, count: segment.length), at: address)
            }
            address += segment.length
        }
        dataDelegate?.transferCompleted(tag: transfer.tag, on: transfer.connection, status: .success)
    }

    /// A client's request arrives.
    func request(_ request: ClientRequest) {
        dataDelegate?.messageReceived(ConnectionMessage.request(request).encoded(), on: request.connection)
    }

    func response(tag: UInt64) -> (response: ClientResponse, at: Instant)? { responses.first { $0.response.tag == tag } }
}

/// An RTA with one device of `blockCount` 512-byte blocks kept in memory. Reads and writes take
/// `diskLatency` at the device; it reaches the host's data pool directly (offset = bus address −
/// the attached window's address, one RTA owning the whole pool).
final class FakeDiskRTA: ResidualMessageStoreDelegate, TimerHandler {
    let runtime: SimNodeRuntime
    let store: ResidualMessageStore
    let pool: () -> any MemoryBuffer
    let diskLatency: TimeSpan
    let blockLength = 512
    var disk: [UInt8]
    /// Disk writes to fail (each failure consumes one).
    var failWrites = 0
    private(set) var windowAddress = BusAddress(rawValue: 0)
    private var host = BusEndpoint(rawValue: 0)
    private var requests: [UInt64: RTARequest] = [:]
    private var pending: [(transaction: UInt64, read: Bool)] = []
    /// Every disk write that reached the medium: (lba, at).
    private(set) var diskWrites: [(lba: UInt64, at: Instant)] = []
    private(set) var hostConnectionRequests = 0

    init(runtime: SimNodeRuntime, channel: any BusChannel, diskLatency: TimeSpan, blocks: Int, pool: @escaping () -> any MemoryBuffer) {
        self.runtime = runtime
        store = ResidualMessageStore(name: "rta", channel: channel, runtime: runtime)
        self.diskLatency = diskLatency
        self.pool = pool
        disk = [UInt8](repeating: 0, count: blocks * 512)
        store.delegate = self
    }

    private func slot(_ transaction: UInt64, _ bytes: Int) -> [BusSegment] {
        [BusSegment(address: windowAddress + Int(transaction % 32) * (256 << 10), length: UInt32(bytes))]
    }

    private func poolOffset(_ transaction: UInt64) -> Int { Int(transaction % 32) * (256 << 10) }

    func residualStore(_ store: ResidualMessageStore, received payload: [UInt8], from peer: BusEndpoint) {
        host = peer
        guard let message = try? AgentMessage(decoding: payload) else { return }
        switch message {
        case .attach(let buffers, _): windowAddress = buffers.address
        case .discover(let generation):
            let identity = DeviceIdentity(vendor: "TEST", product: "DISK", serialNumber: "1", worldWideName: 1, blockLength: 512,
                                          blockCount: UInt64(disk.count / 512))
            store.send(AgentMessage.resources(generation: generation, devices: [DeviceProfile(device: 0, identity: identity)]).encoded(), to: peer)
        case .ioRequest(let request):
            requests[request.transaction] = request
            if request.connection == .host { hostConnectionRequests += 1 }
            let bytes = Int(request.blocks) * blockLength
            if request.operation == .write {
                store.send(AgentMessage.buffersReady(transaction: request.transaction, slot(request.transaction, bytes)).encoded(), to: peer)
            } else {
                pending.append((request.transaction, true))
                runtime.scheduleTimer(after: diskLatency, handler: self, token: UInt64(pending.count - 1))
            }
        case .dataPlaced(let transaction):
            pending.append((transaction, false))
            runtime.scheduleTimer(after: diskLatency, handler: self, token: UInt64(pending.count - 1))
        default: break
        }
    }

    func residualStore(_ store: ResidualMessageStore, peerUnreachable peer: BusEndpoint) {}

    func timerFired(_ token: UInt64) {
        let (transaction, read) = pending[Int(token)]
        guard let request = requests[transaction] else { return }
        let bytes = Int(request.blocks) * blockLength
        let at = Int(request.lba) * blockLength
        let times = RTATimes(disk: diskLatency)
        if read {
            pool().write(disk[at..<(at + bytes)], at: poolOffset(transaction))
            store.send(AgentMessage.dataReady(transaction: transaction, slot(transaction, bytes), times).encoded(), to: host)
        } else if failWrites > 0 {
            failWrites -= 1
            store.send(AgentMessage.ioComplete(transaction: transaction, .deviceUnavailable, times).encoded(), to: host)
        } else {
            disk.replaceSubrange(at..<(at + bytes), with: pool().read(offset: poolOffset(transaction), count: bytes))
            diskWrites.append((request.lba, runtime.now))
            store.send(AgentMessage.ioComplete(transaction: transaction, .good, times).encoded(), to: host)
        }
    }
}

/// A storage target (UMA + CTA) with a fake transport, a fake RTA on a fake bus, and optionally
/// an NVRAM mirror (to a partner NVRAM over a fake cluster connection) as the CTA's write log.
final class CTATestbed: InternalWriteDelegate {
    let simulator: Simulator
    let runtime: SimNodeRuntime
    let bus: RTAFakeBus
    let transport: FakeTargetTransport
    let rta: FakeDiskRTA
    let uma: UnitManagementAgent
    let mirror: NVRAMMirror?
    let mirrorConnection: FakeClusterConnection?
    let partnerNVRAM: SimNVRAM
    /// Assumptions of the doubles: RDMA 10 µs, disk 5 ms, cluster link 2 µs + 1 GB/s.
    let rdmaLatency: TimeSpan = .microseconds(10)
    let diskLatency: TimeSpan = .milliseconds(5)
    var connection = ConnectionID(rawValue: 1)
    private(set) var internalCompletions: [(tag: UInt64, status: IOStatus, at: Instant)] = []

    init(logged: Bool, mirrored: Bool = true, seed: UInt64 = 5) {
        simulator = Simulator(seed: seed)
        runtime = SimNodeRuntime(nodeName: "host", simulator: simulator)
        bus = RTAFakeBus(simulator: simulator, seed: seed)
        let hostChannel = bus.makeChannel()
        let rtaChannel = bus.makeChannel()
        let transport = FakeTargetTransport(runtime: runtime, rdmaLatency: rdmaLatency)
        self.transport = transport
        rta = FakeDiskRTA(runtime: runtime, channel: rtaChannel, diskLatency: diskLatency, blocks: 4096) { transport.dataPool }
        var configuration = TargetConfiguration()
        configuration.dataPoolBytes = 8 << 20
        uma = UnitManagementAgent(name: "host", runtime: runtime, transport: transport, channel: hostChannel, configuration: configuration)
        let capacity = 1 << 20
        partnerNVRAM = SimNVRAM(name: "blue.nvram", capacity: capacity)
        if logged {
            let nvram = SimNVRAM(name: "red.nvram", capacity: capacity)
            let mirror = NVRAMMirror(name: "red.nvram-mirror", runtime: runtime, nvram: nvram, layout: .halves(of: capacity))
            self.mirror = mirror
            if mirrored {
                let link = FakeClusterConnection(
                    interconnect: 0, runtime: runtime, client: mirror, source: nvram, remote: partnerNVRAM, latency: .microseconds(2),
                    bytesPerSecond: 1_000_000_000)
                mirror.clusterConnectionUp(link)
                mirrorConnection = link
            } else {
                mirrorConnection = nil
            }
            uma.cta.writeLog = mirror
        } else {
            mirror = nil
            mirrorConnection = nil
        }
        uma.reset()
        simulator.run(until: simulator.now + .milliseconds(1))
        uma.connectionRequested(IncomingConnection(handle: 1, offer: ConnectionOffer(
            clientGUID: 1, serviceID: ServiceEntry.blockStorage.serviceID, requestedLUNs: [], regions: [RemoteBuffer(address: 0, length: 1 << 20, rkey: 1)],
            maxOutstanding: 32)))
        simulator.run(until: simulator.now + .milliseconds(1))
    }

    /// A client write of `blocks` blocks at `lba` from client memory at `address`, filled first.
    func write(tag: UInt64, lba: UInt64, blocks: UInt32, address: Int, data: [UInt8]) {
        transport.client.write(data, at: address)
        transport.request(ClientRequest(
            tag: tag, connection: connection, lun: 0, operation: .write, lba: lba, blocks: blocks,
            buffer: RemoteBuffer(address: UInt64(address), length: blocks * 512, rkey: 1)))
    }

    func read(tag: UInt64, lba: UInt64, blocks: UInt32, address: Int) {
        transport.request(ClientRequest(
            tag: tag, connection: connection, lun: 0, operation: .read, lba: lba, blocks: blocks,
            buffer: RemoteBuffer(address: UInt64(address), length: blocks * 512, rkey: 1)))
    }

    var route: RoutingTable.LUNRoute {
        let entry = uma.table.entry(lun: 0)!
        return RoutingTable.LUNRoute(endpoint: entry.endpoint, device: entry.device, blockLength: 512, blockCount: 4096)
    }

    func internalWriteCompleted(tag: UInt64, status: IOStatus) { internalCompletions.append((tag, status, runtime.now)) }

    func run(for span: TimeSpan) { simulator.run(until: simulator.now + span) }
}
