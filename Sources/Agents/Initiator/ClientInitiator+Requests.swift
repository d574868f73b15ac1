import Hardware

/// Who a request's completion goes to.
enum InitiatorRequestOwner: Hashable {
    /// The delegate: ``ClientInitiator/submit(_:tag:)``.
    case caller
    /// A ``RemoteLUNDevice``, by its index in ``ClientInitiator/devices``.
    case device(Int)
}

/// A request the initiator holds: from submission until it completed and none of its pieces
/// can still touch its buffer span.
struct InitiatorActiveRequest {
    var tag: UInt64
    var owner: InitiatorRequestOwner
    var request: BlockRequest
    var blockLength: Int
    var submitted: Instant
    /// How long it may take on a connection (its timer runs only while connected).
    var timeout: TimeSpan
    var timer: TimerHandle?
    /// Blocks already cut into pieces and sent (from the start of the request).
    var blocksSent: UInt32 = 0
    /// Ranges (block offset in the request, blocks) whose pieces were lost with a connection,
    /// in order: sent again before the rest.
    var resend: [(offset: UInt32, blocks: UInt32)] = []
    /// Pieces were lost with a connection and none was sent again yet.
    var awaitingReissue = false
    /// Every piece is cut (or none will be: the request completed early).
    var allSent = false
    var piecesOutstanding = 0
    var pieces = 0
    var status: IOStatus = .good
    var times = ServiceTimes()
    var fabric: TimeSpan = .zero
    /// The owner was told (a timeout completes a request whose pieces are still out).
    var completed = false
    /// Completed while pieces were out: the owner is told again when the span is free.
    var draining = false

    var bytes: Int { Int(request.blocks) * blockLength }

    /// Keeps the worst status (the first on a tie).
    mutating func merge(_ other: IOStatus) {
        if other.splitSeverity > status.splitSeverity { status = other }
    }
}

/// One piece of a request, sent as one ``ClientRequest``.
struct InitiatorPiece {
    var requestID: UInt64
    /// The piece's first block, from the start of its request, and its blocks.
    var offset: UInt32
    var blocks: UInt32
    var sentAt: Instant
}

extension ClientInitiator {
    /// Submits `request`, to complete through the delegate's `completed` with `tag`, within
    /// ``InitiatorConfiguration/requestTimeout``.
    public func submit(_ request: BlockRequest, tag: UInt64) {
        submit(request, tag: tag, timeout: configuration.requestTimeout)
    }

    /// Submits `request` with its own timeout, counted from now, or from the (re)connection that
    /// takes it when none is up: the timeout bounds a request's time on a connection, while a
    /// failover (which sends its lost pieces again) is bounded by
    /// ``InitiatorConfiguration/failoverTimeout``.
    ///
    /// Requests queue here until connected and while the grant's maxOutstanding pieces are out.
    /// The completion always comes on a later turn of the loop. Failed locally, without being
    /// sent: ``RejectReason/lunNotGranted`` for a LUN the target's advertisement lacks (or before
    /// discovery); ``RejectReason/invalidRange`` for a read or write of no blocks, a flush of some,
    /// or a grant too small for one block; ``RejectReason/bufferNotOwned`` for a span outside the
    /// caller's ``InitiatorConfiguration/bufferBytes``; ``IOStatus/deviceUnavailable`` after the
    /// initiator gave up reconnecting.
    public func submit(_ request: BlockRequest, tag: UInt64, timeout: TimeSpan) {
        submit(request, tag: tag, timeout: timeout, owner: .caller)
    }

    func submit(_ request: BlockRequest, tag: UInt64, timeout: TimeSpan, owner: InitiatorRequestOwner) {
        precondition(started, "\(name): submit before start")
        precondition(timeout > .zero, "\(name): a request timeout must be positive")
        let id = nextRequestID
        nextRequestID += 1
        statistics.submitted += 1
        // The LUN as its device knows it, else as the target that served last (or the one being
        // tried first) advertised it: never a partner's advertisement not yet rebuilt mid-failover.
        let profile =
            devices.first { $0.lun == request.lun }?.profile
            ?? (servedBy ?? target).flatMap { advertisements[$0] }?.luns.first { $0.lun == request.lun }
        var active = InitiatorActiveRequest(
            tag: tag, owner: owner, request: request, blockLength: Int(profile?.blockLength ?? 0), submitted: runtime.now,
            timeout: timeout)
        let limit = owner == .caller ? configuration.bufferBytes : configuration.totalBufferBytes
        let failure: IOStatus? =
            if phase == .failed {
                .deviceUnavailable
            } else if profile == nil || active.blockLength == 0 {
                .rejected(.lunNotGranted)
            } else if (request.operation == .flush) != (request.blocks == 0) {
                .rejected(.invalidRange)
            } else if request.bufferOffset < 0 || request.bufferOffset > limit - active.bytes {
                .rejected(.bufferNotOwned)
            } else {
                nil
            }
        if let failure {
            statistics.rejectedLocally += 1
            active.status = failure
            active.allSent = true
            requests[id] = active
            if deferred.isEmpty { armDeferred() }
            deferred.append(id)
            return
        }
        if connection != nil { active.timer = armTimer(of: id, after: timeout) }
        requests[id] = active
        queue.append(id)
        issue()
    }

