import Hardware

/// One interconnect of a ``ClusterConnectionManager``: its adapter resources, the slam-connect
/// state machine, and the client connections of the current session.
///
/// The state block (the slam memory region, the first region on the adapter):
///
///     0..<8    own record: magic "SLAM", own state (big-endian); the partner RDMA-READs it
///     8..<16   slot: the partner RDMA-WRITEs its record here (in states 2 and 5)
///     16..<24  landing: where our RDMA READs of the partner's record arrive
///     24..<32  source: what our RDMA WRITEs send
///     64..     manager message buffers: two sends (connection information, ready: a
///              session sends each once, so neither buffer is rewritten while its SEND is
///              outstanding), then `managerReceives` receives
final class ClusterInterconnect: CompletionQueueObserver, VerbsAsyncEventHandler, TimerHandler {
    unowned let manager: ClusterConnectionManager
    let index: Int
    private(set) var context: any VerbsDeviceContext
    let port: UInt8
    /// The provisioned endpoints: predetermined (simulation), or, after
    /// ``createSlamResources()``, this side's as created and the partner's as it published it.
    private(set) var local: ClusterEndpoint
    private(set) var partner: ClusterEndpoint
    let addressing: any TransportAddressing

    private(set) var state: SlamConnectState = .initial
    private(set) var lastError: String?
    /// Bumped whenever the slam QP is reset or the session ends: completions and timers of an
    /// older generation are ignored.
    private var generation: UInt32 = 0
    private var timer: TimerHandle?
    private var deadline = Instant.zero
    private var ownWriteDone = false
    private var adapterDead = false
    private var permanent = false
    private var pathMTU: MTU = .mtu2048
    var currentPathMTU: MTU { pathMTU }

    // Resources (the first ones on the adapter, in this order).
    private(set) var domain: (any ProtectionDomain)?
    private(set) var cq: (any CompletionQueue)?
    private var slamQP: (any QueuePair)?
    private var block: (any MemoryRegion)?
    private var polled: [WorkCompletion] = []

    // The session once Connected.
    var connections: [ClusterClientConnection] = []
    var partnerInfo: [ClusterClientEndpoint]?
    var sentReady = false
    var partnerReady = false
    var sessionUp = false
    var earlyMessages: [ClusterManagerMessage] = []

    static let magic: UInt32 = 0x534c_414d  // "SLAM"
    static let recordOffset = 0
    static let slotOffset = 8
    static let landingOffset = 16
    static let sourceOffset = 24
    static let messagesOffset = 64

    // Work request kinds (low 32 bits of wr_id; the generation is in the high 32).
    static let readKind: UInt64 = 1
    static let writeKind: UInt64 = 2
    static let sendKind: UInt64 = 3
    static let keepaliveKind: UInt64 = 4
    static let receiveKind: UInt64 = 0x100

    // Timer kinds (low 8 bits of the token; the generation above).
    static let pollTimer: UInt64 = 1
    static let retryTimer: UInt64 = 2
    static let keepaliveTimer: UInt64 = 3

    var configuration: ClusterConnectionManagerConfiguration { manager.configuration }
    var runtime: any NodeRuntime { manager.runtime }
    var upConnections: Int { connections.count { $0.isUp } }

    init(manager: ClusterConnectionManager, index: Int, interconnect: ClusterConnectionManager.Interconnect) {
        self.manager = manager
        self.index = index
        context = interconnect.context
        port = interconnect.port
        local = interconnect.local
        partner = interconnect.partner
        addressing = interconnect.local.protocolName == "roce" ? RoCEAddressing() as any TransportAddressing : InfiniBandAddressing()
    }

    // MARK: Start and resources

    func start() {
        createResources()
        attempt()
    }

