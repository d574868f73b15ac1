import Hardware

/// The common transport agent: routes clients' service requests to the RTA that owns the LUN
/// (its routing table), and moves their data between the RTAs' buffers in host memory and the
/// clients' buffers through the TTS.
///
/// A read: the request goes to the RTA; its `dataReady` names the buffers now holding the data;
/// the TTS RDMA-writes them into the client's buffer; on completion the RTA is told
/// `transferDone` (its buffers are released) and the client gets its response.
/// A write: the request goes to the RTA; its `buffersReady` names buffers; the TTS RDMA-reads the
/// client's data into them; `dataPlaced` hands them to the RTA; its `ioComplete` becomes the response.
///
/// Nothing reaches an RTA unless the routing table's checks pass: the connection, LUN masking,
/// the buffer inside memory the client declared, the range, the request limit.
public final class CommonTransportAgent: TargetDataDelegate, RTAMessageListener, TimerHandler {
    public let name: String
    let runtime: any NodeRuntime
    let transport: any TargetTransport
    let bus: RTAInterfaceManager
    public weak var observer: (any TargetObserver)?
    public internal(set) var statistics = CTAStatistics()
    var routing = RoutingTable()
    /// The write log (in a cluster: the NVRAM log and its mirror); nil: writes are acknowledged
    /// when on disk. See `CommonTransportAgent+WriteLog.swift`.
    public var writeLog: (any WriteLogging)? {
        didSet { writeLog?.writeLogDelegate = self }
    }
    /// The cluster write path's state (ordering, log sequences, waiters).
    var cluster = CTAClusterState()
    /// Write-behind: the consistency-point interval (nil: a logged write goes to disk at once,
    /// as without it). With an interval a logged write is still acknowledged when durable in
    /// the log, but its disk write is held until the next consistency point. See
    /// `CommonTransportAgent+WriteBehind.swift`. Setting it to nil releases what is held.
    public var destageInterval: TimeSpan? {
        didSet {
            precondition(destageInterval.map { $0 > .zero } ?? true, "a consistency-point interval must be positive")
            if destageInterval == nil { takeConsistencyPoint(.timer) }
        }
    }

    enum Stage {
        /// Sent to the RTA; waiting for `dataReady` (read), `buffersReady` (write) or `ioComplete`.
        case atRTA
        /// Read: RDMA WRITE to the client in progress.
        case sendingData
        /// Write: RDMA READ from the client in progress.
        case fetchingData
        /// Write: `dataPlaced` sent; waiting for `ioComplete`.
        case writing
        /// Write with a log: the data is in the pool, the log has no room yet.
        case awaitingLog
        /// Write-behind: logged, its `dataPlaced` held until the next consistency point (still
        /// not on disk for the per-LUN ordering).
        case held
    }

    struct Transaction {
        var connection: ConnectionID
        var request: ClientRequest
        var endpoint: BusEndpoint
        var stage: Stage
        var received: Instant
        /// When the CTA last handed the transaction to the RTA.
        var handedToRTA: Instant
        /// Time spent waiting on the RTA (bus both ways plus the RTA's own time).
        var atRTA: TimeSpan = .zero
        var rdmaStarted: Instant = .zero
        var rdma: TimeSpan = .zero
        var rtaTimes = RTATimes()
        /// Where the RTA's buffers lie in the pool (a write's, once `buffersReady` came).
        var pool: [PoolSegment] = []
        /// The cluster write path's part (log record, early acknowledgement, internal writes).
        var logged = LoggedWriteState()
    }

    var transactions: [UInt64: Transaction] = [:]
    var nextTransaction: UInt64 = 1
    /// The data pool's bus windows, one per RTA: bus address ↔ pool offset, and how many of the
    /// RTA's buffer segments the window holds (0: unknown).
    var windows: [(window: BusWindow, poolOffset: Int, segments: Int)] = []
    /// Responses the transport could not take yet (send queue full), in order.
    private var pendingResponses: [(ConnectionID, [UInt8])] = []
    private var retryArmed = false

    init(name: String, runtime: any NodeRuntime, transport: any TargetTransport, bus: RTAInterfaceManager) {
        self.name = name
        self.runtime = runtime
        self.transport = transport
        self.bus = bus
        transport.dataDelegate = self
        bus.transactions = self
    }

    /// Transactions in flight.
    public var outstanding: Int { transactions.count }
    /// Connections the routing table holds.
    public var routedConnections: Int { routing.connectionCount }

    // MARK: Set-up (by the UMA)

    /// - Parameter segmentSize: the RTA's buffer segment (``TargetConfiguration/segmentSize``);
    ///   write-behind takes a consistency point when held writes fill half the window's segments.
    func addWindow(_ window: BusWindow, poolOffset: Int, segmentSize: Int = 0) {
        windows.append((window, poolOffset, segmentSize > 0 ? window.length / segmentSize : 0))
        cluster.heldSegments.append(0)
    }

    func addRoute(_ route: RoutingTable.Route) { routing.add(route) }