    private func armTimer(of id: UInt64, after timeout: TimeSpan) -> TimerHandle {
        runtime.scheduleTimer(after: timeout, handler: self, token: TimerKind.requestTimeout.rawValue << Self.timerKindShift | id)
    }

    /// A connection is up: the timers of the requests it takes start now.
    func armRequestTimers() {
        for id in queue {
            guard var active = requests[id], !active.completed, active.timer == nil else { continue }
            active.timer = armTimer(of: id, after: active.timeout)
            requests[id] = active
        }
    }

    /// Sends pieces of queued requests, oldest first, while the grant allows more outstanding.
    func issue() {
        guard case .connected(let connection, let grant) = phase else { return }
        let region = transport.bufferRegion
        while inFlight.count < Int(grant.maxOutstanding), let id = queue.first {
            guard var active = requests[id] else { preconditionFailure("\(name): queued request \(id) unknown") }
            let maxBlocks = UInt32(min(Int(grant.maxTransferBytes) / active.blockLength, Int(UInt32.max)))
            if active.request.operation != .flush && maxBlocks == 0 {
                queue.removeFirst()
                active.merge(.rejected(.invalidRange))
                active.allSent = true
                statistics.rejectedLocally += 1
                requests[id] = active
                if active.piecesOutstanding == 0 { finish(id) }
                continue
            }
            // Lost pieces first (cut again to this grant), then the blocks never sent.
            let start: UInt32
            let blocks: UInt32
            let resending = !active.resend.isEmpty
            if let lost = active.resend.first {
                start = lost.offset
                blocks = min(lost.blocks, maxBlocks)
            } else {
                start = active.blocksSent
                blocks = min(active.request.blocks - active.blocksSent, maxBlocks)
            }
            let offset = active.request.bufferOffset + Int(start) * active.blockLength
            let wireTag = nextWireTag
            let message = ConnectionMessage.request(
                ClientRequest(
                    tag: wireTag, connection: connection, lun: active.request.lun, operation: active.request.operation,
                    lba: active.request.lba + UInt64(start), blocks: blocks,
                    buffer: RemoteBuffer(
                        address: region.address + UInt64(offset), length: UInt32(Int(blocks) * active.blockLength),
                        rkey: region.rkey)))
            do {
                try transport.send(message.encoded(), on: connection)
            } catch {
                statistics.sendFailures += 1
                if !sendRetryArmed {
                    sendRetryArmed = true
                    runtime.scheduleTimer(
                        after: configuration.sendRetryDelay, handler: self,
                        token: TimerKind.sendRetry.rawValue << Self.timerKindShift)
                }
                return
            }
            nextWireTag += 1
            statistics.piecesSent += 1
            if inFlight.isEmpty { lastHeard = runtime.now }  // silence counts from the first piece out
            inFlight[wireTag] = InitiatorPiece(requestID: id, offset: start, blocks: blocks, sentAt: runtime.now)
            armLivenessProbe()
            if resending {
                statistics.piecesReissued += 1
                if active.awaitingReissue {
                    active.awaitingReissue = false
                    statistics.requestsReissued += 1
                    currentFailover?.requestsReissued += 1
                }
                if blocks == active.resend[0].blocks {
                    active.resend.removeFirst()
                } else {
                    active.resend[0] = (active.resend[0].offset + blocks, active.resend[0].blocks - blocks)
                }
            } else {
                active.blocksSent += blocks
            }
            active.piecesOutstanding += 1
            active.pieces += 1
            if active.resend.isEmpty && active.blocksSent == active.request.blocks {
                active.allSent = true
                queue.removeFirst()
            }
            requests[id] = active
        }
    }

