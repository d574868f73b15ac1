import Hardware

/// The verbs work shared by every network protocol's TTS: the protection domain, one completion
/// queue polled on the loop, the UD management QP, the RC QPs of connections, registered
/// message slots, RDMA transfers. It knows addresses only as opaque bytes: the protocol part
/// (``TransportAddressing``) turns them into paths.
///
/// One instance plays one role: target (after ``startTarget(dataPoolBytes:)``) or initiator
/// (after ``startInitiator(bufferBytes:)``).
final class VerbsTransportCore: CompletionQueueObserver, TimerHandler, VerbsAsyncEventHandler {
    enum Role { case idle, target, initiator }

    let name: String
    let runtime: any NodeRuntime
    let context: any VerbsDeviceContext
    let port: UInt8
    let configuration: TransportConfiguration
    let addressing: any TransportAddressing
    var random: RandomStream

    weak var connectionDelegate: (any TargetConnectionDelegate)?
    weak var dataDelegate: (any TargetDataDelegate)?
    weak var initiatorDelegate: (any InitiatorTransportDelegate)?

    var statistics = TransportStatistics()
    private(set) var role = Role.idle

    // Verbs resources, set by start.
    var domain: (any ProtectionDomain)!
    var completionQueue: (any CompletionQueue)!
    var managementQP: (any QueuePair)!
    /// Management receive slots (each `datagramHeaderSlot + managementSlotBytes`), then send slots.
    var managementRegion: (any MemoryRegion)!
    /// Send slots for messages on connections.
    var messageRegion: (any MemoryRegion)!
    /// The target's data pool or the initiator's buffer.
    var dataRegion: (any MemoryRegion)!
    var localAddress: [UInt8] = []
    var pathMTU = MTU.mtu1024
    var portIdentity: UInt64 = 0

    var freeManagementSendSlots: [Int] = []
    var freeMessageSlots: [Int] = []
    /// The connection slot each message send slot is lent to; -1 when free.
    var messageSlotOwners: [Int] = []
    /// Cached address handles by destination address (looked up, never iterated).
    var addressHandles: [[UInt8]: AddressHandle] = [:]

    var connections: [ConnectionRecord?] = []
    var freeConnectionSlots: [Int] = []
    /// Looked up, never iterated.
    var slotByConnection: [ConnectionID: Int] = [:]

    var transfers: [Transfer?] = []
    var freeTransfers: [Int] = []

    /// Management requests awaiting an answer, by transaction ID (looked up, never iterated).
    var transactions: [UInt64: PendingTransaction] = [:]
    var nextTransaction: UInt64

    /// Target: connection requests handed to the delegate, by handle.
    var incoming: [UInt64: IncomingRequest] = [:]
    var nextIncomingHandle: UInt64 = 1
    /// Target: what became of each client QP's request (looked up, never iterated).
    var requests: [RequestKey: RequestOutcome] = [:]
    var advertisement: IOUnitAdvertisement?

    /// Delegate calls owed for things done inside an API call, delivered on the loop.
    var notices: [Notice] = []
    var noticeTimerArmed = false
    var completionBuffer: [WorkCompletion] = []

    /// Timer token of the notice delivery; transaction IDs are never 0.
    static let noticeToken: UInt64 = 0

    init(name: String, runtime: any NodeRuntime, context: any VerbsDeviceContext, port: UInt8,
         configuration: TransportConfiguration, addressing: any TransportAddressing) {
        precondition(configuration.managementRetries >= 0 && configuration.managementTimeout > .zero,
                     "management retry policy must be non-negative with a positive timeout")
        precondition(configuration.messageSlots > 0 && configuration.managementSendSlots > 0
                     && configuration.managementReceives > 0 && configuration.maxConnections > 0,
                     "transport queue sizes must be positive")
        precondition(configuration.managementSlotBytes >= 64 && configuration.messageSlotBytes >= 16, "slots too small")
        self.name = name
        self.runtime = runtime
        self.context = context
        self.port = port
        self.configuration = configuration
        self.addressing = addressing
        random = runtime.randomStream(named: name + ".tts")
        nextTransaction = (random.next() >> 1) | 1
    }

    // MARK: Start

    /// Wraps a verbs set-up call's error.
    func verbs<T>(_ what: String, _ body: () throws(VerbsError) -> T) throws(TransportError) -> T {
        do { return try body() } catch { throw .verbs(what + ": \(error)") }
    }

    /// The receive depth of a connection granted `outstanding` requests.
    func receiveDepth(for outstanding: UInt16) -> Int {
        min(Int(outstanding), configuration.maxReceiveDepth) + configuration.receiveSlack
    }

