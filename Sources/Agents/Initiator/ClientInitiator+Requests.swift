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
    var timer: TimerHandle?
    /// Blocks already cut into pieces and sent.
    var blocksSent: UInt32 = 0
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
    var sentAt: Instant
}

extension ClientInitiator {
    /// Submits `request`, to complete through the delegate's `completed` with `tag`, within
    /// ``InitiatorConfiguration/requestTimeout``.
    public func submit(_ request: BlockRequest, tag: UInt64) {
        submit(request, tag: tag, timeout: configuration.requestTimeout)
    }

    /// Submits `request` with its own timeout, counted from now.
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
        let profile = target.flatMap { advertisements[$0] }?.luns.first { $0.lun == request.lun }
        var active = InitiatorActiveRequest(
            tag: tag, owner: owner, request: request, blockLength: Int(profile?.blockLength ?? 0), submitted: runtime.now)
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
        active.timer = runtime.scheduleTimer(
            after: timeout, handler: self, token: TimerKind.requestTimeout.rawValue << Self.timerKindShift | id)
        requests[id] = active
        queue.append(id)
        issue()
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
            let blocks = min(active.request.blocks - active.blocksSent, maxBlocks)
            let offset = active.request.bufferOffset + Int(active.blocksSent) * active.blockLength
            let wireTag = nextWireTag
            let message = ConnectionMessage.request(
                ClientRequest(
                    tag: wireTag, connection: connection, lun: active.request.lun, operation: active.request.operation,
                    lba: active.request.lba + UInt64(active.blocksSent), blocks: blocks,
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
            inFlight[wireTag] = InitiatorPiece(requestID: id, sentAt: runtime.now)
            active.blocksSent += blocks
            active.piecesOutstanding += 1
            active.pieces += 1
            if active.blocksSent == active.request.blocks {
                active.allSent = true
                queue.removeFirst()
            }
            requests[id] = active
        }
    }

    func responseReceived(_ response: ClientResponse) {
        guard let piece = inFlight.removeValue(forKey: response.tag) else {
            statistics.unknownResponses += 1
            return
        }
        guard var active = requests[piece.requestID] else {
            preconditionFailure("\(name): piece of unknown request \(piece.requestID)")
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

    /// The connection is gone: every request with a piece out fails with
    /// ``IOStatus/transferFailed`` (a write's outcome is unknown), in submission order. Requests
    /// with nothing out stay queued for the next connection.
    func failOutstanding() {
        let ids = Set(inFlight.values.map(\.requestID)).sorted()
        inFlight.removeAll()
        for id in ids {
            guard var active = requests[id] else { continue }
            active.piecesOutstanding = 0
            if !active.completed {
                statistics.failedByConnectionLoss += 1
                active.merge(.transferFailed)
                if !active.allSent, let position = queue.firstIndex(of: id) { queue.remove(at: position) }
                active.allSent = true
            }
            requests[id] = active
            finish(id)
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
