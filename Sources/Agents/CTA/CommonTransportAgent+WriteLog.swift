import Hardware

// The CTA's write path in a cluster: a write log, early acknowledgement, per-LUN ordering of
// requests that overlap a write not yet on disk, and the host's own (internal) writes for
// replaying a partner's log. Without a write log and without internal writes nothing here acts:
// the storage target behaves exactly as before.

/// The cluster write path's counters.
public struct CTAClusterStatistics: Hashable, Sendable {
    /// Writes appended to the log.
    public var writesLogged = 0
    /// Writes answered when durable in the log, before their disk write completed.
    public var earlyAcknowledgements = 0
    /// Appends the log refused for want of room (the write waited).
    public var logFull = 0
    /// Disk writes retried after a failure.
    public var diskRetries = 0
    /// Acknowledged writes whose disk write failed twice; their records stay in the log.
    public var writesFailedAfterAck = 0
    /// Requests that waited for an overlapping write to reach disk.
    public var orderingWaits = 0
    public var internalWrites = 0
    public var internalWritesFailed = 0
    /// Logged writes whose connection closed before their disk write ended (kept to trim them).
    public var orphanedWrites = 0
    /// Write-behind (``CommonTransportAgent/destageInterval``): consistency points taken (each
    /// releases every held write), in all and by what triggered them.
    public var consistencyPoints = 0
    public var consistencyPointsByTrigger: [ConsistencyPointTrigger: Int] = [:]
    /// Logged writes whose disk write was held for a consistency point.
    public var writesHeld = 0
    /// The most writes held at once.
    public var maxWritesHeld = 0

    public init() {}
}

/// Told when an internal write (``CommonTransportAgent/writeInternal(route:lun:lba:data:tag:delegate:)``) ends.
public protocol InternalWriteDelegate: AnyObject {
    func internalWriteCompleted(tag: UInt64, status: IOStatus)
}

/// A transaction's part in the cluster write path.
struct LoggedWriteState {
    /// Its log record, once appended.
    var sequence: UInt64?
    var loggedAt: Instant = .zero
    /// Answered to the client (durable in the log).
    var acknowledged = false
    /// The disk write completed well before the record was durable: answer at durability.
    var onDisk = false
    /// The data (a copy of what was logged, or an internal write's): a retry places it again.
    var data: [UInt8]?
    /// The next `buffersReady` is filled from ``data`` instead of an RDMA READ.
    var placesFromMemory = false
    var retried = false
    /// The LUN's device on its RTA (for a retry).
    var device: UInt16 = 0
    /// Its connection closed; nobody is answered.
    var orphaned = false
    /// Part of the per-LUN ordering (a write not yet on disk).
    var tracked = false
    /// Write-behind: the window (RTA) whose buffers it holds, while held.
    var heldWindow: Int?
    /// An internal write's delegate (nil for a client's).
    var internalDelegate: (any InternalWriteDelegate)?
    var isInternal: Bool { internalDelegate != nil }
}

/// A request waiting for an overlapping write to reach disk.
struct WaitingRequest {
    var connection: ConnectionID
    var request: ClientRequest
    var lun: RoutingTable.LUNRoute
    var received: Instant
    var logged: LoggedWriteState
}

/// One LUN's ordering: writes not yet on disk (in arrival order) and the requests waiting.
struct LUNOrder {
    var writes: [(transaction: UInt64, lba: UInt64, blocks: UInt32)] = []
    var waiting: [WaitingRequest] = []
}

/// The CTA's cluster state.
struct CTAClusterState {
    var order: [UInt16: LUNOrder] = [:]
    /// Log sequence → transaction.
    var bySequence: [UInt64: UInt64] = [:]
    /// Writes whose data is in the pool, waiting for log room, in order.
    var logWaiters: [UInt64] = []
    /// Write-behind: logged writes whose disk write waits for the next consistency point, in log order.
    var held: [UInt64] = []
    /// Write-behind: the RTA buffer segments the held writes occupy, per window (``CommonTransportAgent/windows``).
    var heldSegments: [Int] = []
    /// Write-behind: the consistency-point timer, while armed.
    var consistencyPointTimer: TimerHandle?
    var statistics = CTAClusterStatistics()
}