    /// The connection is gone: forget its route and its transactions (the UMA tells the RTAs to
    /// release their buffers).
    func removeRoute(_ connection: ConnectionID) {
        routing.remove(connection)
        dropWaiting(of: connection)
        for id in transactions.keys.sorted() where transactions[id]!.connection == connection {
            if keepOrphaned(id) { continue }  // its record is logged: its disk write must still trim it
            transactions[id] = nil
            statistics.abandoned += 1
        }
        releaseOrphanedHeldWrites()  // before the UMA tells the RTAs to drop the connection's transactions
        pendingResponses.removeAll { $0.0 == connection }
    }

    // MARK: From the TTS

    public func messageReceived(_ message: [UInt8], on connection: ConnectionID) {
        let request: ClientRequest
        do {
            guard case .request(let decoded) = try ConnectionMessage(decoding: message) else {
                statistics.malformed += 1
                return
            }
            request = decoded
        } catch {
            statistics.malformed += 1
            return
        }
        statistics.requests += 1
        switch routing.check(request, on: connection) {
        case .reject(let reason):
            statistics.rejected[reason, default: 0] += 1
            let now = runtime.now
            finish(request, on: connection, status: .rejected(reason), received: now, times: ServiceTimes())
        case .route(let lun):
            let now = runtime.now
            routing.adjustOutstanding(connection, by: 1)
            if writeLog != nil, waitsForOverlap(request, on: connection, lun: lun, received: now, logged: LoggedWriteState()) { return }
            start(request, on: connection, lun: lun, received: now, logged: LoggedWriteState())
        }
    }

    /// Hands a routed request to its RTA.
    func start(_ request: ClientRequest, on connection: ConnectionID, lun: RoutingTable.LUNRoute, received: Instant,
               logged: LoggedWriteState) {
        let id = nextTransaction
        nextTransaction += 1
        var logged = logged
        logged.device = lun.device
        transactions[id] = Transaction(
            connection: connection, request: request, endpoint: lun.endpoint, stage: .atRTA, received: received,
            handedToRTA: runtime.now, logged: logged)
        track(id)
        bus.send(.ioRequest(RTARequest(
            transaction: id, connection: connection, device: lun.device, operation: request.operation, lba: request.lba,
            blocks: request.blocks)), to: lun.endpoint)
    }

    public func transferCompleted(tag: UInt64, on connection: ConnectionID, status: TransportStatus) {
        guard var transaction = transactions[tag] else { return }  // abandoned while in flight
        transaction.rdma += runtime.now - transaction.rdmaStarted
        switch (transaction.stage, status) {
        case (.sendingData, .success):
            transactions[tag] = transaction
            bus.send(.transferDone(transaction: tag), to: transaction.endpoint)
            complete(tag, status: .good)
        case (.fetchingData, .success) where writeLog != nil:
            transactions[tag] = transaction
            logFetchedWrite(tag)
        case (.fetchingData, .success):
            transaction.stage = .writing
            transaction.handedToRTA = runtime.now
            transactions[tag] = transaction
            bus.send(.dataPlaced(transaction: tag), to: transaction.endpoint)
        case (.sendingData, .failed), (.fetchingData, .failed):
            // The connection's QP failed: it closes, and the UMA's connection removal releases the
            // RTA's buffers. Try to answer anyway (a transient failure leaves the QP usable).
            statistics.transferFailures += 1
            transactions[tag] = transaction
            if transaction.stage == .sendingData { bus.send(.transferDone(transaction: tag), to: transaction.endpoint) }
            complete(tag, status: .transferFailed)
        default:
            statistics.unexpectedAgentMessages += 1
        }
    }

    // MARK: From the RTAs

