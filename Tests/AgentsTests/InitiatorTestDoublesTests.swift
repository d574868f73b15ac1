// Test doubles for the initiator's tests (no tests here): a tiny in-test storage target and an
// `InitiatorTransport` that reaches it in virtual time, with faults on demand.
import Agents
import Hardware
import SimCore
import SimHardware

/// The LUNs' bytes, shared by every ``InitiatorFakeTarget`` serving the same disks (a cluster
/// partner after a takeover serves the same LUNs).
final class InitiatorFakeDisks {
    struct Volume {
        var profile: LUNProfile
        var data: [UInt8]
    }

    var volumes: [UInt16: Volume] = [:]
    /// Every write executed, by any target: (LUN, LBA, blocks).
    private(set) var writes: [(lun: UInt16, lba: UInt64, blocks: UInt32)] = []

    init(volumes: [LUNProfile]) {
        for profile in volumes {
            self.volumes[profile.lun] = Volume(profile: profile, data: [UInt8](repeating: 0, count: Int(profile.blockCount) * Int(profile.blockLength)))
        }
    }

    func wrote(_ lun: UInt16, lba: UInt64, blocks: UInt32) { writes.append((lun, lba, blocks)) }
}

/// A target that answers discovery, connections and block requests from byte arrays, and can
/// delay, drop, reject, answer CHECK CONDITION, or fail the connection.
final class InitiatorFakeTarget {
    typealias Volume = InitiatorFakeDisks.Volume

    var advertisement: IOUnitAdvertisement
    let disks: InitiatorFakeDisks
    var volumes: [UInt16: Volume] {
        get { disks.volumes }
        set { disks.volumes = newValue }
    }
    var grant: ConnectionGrant
    /// One-way fabric latency.
    var latency: TimeSpan = .microseconds(5)
    /// What the target reports for each request; its total is how long the target holds it.
    var times = ServiceTimes(cta: .microseconds(2), pci: .microseconds(10), rta: .microseconds(3), disk: .milliseconds(4))
    /// Answer no device-management query.
    var silent = false
    /// Refuse connections.
    var rejectConnects: ConnectRejectReason?
    /// Execute requests but never send their responses.
    var dropResponses = false
    /// A read touching this LBA ends in MEDIUM ERROR 11/00 with the LBA as information.
    var mediumErrorLBA: UInt64?
    /// Answer every request with this status, without executing it (e.g. the CTA's
    /// ``IOStatus/transferFailed`` when its RDMA to the client failed).
    var forcedStatus: IOStatus?
    /// Gone (its adapter failed): answers no query and no connect.
    var down = false
    /// Requests starting at these LBAs are executed but their responses held forever.
    var holdLBAs: Set<UInt64> = []

    private(set) var offers: [ConnectionOffer] = []
    private(set) var requests: [ClientRequest] = []
    private(set) var outstanding = 0
    private(set) var maxOutstandingSeen = 0
    private(set) var refusedTooMany = 0
    private(set) var refusedBuffer = 0

    init(volumes: [LUNProfile], grant: ConnectionGrant, disks: InitiatorFakeDisks? = nil, unitGUID: UInt64 = 0xFEED) {
        self.disks = disks ?? InitiatorFakeDisks(volumes: volumes)
        let controllers = [
            IOControllerProfile(slot: 1, guid: 0xA1, luns: Array(volumes.prefix(2))),
            IOControllerProfile(slot: 2, guid: 0xA2, luns: Array(volumes.dropFirst(2))),
        ]
        advertisement = IOUnitAdvertisement(unitGUID: unitGUID, changeID: 3, controllers: controllers, services: [.blockStorage])
        self.grant = grant
    }

    func answer(_ query: DeviceManagementQuery) -> DeviceManagementReply? {
        if silent { return nil }
        switch query {
        case .ioUnitInfo:
            return .ioUnitInfo(IOUnitInfo(changeID: advertisement.changeID, controllerCount: UInt8(advertisement.controllers.count)), unitGUID: advertisement.unitGUID)
        case .ioControllerProfile(let slot):
            guard let profile = advertisement.controllers.first(where: { $0.slot == slot }) else { return .noSuchController(slot: slot) }
            return .ioControllerProfile(profile)
        case .serviceEntries(let slot):
            return .serviceEntries(slot: slot, advertisement.services)
        }
    }

    func connectRequested(_ offer: ConnectionOffer) -> ConnectionGrant? {
        offers.append(offer)
        return rejectConnects == nil ? grant : nil
    }