func overlaps(_ lba: UInt64, _ blocks: UInt32, _ otherLBA: UInt64, _ otherBlocks: UInt32) -> Bool {
    lba < otherLBA + UInt64(otherBlocks) && otherLBA < lba + UInt64(blocks)
}

extension CommonTransportAgent: WriteLogDelegate {
    /// The cluster write path's counters.
    public var clusterStatistics: CTAClusterStatistics { cluster.statistics }

    // MARK: Ordering

    /// Queues `request` when it overlaps, on its LUN, a write not yet on disk or an earlier
    /// waiting request; returns whether it was queued.
    func waitsForOverlap(_ request: ClientRequest, on connection: ConnectionID, lun: RoutingTable.LUNRoute, received: Instant,
                         logged: LoggedWriteState) -> Bool {
        guard request.operation != .flush, let order = cluster.order[request.lun] else { return false }
        let blocked = order.writes.contains { overlaps(request.lba, request.blocks, $0.lba, $0.blocks) }
            || order.waiting.contains { overlaps(request.lba, request.blocks, $0.request.lba, $0.request.blocks) }
        guard blocked else { return false }
        cluster.order[request.lun]!.waiting.append(WaitingRequest(
            connection: connection, request: request, lun: lun, received: received, logged: logged))
        cluster.statistics.orderingWaits += 1
        // Behind a held write it would wait a whole interval: release the held writes now.
        if order.writes.contains(where: { transactions[$0.transaction]?.stage == .held && overlaps(request.lba, request.blocks, $0.lba, $0.blocks) }) {
            takeConsistencyPoint(.ordering)
        }
        return true
    }

    /// A started write joins its LUN's ordering when the cluster path is on.
    func track(_ id: UInt64) {
        guard let transaction = transactions[id], transaction.request.operation == .write,
            writeLog != nil || transaction.logged.isInternal
        else { return }
        transactions[id]!.logged.tracked = true
        cluster.order[transaction.request.lun, default: LUNOrder()].writes.append(
            (id, transaction.request.lba, transaction.request.blocks))
    }

    /// A tracked write reached disk (or failed for good): start the waiters it no longer blocks.
    private func untrack(_ id: UInt64, _ transaction: Transaction) {
        guard transaction.logged.tracked, var order = cluster.order[transaction.request.lun] else { return }
        order.writes.removeAll { $0.transaction == id }
        var stillWaiting: [WaitingRequest] = []
        var ready: [WaitingRequest] = []
        for waiter in order.waiting {
            let request = waiter.request
            let blocked = order.writes.contains { overlaps(request.lba, request.blocks, $0.lba, $0.blocks) }
                || stillWaiting.contains { overlaps(request.lba, request.blocks, $0.request.lba, $0.request.blocks) }
                || (request.operation == .write && ready.contains { overlaps(request.lba, request.blocks, $0.request.lba, $0.request.blocks) })
            if blocked { stillWaiting.append(waiter) } else { ready.append(waiter) }
        }
        order.waiting = stillWaiting
        cluster.order[transaction.request.lun] = order.writes.isEmpty && order.waiting.isEmpty ? nil : order
        for waiter in ready {
            start(waiter.request, on: waiter.connection, lun: waiter.lun, received: waiter.received, logged: waiter.logged)
        }
    }

    /// Forgets the waiting requests of a closed connection.
    func dropWaiting(of connection: ConnectionID) {
        for lun in cluster.order.keys.sorted() {
            cluster.order[lun]!.waiting.removeAll { $0.connection == connection }
        }
    }

    /// A closed connection's logged write stays until its disk write ends (to trim its record).
    func keepOrphaned(_ id: UInt64) -> Bool {
        guard transactions[id]!.logged.sequence != nil else { return false }
        transactions[id]!.logged.orphaned = true
        cluster.statistics.orphanedWrites += 1
        return true
    }