    func agentMessageReceived(_ message: AgentMessage, from endpoint: BusEndpoint) {
        let id: UInt64
        switch message {
        case .dataReady(let transaction, _, _), .buffersReady(let transaction, _), .ioComplete(let transaction, _, _): id = transaction
        default: return
        }
        guard var transaction = transactions[id], transaction.endpoint == endpoint else {
            statistics.unexpectedAgentMessages += 1
            return
        }
        let now = runtime.now
        switch (message, transaction.stage) {
        case (.dataReady(_, let buffers, let times), .atRTA) where transaction.request.operation == .read:
            transaction.atRTA += now - transaction.handedToRTA
            transaction.rtaTimes = times
            guard let pool = poolSegments(buffers, bytes: Int(transaction.request.buffer.length)) else {
                transactions[id] = transaction
                statistics.unexpectedAgentMessages += 1
                bus.send(.transferDone(transaction: id), to: endpoint)
                complete(id, status: .transferFailed)
                return
            }
            transaction.stage = .sendingData
            transaction.rdmaStarted = now
            transactions[id] = transaction
            do {
                try transport.write(pool, to: transaction.request.buffer, on: transaction.connection, tag: id)
            } catch {
                statistics.transferFailures += 1
                bus.send(.transferDone(transaction: id), to: endpoint)
                complete(id, status: .transferFailed)
            }
        case (.buffersReady(_, let buffers), .atRTA) where transaction.request.operation == .write:
            transaction.atRTA += now - transaction.handedToRTA
            guard let pool = poolSegments(buffers, bytes: Int(transaction.request.buffer.length)) else {
                statistics.unexpectedAgentMessages += 1
                transactions[id] = transaction
                complete(id, status: .transferFailed)
                return
            }
            transaction.pool = pool
            if transaction.logged.placesFromMemory {
                transactions[id] = transaction
                placeFromMemory(id)
                return
            }
            transaction.stage = .fetchingData
            transaction.rdmaStarted = now
            transactions[id] = transaction
            do {
                try transport.read(transaction.request.buffer, into: pool, on: transaction.connection, tag: id)
            } catch {
                statistics.transferFailures += 1
                complete(id, status: .transferFailed)
            }
        case (.ioComplete(_, let status, let times), .atRTA), (.ioComplete(_, let status, let times), .writing):
            transaction.atRTA += now - transaction.handedToRTA
            transaction.rtaTimes = times
            transactions[id] = transaction
            if transaction.logged.sequence != nil {
                loggedWriteCompleted(id, status: status)
                return
            }
            complete(id, status: status)
        default:
            statistics.unexpectedAgentMessages += 1
        }
    }

    func rtaUnreachable(_ endpoint: BusEndpoint) {
        for id in transactions.keys.sorted() where transactions[id]!.endpoint == endpoint {
            complete(id, status: .deviceUnavailable)
        }
    }

    // MARK: Responses

    /// Maps the RTA's scatter-gather list to spans of the data pool; nil if any element lies
    /// outside the windows or the lengths do not add up to the request's.
    private func poolSegments(_ buffers: [BusSegment], bytes: Int) -> [PoolSegment]? {
        var result: [PoolSegment] = []
        var total = 0
        for segment in buffers {
            guard let (window, offset, _) = windows.first(where: { $0.window.contains(segment.address, count: Int(segment.length)) })
            else { return nil }
            result.append(PoolSegment(offset: offset + Int(segment.address.rawValue - window.address.rawValue), length: Int(segment.length)))
            total += Int(segment.length)
        }
        return total == bytes ? result : nil
    }

    func complete(_ id: UInt64, status: IOStatus) {
        guard let transaction = transactions.removeValue(forKey: id) else { return }
        guard transactionEnded(id, transaction, status: status) else { return }  // answered early, or internal
        routing.adjustOutstanding(transaction.connection, by: -1)
        let now = runtime.now
        // The RTA reports its own time and the device's; what else the CTA waited for it was the
        // bus (messages, retransmissions); the rest of the residence is the CTA's own. A write's
        // RTA residence spans the CTA's RDMA READ of the data: only the part the CTA spent waiting
        // on the RTA counts as the RTA's.
        var rta = transaction.rtaTimes
        rta.disk = min(rta.disk, transaction.atRTA)
        rta.rta = min(rta.rta, transaction.atRTA - rta.disk)
        let pci = transaction.atRTA - rta.rta - rta.disk
        let accounted = pci + rta.rta + rta.disk + transaction.rdma
        let residence = now - transaction.received
        let times = ServiceTimes(
            cta: max(.zero, residence - accounted), pci: pci, rta: rta.rta, disk: rta.disk, rdma: transaction.rdma)
        if status.isGood { statistics.completed += 1 }
        finish(transaction.request, on: transaction.connection, status: status, received: transaction.received, times: times)
    }

    func finish(_ request: ClientRequest, on connection: ConnectionID, status: IOStatus, received: Instant, times: ServiceTimes) {
        let response = ConnectionMessage.response(ClientResponse(tag: request.tag, status: status, times: times))
        send(response.encoded(), on: connection)
        observer?.requestServed(TargetRequestRecord(
            connection: connection, lun: request.lun, operation: request.operation,
            bytes: Int(request.buffer.length), received: received, responded: runtime.now, status: status, times: times))
    }

    private func send(_ bytes: [UInt8], on connection: ConnectionID) {
        guard pendingResponses.isEmpty else {
            pendingResponses.append((connection, bytes))
            return
        }
        do {
            try transport.send(bytes, on: connection)
        } catch .queueFull {
            pendingResponses.append((connection, bytes))
            armRetry()
        } catch {
            // The connection is gone; its client will time out or reconnect.
        }
    }

    private func armRetry() {
        guard !retryArmed else { return }
        retryArmed = true
        runtime.scheduleTimer(after: .microseconds(5), handler: self, token: 0)
    }

    public func timerFired(_ token: UInt64) {
        if token == Self.consistencyPointToken {
            consistencyPointTimerFired()
            return
        }
        retryArmed = false
        while let (connection, bytes) = pendingResponses.first {
            do {
                try transport.send(bytes, on: connection)
            } catch .queueFull {
                armRetry()
                return
            } catch {}
            pendingResponses.removeFirst()
        }
    }
}