    /// Two-phase start, first phase: creates the first resources on the adapter (as
    /// ``start()`` does) and makes the endpoint they got the provisioned local one. Nil when
    /// they could not be created or the port has no address (``lastError`` says why).
    func createSlamResources() -> ClusterEndpoint? {
        if slamQP == nil { createResources() }
        guard let slamQP, let block else { return nil }
        do {
            let (address, _) = try addressing.localPort(of: context, port: port)
            local = ClusterEndpoint(
                protocolName: addressing.protocolName, address: address, queuePairNumber: slamQP.queuePairNumber, rkey: block.rkey,
                stateBlockAddress: block.address)
            return local
        } catch {
            lastError = "port \(port): \(error)"
            return nil
        }
    }

    /// Two-phase start, second phase: the slam connect toward `partner` (the endpoint the
    /// partner published after its own first phase).
    func start(partner: ClusterEndpoint) {
        precondition(partner.protocolName == local.protocolName, "interconnect \(index): the partner's endpoint is of another protocol")
        self.partner = partner
        attempt()
    }

    func adapterRestarted(context: any VerbsDeviceContext) {
        self.context = context
        adapterDead = false
        domain = nil; cq = nil; slamQP = nil; block = nil
        createResources()
        if state == .error {
            cancelTimer()
            transition(.retry)
        }
    }

    /// Send buffers before the receive buffers.
    static let sendBuffers = 2
    private var blockLength: Int { Self.stateBlockLength(configuration) }

    /// The bytes of the state block (the slam memory region) under `configuration`.
    static func stateBlockLength(_ configuration: ClusterConnectionManagerConfiguration) -> Int {
        messagesOffset + configuration.managerMessageBytes * (sendBuffers + configuration.managerReceives)
    }

    /// The first resources on the adapter: PD, CQ, slam QP, state block, in this order.
    private func createResources() {
        do {
            context.setAsyncEventHandler(self)
            let domain = try context.allocateProtectionDomain()
            var entries = 16 + configuration.managerReceives
            for (_, needs) in manager.clients { entries += 2 * needs.maxOutstanding + configuration.receiveSlack }
            let cq = try context.createCompletionQueue(
                minimumEntries: min(entries, context.attributes.maxCompletionQueueEntries), observer: self, token: UInt64(index))
            try cq.requestNotification(solicitedOnly: false)
            let qp = try domain.createQueuePair(
                type: .reliableConnected, sendQueue: cq, receiveQueue: cq,
                capabilities: QueuePairCapabilities(maxSendWorkRequests: 8, maxReceiveWorkRequests: configuration.managerReceives),
                signalAllSends: true)
            let block = try domain.allocateMemoryRegion(length: blockLength, access: .remoteReadWrite)
            self.domain = domain
            self.cq = cq
            slamQP = qp
            self.block = block
        } catch {
            lastError = "slam resources: \(error)"
            if error == .deviceClosed { adapterDead = true }
        }
    }

    /// The provisioning check and the slam QP's bring-up toward the predetermined partner;
    /// returns why it failed, or nil.
    private func bringUp() -> String? {
        guard let slamQP, let block else { return lastError ?? "no slam resources" }
        if local.protocolName != addressing.protocolName { return "provisioning mismatch: protocol \(local.protocolName)" }
        if slamQP.queuePairNumber != local.queuePairNumber {
            permanent = true
            return "provisioning mismatch: QPN 0x\(String(slamQP.queuePairNumber, radix: 16)), the partner was told 0x\(String(local.queuePairNumber, radix: 16))"
        }
        if block.rkey != local.rkey {
            permanent = true
            return "provisioning mismatch: rkey 0x\(String(block.rkey, radix: 16)), the partner was told 0x\(String(local.rkey, radix: 16))"
        }
        if block.address != local.stateBlockAddress {
            permanent = true
            return "provisioning mismatch: state block at 0x\(String(block.address, radix: 16)), the partner was told 0x\(String(local.stateBlockAddress, radix: 16))"
        }
        let address: [UInt8]
        do { (address, pathMTU) = try addressing.localPort(of: context, port: port) } catch {
            if case .verbs(let text) = error, text.contains("closed") { adapterDead = true }
            return "port \(port): \(error)"
        }
        if address != local.address {
            permanent = true
            return "provisioning mismatch: port address \(address), the partner was told \(local.address)"
        }
        guard addressing.isValid(partner.address) else {
            permanent = true
            return "provisioning: invalid partner address \(partner.address)"
        }
        block.fill(0)
        writeRecord()
        var transport = TransportConfiguration()
        transport.readAtomicDepth = configuration.readAtomicDepth
        let peer = TransportEndpoint(address: partner.address, queuePairNumber: partner.queuePairNumber, packetSequenceNumber: 0)
        do {
            try slamQP.modify(.reset)
            try slamQP.modify(.initialize(port: port, access: .remoteReadWrite))
            try slamQP.postReceive((0..<configuration.managerReceives).map { receiveRequest($0) })
            try slamQP.modify(addressing.readyToReceive(toward: peer, port: port, pathMTU: pathMTU, configuration: transport))
            try slamQP.modify(.readyToSend(sendPSN: 0, timeout: configuration.ackTimeoutExponent, retryCount: configuration.retryCount,
                                           rnrRetry: configuration.rnrRetry, maxReadAtomic: configuration.readAtomicDepth))
        } catch let error as VerbsError {
            if error == .deviceClosed { adapterDead = true }
            return "slam QP bring-up: \(error)"
        } catch {
            return "slam QP bring-up: \(error)"
        }
        return nil
    }