    /// Every transaction's end, from `complete`: releases its ordering; says whether the
    /// client still needs its response (false when answered early, orphaned, or internal).
    func transactionEnded(_ id: UInt64, _ transaction: Transaction, status: IOStatus) -> Bool {
        untrack(id, transaction)
        cluster.logWaiters.removeAll { $0 == id }
        if transaction.stage == .held { unhold(id, transaction) }
        if let sequence = transaction.logged.sequence, cluster.bySequence[sequence] == id { cluster.bySequence[sequence] = nil }
        if let delegate = transaction.logged.internalDelegate {
            if status.isGood { cluster.statistics.internalWrites += 1 } else { cluster.statistics.internalWritesFailed += 1 }
            delegate.internalWriteCompleted(tag: transaction.request.tag, status: status)
            return false
        }
        if transaction.logged.acknowledged {
            if !status.isGood { cluster.statistics.writesFailedAfterAck += 1 }
            return false
        }
        return !transaction.logged.orphaned
    }

    // MARK: Logging and early acknowledgement

    /// The RDMA READ put a write's data in the pool: log it, then let the RTA write it.
    func logFetchedWrite(_ id: UInt64) {
        guard let log = writeLog, var transaction = transactions[id] else { return }
        let data: [UInt8]
        if let copy = transaction.logged.data {
            data = copy
        } else {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(Int(transaction.request.buffer.length))
            for segment in transaction.pool { bytes += transport.dataPool.read(offset: segment.offset, count: segment.length) }
            data = bytes
            transaction.logged.data = bytes
        }
        guard let sequence = log.append(lun: transaction.request.lun, lba: transaction.request.lba, blocks: transaction.request.blocks,
                                        data: data)
        else {
            if transaction.stage != .awaitingLog { cluster.statistics.logFull += 1 }
            transaction.stage = .awaitingLog
            transactions[id] = transaction
            if !cluster.logWaiters.contains(id) { cluster.logWaiters.append(id) }
            takeConsistencyPoint(.logFull)  // the held writes' trims make the room
            return
        }
        cluster.statistics.writesLogged += 1
        transaction.logged.sequence = sequence
        transaction.logged.loggedAt = runtime.now
        transaction.stage = .writing
        transaction.handedToRTA = runtime.now
        transactions[id] = transaction
        cluster.bySequence[sequence] = id
        if destageInterval != nil, !transaction.logged.isInternal {
            hold(id)
            return
        }
        bus.send(.dataPlaced(transaction: id), to: transaction.endpoint)
    }

    public func writeLogSpaceAvailable() {
        while let id = cluster.logWaiters.first {
            logFetchedWrite(id)
            if transactions[id]?.stage == .awaitingLog { return }  // still no room
            cluster.logWaiters.removeFirst()
        }
    }

    public func writeDurable(_ sequence: UInt64) {
        guard let id = cluster.bySequence[sequence], var transaction = transactions[id], !transaction.logged.acknowledged else { return }
        let now = runtime.now
        transaction.logged.acknowledged = true
        transactions[id] = transaction
        if !transaction.logged.orphaned {
            // Where the time went until the acknowledgement: the RTA's buffers (pci), the RDMA READ
            // from the client plus the log's mirror (rdma: the mirror is an RDMA WRITE to the
            // partner), the rest the CTA's own; the disk comes after.
            let residence = now - transaction.received
            // Each share is capped by what is left of the residence, so the parts never add up to
            // more than the request spent here (the client takes the fabric's share as the rest).
            let pci = min(transaction.atRTA, residence)
            let rdma = min(transaction.rdma + (now - transaction.logged.loggedAt), residence - pci)
            let times = ServiceTimes(cta: residence - rdma - pci, pci: pci, rdma: rdma)
            routing.adjustOutstanding(transaction.connection, by: -1)
            statistics.completed += 1
            cluster.statistics.earlyAcknowledgements += 1
            finish(transaction.request, on: transaction.connection, status: .good, received: transaction.received, times: times)
        }
        if transaction.logged.onDisk { complete(id, status: .good) }
    }