    /// Executes `request` against the client's `buffer` (RDMA in both directions, at once);
    /// returns the status, and copies read data when the response leaves.
    func arrived(_ request: ClientRequest, region: RemoteBuffer, buffer: any MemoryBuffer) -> (IOStatus, readBack: (() -> Void)?) {
        requests.append(request)
        outstanding += 1
        maxOutstandingSeen = max(maxOutstandingSeen, outstanding)
        guard outstanding <= Int(grant.maxOutstanding) else {
            refusedTooMany += 1
            return (.rejected(.tooManyRequests), nil)
        }
        if let forcedStatus { return (forcedStatus, nil) }
        guard let volume = volumes[request.lun], grant.luns.contains(request.lun) else { return (.rejected(.lunNotGranted), nil) }
        let blockLength = Int(volume.profile.blockLength)
        let bytes = Int(request.blocks) * blockLength
        guard request.operation == .flush || (request.blocks > 0 && bytes <= Int(grant.maxTransferBytes)
            && request.lba + UInt64(request.blocks) <= volume.profile.blockCount && Int(request.buffer.length) == bytes)
        else { return (.rejected(.invalidRange), nil) }
        guard request.operation == .flush || region.contains(request.buffer) else {
            refusedBuffer += 1
            return (.rejected(.bufferNotOwned), nil)
        }
        let offset = Int(request.buffer.address - region.address)
        let start = Int(request.lba) * blockLength
        switch request.operation {
        case .flush:
            return (.good, nil)
        case .write:
            disks.wrote(request.lun, lba: request.lba, blocks: request.blocks)
            volumes[request.lun]!.data.replaceSubrange(start..<start + bytes, with: buffer.read(offset: offset, count: bytes))
            return (.good, nil)
        case .read:
            if let bad = mediumErrorLBA, (request.lba..<request.lba + UInt64(request.blocks)).contains(bad) {
                return (.checkCondition(SenseSummary(senseKey: .mediumError, additionalSenseCode: 0x11, additionalSenseCodeQualifier: 0, information: bad)), nil)
            }
            return (.good, { [self] in buffer.write(volumes[request.lun]!.data[start..<start + bytes], at: offset) })
        }
    }

    func responded() { outstanding -= 1 }

    func connectionLost() { outstanding = 0 }
}

/// An `InitiatorTransport` to one ``InitiatorFakeTarget``: every answer arrives on a later turn of the
/// simulator's loop, after the target's latency.
final class FakeInitiatorTransport: InitiatorTransport, TimerHandler {
    let protocolName = "fake"
    weak var delegate: (any InitiatorTransportDelegate)?
    let runtime: SimNodeRuntime
    /// The target at ``InitiatorBench/address``.
    let target: InitiatorFakeTarget
    /// Every target, by address (looked up, never iterated).
    private var targets: [ServiceAddress: InitiatorFakeTarget] = [:]
    /// The target of the current connection.
    private(set) var currentTarget: InitiatorFakeTarget?
    /// How long a query or connect to a target that is down waits before failing.
    var unansweredTimeout: TimeSpan = .milliseconds(1)
    private var memory: SimMemory?
    var statistics = TransportStatistics()
    let clientGUID: UInt64 = 0xC11E_0001
    private(set) var connects = 0
    private(set) var current: ConnectionID?
    private var nextConnection: UInt32 = 1
    private var actions: [UInt64: () -> Void] = [:]
    private var nextAction: UInt64 = 1

    init(runtime: SimNodeRuntime, target: InitiatorFakeTarget, address: ServiceAddress) {
        self.runtime = runtime
        self.target = target
        targets[address] = target
    }

    /// Another target, reachable at `address`.
    func add(_ target: InitiatorFakeTarget, at address: ServiceAddress) { targets[address] = target }

    func start(bufferBytes: Int) throws(TransportError) {
        memory = SimMemory(name: "client.buffer", length: bufferBytes)
    }

    var buffer: any MemoryBuffer { memory! }
    var bufferRegion: RemoteBuffer { RemoteBuffer(address: 0x10_0000, length: UInt32(memory!.length), rkey: 0x77) }

    private func after(_ delay: TimeSpan, _ action: @escaping () -> Void) {
        let token = nextAction
        nextAction += 1
        actions[token] = action
        runtime.scheduleTimer(after: delay, handler: self, token: token)
    }

    func timerFired(_ token: UInt64) { actions.removeValue(forKey: token)!() }