    private func open(as newRole: Role, dataBytes: Int, dataAccess: MemoryAccess) throws(TransportError) {
        guard role == .idle else { throw .verbs("transport \(name) already started") }
        guard dataBytes > 0 else { throw .invalidSegment("a data region of \(dataBytes) bytes") }
        let local = try addressing.localPort(of: context, port: port)
        localAddress = local.address
        pathMTU = local.pathMTU
        portIdentity = try addressing.portIdentity(of: context, port: port)
        let c = configuration
        let domain = try verbs("allocate PD") { () throws(VerbsError) in try context.allocateProtectionDomain() }
        self.domain = domain
        let entries = c.managementReceives + c.managementSendSlots
            + c.maxConnections * (c.sendQueueDepth + c.maxReceiveDepth + c.receiveSlack)
        let cq = try verbs("create CQ") { () throws(VerbsError) in
            try context.createCompletionQueue(minimumEntries: entries, observer: self, token: 1)
        }
        completionQueue = cq
        try verbs("arm CQ") { () throws(VerbsError) in try cq.requestNotification(solicitedOnly: false) }
        let managementBytes = c.managementReceives * (datagramHeaderSlot + c.managementSlotBytes)
            + c.managementSendSlots * c.managementSlotBytes
        managementRegion = try verbs("register management slots") { () throws(VerbsError) in
            try domain.allocateMemoryRegion(length: managementBytes, access: .localWrite)
        }
        messageRegion = try verbs("register message slots") { () throws(VerbsError) in
            try domain.allocateMemoryRegion(length: c.messageSlots * c.messageSlotBytes, access: [])
        }
        dataRegion = try verbs("register data region") { () throws(VerbsError) in
            try domain.allocateMemoryRegion(length: dataBytes, access: dataAccess)
        }
        let qp = try verbs("create management QP") { () throws(VerbsError) in
            try domain.createQueuePair(
                type: .unreliableDatagram, sendQueue: cq, receiveQueue: cq,
                capabilities: QueuePairCapabilities(
                    maxSendWorkRequests: c.managementSendSlots, maxReceiveWorkRequests: c.managementReceives),
                signalAllSends: true)
        }
        managementQP = qp
        try verbs("bring up management QP") { () throws(VerbsError) in
            try qp.modify(.initializeDatagram(port: port, qkey: c.managementQueueKey))
            try qp.modify(.readyToReceiveDatagram)
            try qp.modify(.readyToSendDatagram())
        }
        for index in 0..<c.managementReceives {
            do { try postManagementReceive(index) } catch { throw .verbs("post management receive: \(error)") }
        }
        freeManagementSendSlots = Array((0..<c.managementSendSlots).reversed())
        freeMessageSlots = Array((0..<c.messageSlots).reversed())
        messageSlotOwners = Array(repeating: -1, count: c.messageSlots)
        context.setAsyncEventHandler(self)
        role = newRole
    }

    func startTarget(dataPoolBytes: Int) throws(TransportError) {
        try open(as: .target, dataBytes: dataPoolBytes, dataAccess: .localWrite)
    }

    func startInitiator(bufferBytes: Int) throws(TransportError) {
        guard bufferBytes <= Int(UInt32.max) else { throw .invalidSegment("a buffer of \(bufferBytes) bytes") }
        try open(as: .initiator, dataBytes: bufferBytes, dataAccess: .remoteReadWrite)
    }

    // MARK: Work request IDs

    enum WorkKind: UInt64 {
        case managementReceive = 1, managementSend, messageSend, messageReceive, rdma
    }

    /// Kind in bits 56…63, connection slot in 32…55, index in 0…31.
    static func workID(_ kind: WorkKind, connection: Int = 0, index: Int) -> UInt64 {
        kind.rawValue << 56 | UInt64(connection) << 32 | UInt64(index)
    }

    static func decode(_ id: UInt64) -> (kind: WorkKind?, connection: Int, index: Int) {
        (WorkKind(rawValue: id >> 56), Int((id >> 32) & 0xff_ffff), Int(id & 0xffff_ffff))
    }

    // MARK: Completions

    func completionQueueNotified(_ queue: any CompletionQueue, token: UInt64) {
        try? queue.requestNotification(solicitedOnly: false)
        while true {
            completionBuffer.removeAll(keepingCapacity: true)
            guard queue.poll(into: &completionBuffer, maxEntries: 32) > 0 else { break }
            let batch = completionBuffer
            for completion in batch { dispatch(completion) }
        }
    }

    private func dispatch(_ completion: WorkCompletion) {
        let (kind, connection, index) = Self.decode(completion.workRequestID)
        switch kind {
        case .managementReceive: managementReceived(completion, slot: index)
        case .managementSend: managementSent(completion, slot: index)
        case .messageSend, .messageReceive, .rdma: connectionWorkCompleted(completion, kind: kind!, slot: connection, index: index)
        case nil: preconditionFailure("completion with an unknown work request ID \(completion.workRequestID)")
        }
    }

    // MARK: Timers and notices

    func timerFired(_ token: UInt64) {
        if token == Self.noticeToken {
            noticeTimerArmed = false
            let due = notices
            notices.removeAll()
            for notice in due { deliver(notice) }
        } else {
            managementTimerFired(transaction: token)
        }
    }

    /// Delegate calls owed for work done inside an API call.
    enum Notice {
        case closed(ConnectionID, ConnectionCloseReason)
    }

    func post(_ notice: Notice) {
        notices.append(notice)
        if !noticeTimerArmed {
            noticeTimerArmed = true
            runtime.scheduleTimer(after: .zero, handler: self, token: Self.noticeToken)
        }
    }

    private func deliver(_ notice: Notice) {
        switch notice {
        case .closed(let connection, let reason): reportClosed(connection, reason: reason)
        }
    }

    func reportClosed(_ connection: ConnectionID, reason: ConnectionCloseReason) {
        switch role {
        case .target: connectionDelegate?.connectionClosed(connection, reason: reason)
        case .initiator: initiatorDelegate?.connectionClosed(connection, reason: reason)
        case .idle: break
        }
    }

    // MARK: Asynchronous events

    func verbsAsyncEvent(_ event: VerbsAsyncEvent) {
        switch (event.type, event.element) {
        case (.deviceFatal, _):
            for slot in connections.indices where connections[slot] != nil {
                connectionFailed(slot, status: .fatalError)
            }
        case (.queuePairFatal, .queuePair(let qpn)), (.queuePairRequestError, .queuePair(let qpn)),
            (.queuePairAccessError, .queuePair(let qpn)):
            for slot in connections.indices where connections[slot]?.qp.queuePairNumber == qpn {
                connectionFailed(slot, status: .fatalError)
            }
        default:
            break
        }
    }
}