    /// A logged write's disk write ended.
    func loggedWriteCompleted(_ id: UInt64, status: IOStatus) {
        guard var transaction = transactions[id], let sequence = transaction.logged.sequence else { return }
        if status.isGood {
            writeLog?.trim(sequence)
            if transaction.logged.acknowledged || transaction.logged.orphaned {
                complete(id, status: .good)
            } else {
                transaction.logged.onDisk = true  // answered when durable
                transactions[id] = transaction
            }
            return
        }
        guard !transaction.logged.retried else {
            complete(id, status: status)  // the record stays in the log
            return
        }
        // Retry once, from the copy, under a new transaction number (the RTA remembers the old one).
        cluster.statistics.diskRetries += 1
        transaction.logged.retried = true
        reissueFromMemory(id, transaction)
    }

    /// Sends a logged write again from its data copy, under a new transaction number (the RTA
    /// remembers the old one) on the transaction's connection: its log record and its place in
    /// the ordering follow it.
    func reissueFromMemory(_ id: UInt64, _ transaction: Transaction) {
        var transaction = transaction
        transactions[id] = nil
        let next = nextTransaction
        nextTransaction += 1
        transaction.logged.placesFromMemory = true
        transaction.stage = .atRTA
        transaction.handedToRTA = runtime.now
        transactions[next] = transaction
        if let sequence = transaction.logged.sequence { cluster.bySequence[sequence] = next }
        if let index = cluster.order[transaction.request.lun]?.writes.firstIndex(where: { $0.transaction == id }) {
            cluster.order[transaction.request.lun]!.writes[index].transaction = next
        }
        bus.send(.ioRequest(RTARequest(
            transaction: next, connection: transaction.connection, device: transaction.logged.device, operation: .write, lba: transaction.request.lba,
            blocks: transaction.request.blocks)), to: transaction.endpoint)
    }

    /// `buffersReady` for a write whose data is in memory (internal, or a retry): copy it into
    /// the RTA's buffers and let it write.
    func placeFromMemory(_ id: UInt64) {
        guard var transaction = transactions[id], let data = transaction.logged.data else { return }
        var offset = 0
        for segment in transaction.pool {
            transport.dataPool.write(data[offset..<(offset + segment.length)], at: segment.offset)
            offset += segment.length
        }
        transaction.logged.placesFromMemory = false
        transaction.stage = .writing
        transaction.handedToRTA = runtime.now
        transactions[id] = transaction
        bus.send(.dataPlaced(transaction: id), to: transaction.endpoint)
    }

    // MARK: Internal writes

    /// Writes `data` to `lba` of the LUN at `route`, on the host's own connection
    /// (``ConnectionID/host``: the UMA adds it to the RTAs concerned first), in order with
    /// overlapping requests; `delegate` hears `tag` and the status when it is on disk.
    ///
    /// - Precondition: `data` is a whole number of blocks, at least one.
    public func writeInternal(route: RoutingTable.LUNRoute, lun: UInt16, lba: UInt64, data: [UInt8], tag: UInt64,
                              delegate: any InternalWriteDelegate) {
        precondition(!data.isEmpty && data.count % Int(route.blockLength) == 0, "an internal write of whole blocks")
        let request = ClientRequest(
            tag: tag, connection: .host, lun: lun, operation: .write, lba: lba, blocks: UInt32(data.count / Int(route.blockLength)),
            buffer: RemoteBuffer(address: 0, length: UInt32(data.count), rkey: 0))
        var logged = LoggedWriteState()
        logged.data = data
        logged.placesFromMemory = true
        logged.internalDelegate = delegate
        let now = runtime.now
        if waitsForOverlap(request, on: .host, lun: route, received: now, logged: logged) { return }
        start(request, on: .host, lun: route, received: now, logged: logged)
    }
}