    func query(_ query: DeviceManagementQuery, to address: ServiceAddress, tag: UInt64) throws(TransportError) {
        statistics.managementQueries += 1
        guard let target = targets[address], !target.down else {
            after(unansweredTimeout) { [self] in delegate?.queryAnswered(tag: tag, reply: nil) }
            return
        }
        let reply = target.answer(query)
        after(target.latency + target.latency) { [self] in delegate?.queryAnswered(tag: tag, reply: reply) }
    }

    func connect(to address: ServiceAddress, offer: ConnectionOffer, tag: UInt64) throws(TransportError) {
        connects += 1
        guard let target = targets[address], !target.down else {
            after(unansweredTimeout) { [self] in delegate?.connectFailed(tag: tag, reason: .timedOut) }
            return
        }
        after(target.latency + target.latency) { [self] in
            if let grant = target.connectRequested(offer) {
                let connection = ConnectionID(rawValue: nextConnection)
                nextConnection += 1
                current = connection
                currentTarget = target
                statistics.connectionsOpened += 1
                delegate?.connected(tag: tag, connection: connection, grant: grant)
            } else {
                delegate?.connectFailed(tag: tag, reason: .rejected(target.rejectConnects!))
            }
        }
    }

    func send(_ message: [UInt8], on connection: ConnectionID) throws(TransportError) {
        guard connection == current else { throw .unknownConnection(connection) }
        statistics.messagesSent += 1
        guard case .request(let request) = try? ConnectionMessage(decoding: message) else {
            statistics.malformed += 1
            return
        }
        guard let target = currentTarget else { throw .unknownConnection(connection) }
        after(target.latency) { [self] in
            guard current == connection else { return }
            let (status, readBack) = target.arrived(request, region: bufferRegion, buffer: buffer)
            let hold = status == .good ? target.times.total : .zero
            after(hold) { [self] in
                guard current == connection else { return }
                if target.holdLBAs.contains(request.lba) { return }
                target.responded()
                if target.dropResponses { return }
                readBack?()
                let response = ConnectionMessage.response(ClientResponse(tag: request.tag, status: status, times: status == .good ? target.times : ServiceTimes()))
                after(target.latency) { [self] in
                    guard current == connection else { return }
                    statistics.messagesReceived += 1
                    delegate?.messageReceived(response.encoded(), on: connection)
                }
            }
        }
    }

    func disconnect(_ connection: ConnectionID) {
        if current == connection {
            current = nil
            currentTarget?.connectionLost()
            currentTarget = nil
        }
    }

    /// The connection's QP fails now: the target forgets its requests; the client hears of it.
    func failConnection() { closeConnection(reason: .failed(.localProtectionError)) }

    /// The connection ends now for `reason` (`.disconnected`: the target closed it, as a
    /// cluster partner does with the partner's clients on giveback).
    func closeConnection(reason: ConnectionCloseReason) {
        guard let connection = current else { return }
        current = nil
        currentTarget?.connectionLost()
        currentTarget = nil
        statistics.connectionsClosed += 1
        after(.zero) { [self] in delegate?.connectionClosed(connection, reason: reason) }
    }

    /// Delivers bytes as if they arrived on the current connection.
    func inject(_ bytes: [UInt8]) {
        guard let connection = current else { return }
        after(.zero) { [self] in delegate?.messageReceived(bytes, on: connection) }
    }
}

/// Records what a ``ClientInitiator`` tells its delegate and observer.
final class InitiatorRecorder: ClientInitiatorDelegate, ClientInitiatorObserver {
    var discovered: [IOUnitAdvertisement] = []
    var discoveryFailures = 0
    var connected: [(ConnectionID, ConnectionGrant, Instant)] = []
    var connectFailures: [ConnectFailure] = []
    var losses: [ConnectionID] = []
    var gaveUp: [Instant] = []
    var gaveUpAttempts: [Int] = []
    var failovers: [InitiatorFailoverRecord] = []
    var mismatches: [(expected: LUNProfile, found: LUNProfile)] = []
    var completions: [(tag: UInt64, status: IOStatus, at: Instant)] = []
    var released: [UInt64] = []
    var records: [InitiatorRequestRecord] = []
    let now: () -> Instant

    init(now: @escaping () -> Instant) { self.now = now }

