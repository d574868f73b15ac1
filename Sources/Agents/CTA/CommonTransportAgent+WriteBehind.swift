import Hardware

// Write-behind (consistency points), as a filer does it: a logged write is acknowledged when its
// record is durable in NVRAM (and, in a cluster, in the partner's), but its disk write waits for
// the next consistency point, which writes every held write at once, in log order. "At least
// once every 10 seconds WAFL generates an internal snapshot called a consistency point"
// (Hutchinson et al., "Logical vs. Physical File System Backup", OSDI '99, "Consistency Points
// and NVRAM"); ONTAP also starts one early when the NVRAM log half fills or dirty buffers reach a
// high-water mark (the "F" and "H" CP types of its sysstat). Here a consistency point is taken:
//   - when the timer (``CommonTransportAgent/destageInterval``) fires: armed at the first write
//     held after the timer last fired, so nothing waits longer than the interval;
//   - when the log refuses an append (its room is taken by held records: their trims free it);
//   - when a request would wait, in the per-LUN ordering, behind a held write (a read of blocks
//     just written must not wait a whole interval);
//   - when the held writes occupy half of one RTA's buffer segments (the RTA would run out of
//     buffers for reads and new writes; assumption: half, the NVRAM rule applied to buffers);
//   - when a connection with held writes closes (their disk writes go on the host's own
//     connection, before the UMA tells the RTAs to drop the connection's transactions).
// Internal writes (replaying a log) are never held. A crash loses what is held: only the log,
// and its mirror in the partner's NVRAM, still has it.

/// What made the CTA take a consistency point.
public enum ConsistencyPointTrigger: Hashable, Sendable, CaseIterable {
    /// The interval elapsed.
    case timer
    /// The log refused an append.
    case logFull
    /// A request waits behind a held write on its LUN.
    case ordering
    /// Held writes occupy half of an RTA's buffer segments.
    case buffers
    /// A connection with held writes closed.
    case connectionClosed
}

extension CommonTransportAgent {
    /// The timer token of the consistency-point timer (0 is the response retry's).
    static let consistencyPointToken: UInt64 = 1

    /// Writes held now, waiting for the next consistency point.
    public var heldWrites: Int { cluster.held.count }

    /// Takes a consistency point now: every held write goes to disk, in log order. Nothing
    /// happens when none is held.
    public func consistencyPoint() { takeConsistencyPoint(.timer) }

    /// Holds logged write `id`'s disk write (its `dataPlaced`) until the next consistency point.
    func hold(_ id: UInt64) {
        guard var transaction = transactions[id] else { return }
        precondition(transaction.logged.sequence != nil && !transaction.logged.isInternal, "only a logged client write is held")
        transaction.stage = .held
        let window = transaction.pool.first.flatMap { segment in
            windows.firstIndex { segment.offset >= $0.poolOffset && segment.offset < $0.poolOffset + $0.window.length }
        }
        transaction.logged.heldWindow = window
        transactions[id] = transaction
        cluster.held.append(id)
        cluster.statistics.writesHeld += 1
        cluster.statistics.maxWritesHeld = max(cluster.statistics.maxWritesHeld, cluster.held.count)
        if cluster.consistencyPointTimer == nil, let interval = destageInterval {
            cluster.consistencyPointTimer = runtime.scheduleTimer(after: interval, handler: self, token: Self.consistencyPointToken)
        }
        let request = transaction.request
        if let waiting = cluster.order[request.lun]?.waiting,
            waiting.contains(where: { overlaps(request.lba, request.blocks, $0.request.lba, $0.request.blocks) })
        {
            // A request queued while this write was at the RTA: it would now wait a whole interval.
            takeConsistencyPoint(.ordering)
            return
        }
        if let window {
            cluster.heldSegments[window] += heldSegmentCount(transaction, window: window)
            let capacity = windows[window].segments
            if capacity > 0, 2 * cluster.heldSegments[window] >= capacity { takeConsistencyPoint(.buffers) }
        }
    }

    /// The RTA buffer segments a held write occupies in `window` (0 when the segment size is unknown).
    private func heldSegmentCount(_ transaction: Transaction, window: Int) -> Int {
        let segments = windows[window].segments
        guard segments > 0 else { return 0 }
        let segmentSize = windows[window].window.length / segments
        return (Int(transaction.request.buffer.length) + segmentSize - 1) / segmentSize
    }

    /// A held write ended without its consistency point (its RTA is unreachable): forget it.
    func unhold(_ id: UInt64, _ transaction: Transaction) {
        cluster.held.removeAll { $0 == id }
        if let window = transaction.logged.heldWindow {
            cluster.heldSegments[window] -= heldSegmentCount(transaction, window: window)
            assert(cluster.heldSegments[window] >= 0, "held segments below zero")
        }
    }

    /// Releases every held write, in log order: `dataPlaced` to its RTA, or, for a write whose
    /// connection closed, the write again on the host's own connection from its data copy (the
    /// RTA drops the closed connection's transactions).
    func takeConsistencyPoint(_ trigger: ConsistencyPointTrigger) {
        guard !cluster.held.isEmpty else { return }
        cluster.statistics.consistencyPoints += 1
        cluster.statistics.consistencyPointsByTrigger[trigger, default: 0] += 1
        let held = cluster.held
        cluster.held = []
        for index in cluster.heldSegments.indices { cluster.heldSegments[index] = 0 }
        let now = runtime.now
        for id in held {
            guard var transaction = transactions[id] else { continue }
            precondition(transaction.stage == .held, "a released write was held")
            transaction.logged.heldWindow = nil
            if transaction.logged.orphaned, transaction.connection != .host {
                transaction.connection = .host
                reissueFromMemory(id, transaction)
                continue
            }
            transaction.stage = .writing
            transaction.handedToRTA = now
            transactions[id] = transaction
            bus.send(.dataPlaced(transaction: id), to: transaction.endpoint)
        }
    }

    func consistencyPointTimerFired() {
        cluster.consistencyPointTimer = nil
        takeConsistencyPoint(.timer)
    }

    /// After a connection closed (its logged writes orphaned): its held writes go now.
    func releaseOrphanedHeldWrites() {
        guard cluster.held.contains(where: { transactions[$0]?.logged.orphaned == true }) else { return }
        takeConsistencyPoint(.connectionClosed)
    }
}