    private func receiveRequest(_ slot: Int) -> ReceiveWorkRequest {
        let bytes = configuration.managerMessageBytes
        return ReceiveWorkRequest(
            id: wrID(Self.receiveKind + UInt64(slot)),
            scatterGatherList: [block!.scatterGatherElement(offset: Self.messagesOffset + bytes * (Self.sendBuffers + slot), length: bytes)])
    }

    // MARK: The state machine

    private func wrID(_ kind: UInt64) -> UInt64 { UInt64(generation) << 32 | kind }

    /// Takes the edge `event` from the current state; the table must have it.
    private func transition(_ event: SlamConnectEvent) {
        guard let next = state.next(on: event) else {
            preconditionFailure("slam connect \(manager.name)[\(index)]: no edge \(state) -\(event)-> in the table")
        }
        let edge = SlamConnectTransition(state, event, next)
        state = next
        writeRecord()
        manager.notify(edge, interconnect: index)
        guard state == next else { return }  // the observer's fault moved it on already
        enter(next)
    }

    private func enter(_ next: SlamConnectState) {
        switch next {
        case .initial:
            attempt()
        case .attemptingRead:
            break
        case .attemptingWrite:
            if !postWrite() { transition(.writeFailed) }
        case .waitingOnPartner:
            // The failed read left the QP in ERR: bring it back so the partner can reach us.
            generation &+= 1
            if let reason = bringUp() { lastError = reason }
            writeRecord()
            deadline = runtime.now + configuration.waitTimeout
            schedule(Self.pollTimer, after: configuration.pollInterval)
        case .attemptingSecondRead:
            if !postRead(kind: Self.readKind) { transition(.readFailed) }
        case .attemptingSecondWrite:
            ownWriteDone = false
            deadline = runtime.now + configuration.waitTimeout
            if !postWrite() { transition(.writeFailed); return }
            schedule(Self.pollTimer, after: configuration.pollInterval)
        case .connected:
            cancelTimer()
            schedule(Self.keepaliveTimer, after: configuration.keepaliveInterval)
            beginSession()
        case .error:
            cancelTimer()
            generation &+= 1
            endSession()
            try? slamQP?.modify(.reset)
            if !permanent && !adapterDead { schedule(Self.retryTimer, after: configuration.retryDelay) }
        }
    }

    /// Initial: bring the QP up and post the first read.
    private func attempt() {
        precondition(state == .initial, "slam attempt outside Initial")
        generation &+= 1
        if let reason = bringUp() {
            lastError = reason
            transition(.setupFailed)
            return
        }
        if postRead(kind: Self.readKind) { transition(.readPosted) } else { transition(.setupFailed) }
    }