    func initiator(_ initiator: ClientInitiator, discovered unit: IOUnitAdvertisement, at target: ServiceAddress) { discovered.append(unit) }
    func initiator(_ initiator: ClientInitiator, discoveryFailedAt target: ServiceAddress) { discoveryFailures += 1 }
    func initiator(_ initiator: ClientInitiator, connected connection: ConnectionID, grant: ConnectionGrant) { connected.append((connection, grant, now())) }
    func initiator(_ initiator: ClientInitiator, connectFailed reason: ConnectFailure) { connectFailures.append(reason) }
    func initiator(_ initiator: ClientInitiator, connectionLost connection: ConnectionID, reason: ConnectionCloseReason) { losses.append(connection) }
    func initiator(_ initiator: ClientInitiator, gaveUpAfter attempts: Int) {
        gaveUp.append(now())
        gaveUpAttempts.append(attempts)
    }
    func initiator(_ initiator: ClientInitiator, failedOver record: InitiatorFailoverRecord) { failovers.append(record) }
    func initiator(_ initiator: ClientInitiator, mismatched expected: LUNProfile, found: LUNProfile, at target: ServiceAddress) {
        mismatches.append((expected, found))
    }
    func initiator(_ initiator: ClientInitiator, completed tag: UInt64, status: IOStatus) { completions.append((tag, status, now())) }
    func initiator(_ initiator: ClientInitiator, released tag: UInt64) { released.append(tag) }
    func requestCompleted(_ record: InitiatorRequestRecord) { records.append(record) }

    func status(of tag: UInt64) -> IOStatus? { completions.first { $0.tag == tag }?.status }
}

/// A simulator, a fake target and transport, and an initiator wired to a recorder.
struct InitiatorBench {
    let simulator: Simulator
    let runtime: SimNodeRuntime
    let target: InitiatorFakeTarget
    let transport: FakeInitiatorTransport
    let initiator: ClientInitiator
    let recorder: InitiatorRecorder
    static let address = ServiceAddress(
        protocolName: "fake", endpoint: TransportEndpoint(address: [0, 9], queuePairNumber: 0x48, packetSequenceNumber: 0), queueKey: 0x1ee7)
    /// A partner's address (a second target serving the same LUN numbers).
    static let partnerAddress = ServiceAddress(
        protocolName: "fake", endpoint: TransportEndpoint(address: [0, 10], queuePairNumber: 0x48, packetSequenceNumber: 0), queueKey: 0x1ee7)

    /// LUNs 0, 1 (slot 1) and 2 (slot 2) of 512-byte blocks, 8 MiB each.
    static let volumes = [0, 1, 2].map { LUNProfile(lun: $0, blockLength: 512, blockCount: 16_384) }

    init(seed: UInt64 = 1, grant: ConnectionGrant = ConnectionGrant(luns: [0, 1, 2], maxTransferBytes: 256 << 10, maxOutstanding: 8),
         configuration: InitiatorConfiguration = InitiatorConfiguration(bufferBytes: 2 << 20, deviceSlots: 8, deviceSlotBytes: 64 << 10)) {
        simulator = Simulator(seed: seed)
        runtime = SimNodeRuntime(nodeName: "client", simulator: simulator)
        target = InitiatorFakeTarget(volumes: Self.volumes, grant: grant)
        transport = FakeInitiatorTransport(runtime: runtime, target: target, address: Self.address)
        initiator = ClientInitiator(name: "client.initiator", runtime: runtime, transport: transport, configuration: configuration)
        let simulator = simulator
        recorder = InitiatorRecorder(now: { simulator.now })
        initiator.delegate = recorder
        initiator.observer = recorder
        try! initiator.start()
    }

    /// Connects and runs until connected.
    func connect(luns: [UInt16] = []) {
        initiator.connect(to: Self.address, luns: luns)
        simulator.run(stopWhen: { _ in !recorder.connected.isEmpty || !recorder.connectFailures.isEmpty })
    }

    func run(for span: TimeSpan) { simulator.run(until: simulator.now + span) }

    /// A second target at ``partnerAddress`` serving the same disks (a cluster partner after a
    /// takeover), with `volumes`' profiles (the primary's unless told).
    func addPartner(volumes: [LUNProfile] = Self.volumes, grant: ConnectionGrant? = nil) -> InitiatorFakeTarget {
        let partner = InitiatorFakeTarget(volumes: volumes, grant: grant ?? target.grant, disks: target.disks, unitGUID: 0xB1E)
        transport.add(partner, at: Self.partnerAddress)
        return partner
    }

    /// Connects to the primary, then the partner, and runs until connected.
    func connectWithPartner(luns: [UInt16] = []) {
        initiator.connect(to: [Self.address, Self.partnerAddress], luns: luns)
        simulator.run(stopWhen: { _ in !recorder.connected.isEmpty || !recorder.connectFailures.isEmpty })
    }
}