    func responseReceived(_ response: ClientResponse) {
        lastHeard = runtime.now
        guard let piece = inFlight.removeValue(forKey: response.tag) else {
            statistics.unknownResponses += 1
            return
        }
        guard var active = requests[piece.requestID] else {
            preconditionFailure("\(name): piece of unknown request \(piece.requestID)")
        }
        if response.status == .good, var failover = currentFailover, failover.reconnected != nil {
            // The first good answer on the new connection: the failover is over, as the client sees it.
            failover.firstGoodResponse = runtime.now
            currentFailover = nil
            failovers.append(failover)
            delegate?.initiator(self, failedOver: failover)
        }
        active.piecesOutstanding -= 1
        if active.completed {
            statistics.lateResponses += 1
        } else {
            active.merge(response.status)
            active.times = active.times.summed(with: response.times)
            active.fabric += (runtime.now - piece.sentAt) - response.times.total
        }
        requests[piece.requestID] = active
        if active.allSent && active.piecesOutstanding == 0 { finish(piece.requestID) }
        issue()
    }

    /// Completes request `id` (unless a timeout already did) and, once none of its pieces is
    /// out, forgets it; a request that completed with pieces out hands its span back then.
    func finish(_ id: UInt64) {
        guard var active = requests[id] else { return }
        if !active.completed {
            active.completed = true
            active.draining = active.piecesOutstanding > 0
            if let timer = active.timer { runtime.cancelTimer(timer) }
            active.timer = nil
            requests[id] = active
            statistics.completed += 1
            observer?.requestCompleted(
                InitiatorRequestRecord(
                    tag: active.tag, request: active.request, bytes: active.bytes, pieces: active.pieces,
                    submitted: active.submitted, completed: runtime.now, status: active.status, times: active.times,
                    fabric: active.fabric))
            switch active.owner {
            case .caller: delegate?.initiator(self, completed: active.tag, status: active.status)
            case .device(let index):
                devices[index].requestCompleted(token: active.tag, status: active.status, draining: active.draining)
            }
        }
        guard let current = requests[id], current.piecesOutstanding == 0 else { return }
        requests[id] = nil
        guard current.draining else { return }
        switch current.owner {
        case .caller: delegate?.initiator(self, released: current.tag)
        case .device(let index): devices[index].requestReleased(token: current.tag)
        }
    }

    func requestTimedOut(_ id: UInt64) {
        guard var active = requests[id], !active.completed else { return }
        statistics.timedOut += 1
        if !active.allSent, let position = queue.firstIndex(of: id) { queue.remove(at: position) }
        active.allSent = true
        active.status = .deviceUnavailable
        active.timer = nil
        requests[id] = active
        finish(id)
    }

    /// The connection is gone: every piece that was out is to be sent again on the next
    /// connection (reads and writes are idempotent; a piece answered before the loss is not sent
    /// again). Requests holding lost pieces rejoin the queue in submission order, ahead of any
    /// submitted after them; a request already completed by its timeout is released instead.
    /// Request timers stop until a connection takes the requests again.
    func requeueOutstanding() {
        let lost = inFlight.values.sorted { ($0.requestID, $0.offset) < ($1.requestID, $1.offset) }
        inFlight.removeAll()
        var touched: [UInt64] = []
        for piece in lost {
            guard var active = requests[piece.requestID] else { preconditionFailure("\(name): piece of unknown request") }
            active.piecesOutstanding -= 1
            if !active.completed {
                active.resend.append((piece.offset, piece.blocks))
                active.awaitingReissue = true
                active.allSent = false
            }
            requests[piece.requestID] = active
            if touched.last != piece.requestID { touched.append(piece.requestID) }
        }
        var held = queue
        for id in touched {
            guard let active = requests[id] else { continue }
            if active.completed {
                finish(id)  // its span is free: the lost connection can no longer write into it
            } else if !held.contains(id) {
                held.append(id)
            }
        }
        // Request IDs grow with submission: sorting restores the submission order.
        queue = held.sorted()
        for id in queue {
            guard var active = requests[id], let timer = active.timer else { continue }
            runtime.cancelTimer(timer)
            active.timer = nil
            requests[id] = active
        }
    }

    /// Fails every queued request with `status` (no connection will take them).
    func failQueued(with status: IOStatus) {
        let ids = queue
        queue.removeAll()
        for id in ids {
            guard var active = requests[id] else { continue }
            assert(active.piecesOutstanding == 0, "failing a queued request with pieces out")
            statistics.rejectedLocally += 1
            active.merge(status)
            active.allSent = true
            requests[id] = active
            finish(id)
        }
    }
}