    /// Our state, in our record (read by the partner).
    private func writeRecord() {
        guard let block else { return }
        block.write(Self.record(state), at: Self.recordOffset)
    }

    static func record(_ state: SlamConnectState) -> [UInt8] {
        let value = UInt64(magic) << 32 | UInt64(state.rawValue)
        return (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
    }

    /// The state in an 8-byte record, or nil when it holds none.
    static func state(inRecord bytes: [UInt8]) -> SlamConnectState? {
        guard bytes.count == 8 else { return nil }
        var value: UInt64 = 0
        for byte in bytes { value = value << 8 | UInt64(byte) }
        guard UInt32(value >> 32) == magic else { return nil }
        return SlamConnectState(rawValue: UInt32(truncatingIfNeeded: value))
    }

    private func postRead(kind: UInt64) -> Bool {
        guard let slamQP, let block else { return false }
        let request = SendWorkRequest.rdmaRead(
            id: wrID(kind), into: [block.scatterGatherElement(offset: Self.landingOffset, length: 8)],
            from: RemoteMemory(address: partner.stateBlockAddress + UInt64(Self.recordOffset), rkey: partner.rkey))
        do { try slamQP.postSend(request) } catch { lastError = "slam read: \(error)"; return false }
        return true
    }

    private func postWrite() -> Bool {
        guard let slamQP, let block else { return false }
        block.write(Self.record(state), at: Self.sourceOffset)
        let request = SendWorkRequest.rdmaWrite(
            id: wrID(Self.writeKind), [block.scatterGatherElement(offset: Self.sourceOffset, length: 8)],
            to: RemoteMemory(address: partner.stateBlockAddress + UInt64(Self.slotOffset), rkey: partner.rkey))
        do { try slamQP.postSend(request) } catch { lastError = "slam write: \(error)"; return false }
        return true
    }

    /// Sends a manager message over the slam QP (once Connected).
    func send(_ message: ClusterManagerMessage) {
        guard let slamQP, let block else { return }
        let bytes = message.encoded()
        precondition(bytes.count <= configuration.managerMessageBytes, "manager message of \(bytes.count) bytes exceeds the buffer")
        let offset: Int
        switch message {
        case .connectionInfo: offset = Self.messagesOffset
        case .ready: offset = Self.messagesOffset + configuration.managerMessageBytes
        }
        block.write(bytes, at: offset)
        do {
            try slamQP.postSend(.send(id: wrID(Self.sendKind), [block.scatterGatherElement(offset: offset, length: bytes.count)]))
        } catch {
            lost("manager send: \(error)")
        }
    }

    /// Something failed while Connected: the interconnect goes to Error.
    func lost(_ reason: String) {
        guard state == .connected else { return }
        lastError = reason
        transition(.connectionLost)
    }

    // MARK: Timers

    private func schedule(_ kind: UInt64, after delay: TimeSpan) {
        cancelTimer()
        timer = runtime.scheduleTimer(after: delay, handler: self, token: UInt64(generation) << 8 | kind)
    }

    private func cancelTimer() {
        if let timer { runtime.cancelTimer(timer) }
        timer = nil
    }

    func timerFired(_ token: UInt64) {
        guard UInt32(truncatingIfNeeded: token >> 8) == generation else { return }
        timer = nil
        switch token & 0xff {
        case Self.pollTimer: poll()
        case Self.retryTimer where state == .error && !adapterDead: transition(.retry)
        case Self.keepaliveTimer where state == .connected:
            if !postRead(kind: Self.keepaliveKind) { lost("keep-alive read could not be posted") }
        default: break
        }
    }

    /// Examines the slot the partner's RDMA WRITE changes (states 3 and 5).
    private func poll() {
        let partnerState = block.flatMap { Self.state(inRecord: $0.read(offset: Self.slotOffset, count: 8)) }
        switch state {
        case .waitingOnPartner:
            if partnerState == .connected { transition(.partnerConnected); return }
            if partnerState == .attemptingSecondWrite { transition(.partnerReached5); return }
        case .attemptingSecondWrite:
            if ownWriteDone, partnerState == .attemptingSecondWrite || partnerState == .connected {
                transition(.partnerReached5)
                return
            }
        default:
            return
        }
        if runtime.now >= deadline {
            lastError = "timed out in \(state) after \(configuration.waitTimeout)"
            transition(.timedOut)
        } else {
            schedule(Self.pollTimer, after: configuration.pollInterval)
        }
    }

    // MARK: Completions and events

    func completionQueueNotified(_ queue: any CompletionQueue, token: UInt64) {
        guard queue === cq else { return }
        try? queue.requestNotification(solicitedOnly: false)
        while true {
            polled.removeAll(keepingCapacity: true)
            guard queue.poll(into: &polled, maxEntries: 16) > 0 else { break }
            for completion in polled {
                // A completion handled earlier in this batch may have replaced the CQ.
                guard queue === cq else { return }
                dispatch(completion)
            }
        }
    }

    private func dispatch(_ completion: WorkCompletion) {
        if let slamQP, completion.queuePairNumber == slamQP.queuePairNumber {
            slamCompleted(completion)
            return
        }
        for connection in connections where connection.queuePairNumber == completion.queuePairNumber {
            connection.completed(completion)
            return
        }
    }

    private func slamCompleted(_ completion: WorkCompletion) {
        guard UInt32(truncatingIfNeeded: completion.workRequestID >> 32) == generation else { return }
        let kind = completion.workRequestID & 0xffff_ffff
        let ok = completion.status.isSuccess
        if !ok && kind != Self.sendKind && kind < Self.receiveKind { lastError = "slam \(completion)" }
        switch kind {
        case Self.readKind:
            switch state {
            case .attemptingRead:
                if !ok { generation &+= 1 }  // the QP is in ERR: its flushes are stale
                transition(ok ? .readSucceeded : .readFailed)
            case .attemptingSecondRead:
                transition(ok ? .readSucceeded : .readFailed)
            default: break
            }
        case Self.writeKind:
            switch state {
            case .attemptingWrite:
                transition(ok ? .writeSucceeded : .writeFailed)
            case .attemptingSecondWrite:
                if ok { ownWriteDone = true } else { transition(.writeFailed) }
            default: break
            }
        case Self.keepaliveKind:
            guard state == .connected else { return }
            let partnerState = block.flatMap { Self.state(inRecord: $0.read(offset: Self.landingOffset, count: 8)) }
            if !ok {
                lost("keep-alive read: \(completion.status)")
            } else if partnerState != .connected && partnerState != .attemptingSecondWrite {
                lost("keep-alive read: the partner is in \(partnerState.map { "\($0)" } ?? "no state")")
            } else {
                schedule(Self.keepaliveTimer, after: configuration.keepaliveInterval)
            }
        case Self.sendKind:
            if !ok { lost("manager send: \(completion.status)") }
        default:
            guard kind >= Self.receiveKind, kind < Self.receiveKind + UInt64(configuration.managerReceives) else { return }
            guard ok else {
                lost("manager receive: \(completion.status)")
                return
            }
            let slot = Int(kind - Self.receiveKind)
            let bytes = block!.read(offset: Self.messagesOffset + configuration.managerMessageBytes * (Self.sendBuffers + slot),
                                    count: min(Int(completion.byteCount), configuration.managerMessageBytes))
            try? slamQP?.postReceive(receiveRequest(slot))
            do {
                received(try ClusterManagerMessage(decoding: bytes))
            } catch {
                manager.statistics.malformedMessages += 1
            }
        }
    }

    func verbsAsyncEvent(_ event: VerbsAsyncEvent) {
        if event.type == .portError {
            // The interconnect's link went down: a down port holds what is posted rather than
            // failing it, so waiting for the RC retries would wait for the link to return.
            lost("port down")
            return
        }
        guard event.type == .deviceFatal else { return }
        adapterDead = true
        lastError = "adapter failed"
        lost("adapter failed")
    }
}
