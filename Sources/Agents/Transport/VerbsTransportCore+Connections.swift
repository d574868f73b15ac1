import Hardware

/// One connection's RC QP and its receive slots.
struct ConnectionRecord {
    enum State {
        /// Initiator: the connect request is out; the QP is in INIT with receives posted.
        case connecting
        /// Both QPs in RTS (as far as this side knows).
        case established
        /// Torn down or failed: the QP is in ERR, waiting for its outstanding work to flush.
        case closed
    }
    var state: State
    /// Assigned by the target; nil while connecting.
    var id: ConnectionID?
    var qp: any QueuePair
    var receiveRegion: any MemoryRegion
    var receiveDepth: Int
    /// Send work requests posted and not completed (messages and RDMA parts).
    var outstandingSends = 0
    /// Receives posted and not completed.
    var outstandingReceives = 0
    /// The peer's management QP, for disconnect requests both ways.
    var peerAddress: [UInt8]
    var peerQueuePair: UInt32
    var peerQueueKey: UInt32
    /// Target: the client QP's request, forgotten when the connection is released.
    var requestKey: RequestKey?
    /// This side's first PSN.
    var sendPSN: UInt32
    /// Initiator, while connecting: the connect request's transaction.
    var connectTransaction: UInt64 = 0
}

extension VerbsTransportCore {
    // MARK: QPs

    /// A free record slot for a new QP, or `.queueFull` at the connection limit.
    private func makeRecord(
        access: MemoryAccess, receiveDepth: Int, peerAddress: [UInt8], peerQueuePair: UInt32, peerQueueKey: UInt32
    ) throws(TransportError) -> Int {
        let live = connections.count - freeConnectionSlots.count
        guard live < configuration.maxConnections else { throw .queueFull }
        let c = configuration
        let maxSGE = min(context.attributes.maxScatterGatherElements, 16)
        let qp = try verbs("create RC QP") { () throws(VerbsError) in
            try domain.createQueuePair(
                type: .reliableConnected, sendQueue: completionQueue, receiveQueue: completionQueue,
                capabilities: QueuePairCapabilities(
                    maxSendWorkRequests: c.sendQueueDepth, maxReceiveWorkRequests: receiveDepth,
                    maxSendScatterGatherElements: maxSGE, maxReceiveScatterGatherElements: 1),
                signalAllSends: true)
        }
        let region: any MemoryRegion
        do {
            try qp.modify(.initialize(port: port, access: access))
            region = try domain.allocateMemoryRegion(length: receiveDepth * c.messageSlotBytes, access: .localWrite)
        } catch {
            try? qp.destroy()
            throw .verbs("set up RC QP: \(error)")
        }
        let record = ConnectionRecord(
            state: .connecting, id: nil, qp: qp, receiveRegion: region, receiveDepth: receiveDepth,
            peerAddress: peerAddress, peerQueuePair: peerQueuePair, peerQueueKey: peerQueueKey, requestKey: nil,
            sendPSN: UInt32(random.below(1 << 24)))
        let slot: Int
        if let free = freeConnectionSlots.popLast() {
            slot = free
            connections[slot] = record
        } else {
            slot = connections.count
            connections.append(record)
        }
        for index in 0..<receiveDepth {
            guard postConnectionReceive(slot: slot, index: index) else {
                connections[slot]!.state = .closed
                if !moveToError(slot) { forceRelease(slot) }
                releaseIfDrained(slot)
                throw .verbs("post receives on a new RC QP")
            }
        }
        return slot
    }

    func postConnectionReceive(slot: Int, index: Int) -> Bool {
        let record = connections[slot]!
        let sge = record.receiveRegion.scatterGatherElement(
            offset: index * configuration.messageSlotBytes, length: configuration.messageSlotBytes)
        do {
            try record.qp.postReceive(
                ReceiveWorkRequest(id: Self.workID(.messageReceive, connection: slot, index: index), scatterGatherList: [sge]))
        } catch {
            return false
        }
        connections[slot]!.outstandingReceives += 1
        return true
    }

    /// INIT → RTR → RTS toward `peer`.
    private func bringUp(_ slot: Int, toward peer: TransportEndpoint) throws(VerbsError) {
        let record = connections[slot]!
        let c = configuration
        try record.qp.modify(addressing.readyToReceive(toward: peer, port: port, pathMTU: pathMTU, configuration: c))
        try record.qp.modify(.readyToSend(
            sendPSN: record.sendPSN, timeout: c.ackTimeoutExponent, retryCount: c.retryCount, rnrRetry: c.rnrRetry,
            maxReadAtomic: c.readAtomicDepth))
    }

    func localEndpoint(_ slot: Int) -> TransportEndpoint {
        TransportEndpoint(address: localAddress, queuePairNumber: connections[slot]!.qp.queuePairNumber,
                          packetSequenceNumber: connections[slot]!.sendPSN)
    }

    /// The established connection's slot, or the error `send`, `write` and `read` throw.
    func established(_ connection: ConnectionID) throws(TransportError) -> Int {
        guard role != .idle else { throw .notStarted }
        guard let slot = slotByConnection[connection], connections[slot]?.state == .established else {
            throw .unknownConnection(connection)
        }
        return slot
    }

    // MARK: Initiator

    func connect(to target: ServiceAddress, offer: ConnectionOffer, tag: UInt64) throws(TransportError) {
        guard role == .initiator else { throw .notStarted }
        try check(target)
        let slot = try makeRecord(
            access: .remoteReadWrite, receiveDepth: receiveDepth(for: offer.maxOutstanding),
            peerAddress: target.endpoint.address, peerQueuePair: target.endpoint.queuePairNumber,
            peerQueueKey: target.queueKey)
        let transaction = newTransactionID()
        connections[slot]!.connectTransaction = transaction
        begin(transaction, .connectRequest(transaction: transaction, endpoint: localEndpoint(slot), offer: offer),
              purpose: .connect(tag: tag, slot: slot), to: target.endpoint.address,
              queuePair: target.endpoint.queuePairNumber, queueKey: target.queueKey)
    }

    /// The target accepted: bring the QP to RTS and report.
    func connectAnswered(slot: Int, tag: UInt64, connection: ConnectionID, endpoint: TransportEndpoint, grant: ConnectionGrant) {
        guard let record = connections[slot], record.state == .connecting else {
            preconditionFailure("a connect transaction outlived its connecting QP")
        }
        guard slotByConnection[connection] == nil else {
            // Another target gave the same ID: this initiator tells its connections apart by ID.
            abandonConnecting(slot)
            tellPeerDisconnected(connection, address: record.peerAddress, queuePair: record.peerQueuePair,
                                 queueKey: record.peerQueueKey)
            initiatorDelegate?.connectFailed(tag: tag, reason: .transport(.verbs("\(connection) already in use")))
            return
        }
        do { try bringUp(slot, toward: endpoint) } catch {
            abandonConnecting(slot)
            initiatorDelegate?.connectFailed(tag: tag, reason: .transport(.verbs("bring up RC QP: \(error)")))
            return
        }
        connections[slot]!.state = .established
        connections[slot]!.id = connection
        slotByConnection[connection] = slot
        statistics.connectionsOpened += 1
        initiatorDelegate?.connected(tag: tag, connection: connection, grant: grant)
    }

    /// Drops a connecting record (no answer, rejected, or failed).
    func abandonConnecting(_ slot: Int) {
        guard connections[slot]?.state == .connecting else { return }
        connections[slot]!.state = .closed
        if !moveToError(slot) { forceRelease(slot) }
        releaseIfDrained(slot)
    }

    /// Moves the connection's QP to ERR (so its work flushes); false when the device refuses.
    func moveToError(_ slot: Int) -> Bool {
        let qp = connections[slot]!.qp
        return qp.state == .error || (try? qp.modify(.error)) != nil
    }

    func disconnect(_ connection: ConnectionID) {
        guard let slot = slotByConnection[connection], connections[slot]?.state == .established else { return }
        closeConnection(slot, reason: .closedLocally, tellPeer: true, deferReport: true)
    }

    // MARK: Target

    func connectRequested(transaction: UInt64, endpoint: TransportEndpoint, offer: ConnectionOffer,
                          from sender: [UInt8], queuePair: UInt32) {
        guard addressing.isValid(endpoint.address) else {
            statistics.malformed += 1
            return
        }
        let key = RequestKey(address: endpoint.address, queuePairNumber: endpoint.queuePairNumber)
        switch requests[key] {
        case .pending(_, let known)? where known == transaction:
            return  // still with the delegate
        case .answered(let known, let reply)? where known == transaction:
            sendDatagram(reply, to: sender, queuePair: queuePair, queueKey: configuration.managementQueueKey)
            return
        case .pending(let handle, _)?:
            incoming[handle] = nil  // superseded by a new request from the same QP
        default:
            break
        }
        let handle = nextIncomingHandle
        nextIncomingHandle += 1
        incoming[handle] = IncomingRequest(
            transaction: transaction, endpoint: endpoint, offer: offer, senderAddress: sender,
            senderQueuePairNumber: queuePair, key: key)
        requests[key] = .pending(handle: handle, transaction: transaction)
        connectionDelegate?.connectionRequested(IncomingConnection(handle: handle, offer: offer))
    }

    func accept(_ request: IncomingConnection, as connection: ConnectionID, grant: ConnectionGrant) throws(TransportError) {
        guard role == .target else { throw .notStarted }
        guard let pending = incoming[request.handle] else {
            throw .verbs("no pending connection request \(request.handle)")
        }
        guard slotByConnection[connection] == nil else { throw .verbs("\(connection) already in use") }
        let slot = try makeRecord(
            access: [], receiveDepth: receiveDepth(for: grant.maxOutstanding), peerAddress: pending.senderAddress,
            peerQueuePair: pending.senderQueuePairNumber, peerQueueKey: configuration.managementQueueKey)
        do { try bringUp(slot, toward: pending.endpoint) } catch {
            connections[slot]!.state = .closed
            if !moveToError(slot) { forceRelease(slot) }
            releaseIfDrained(slot)
            throw .verbs("bring up RC QP: \(error)")
        }
        incoming[request.handle] = nil
        connections[slot]!.state = .established
        connections[slot]!.id = connection
        connections[slot]!.requestKey = pending.key
        slotByConnection[connection] = slot
        statistics.connectionsOpened += 1
        let reply = ManagementMessage.connectReply(
            transaction: pending.transaction, connection: connection, endpoint: localEndpoint(slot), grant: grant)
        requests[pending.key] = .answered(transaction: pending.transaction, reply: reply)
        sendDatagram(reply, to: pending.senderAddress, queuePair: pending.senderQueuePairNumber,
                     queueKey: configuration.managementQueueKey)
    }

    func reject(_ request: IncomingConnection, reason: ConnectRejectReason) {
        guard let pending = incoming.removeValue(forKey: request.handle) else { return }
        let reply = ManagementMessage.connectReject(transaction: pending.transaction, reason: reason)
        requests[pending.key] = .answered(transaction: pending.transaction, reply: reply)
        sendDatagram(reply, to: pending.senderAddress, queuePair: pending.senderQueuePairNumber,
                     queueKey: configuration.managementQueueKey)
    }

    func close(_ connection: ConnectionID) {
        guard let slot = slotByConnection[connection], connections[slot]?.state == .established else { return }
        closeConnection(slot, reason: .closedLocally, tellPeer: true, deferReport: true)
    }

    // MARK: Teardown

    /// The peer asks to disconnect `connection`: only the peer of that connection may.
    func disconnectRequested(transaction: UInt64, connection: ConnectionID, from sender: [UInt8], queuePair: UInt32) {
        if let slot = slotByConnection[connection], let record = connections[slot] {
            guard record.peerAddress == sender, record.peerQueuePair == queuePair else {
                statistics.malformed += 1  // not this connection's peer
                return
            }
            if record.state == .established {
                closeConnection(slot, reason: .disconnected, tellPeer: false, deferReport: false)
            }
        }
        // Answered even for a connection already gone, so the peer stops asking.
        sendDatagram(.disconnectReply(transaction: transaction, connection: connection), to: sender, queuePair: queuePair,
                     queueKey: configuration.managementQueueKey)
    }

    private func tellPeerDisconnected(_ connection: ConnectionID, address: [UInt8], queuePair: UInt32, queueKey: UInt32) {
        guard addressing.isValid(address), queuePair != 0 else { return }
        let transaction = newTransactionID()
        begin(transaction, .disconnectRequest(transaction: transaction, connection: connection), purpose: .disconnect,
              to: address, queuePair: queuePair, queueKey: queueKey)
    }

    /// The connection in `slot` failed (an error completion or a QP or device event).
    func connectionFailed(_ slot: Int, status: WorkCompletionStatus) {
        guard let record = connections[slot] else { return }
        switch record.state {
        case .established:
            closeConnection(slot, reason: .failed(status), tellPeer: false, deferReport: false)
        case .connecting:
            let transaction = record.connectTransaction
            guard let pending = transactions.removeValue(forKey: transaction), case .connect(let tag, _) = pending.purpose
            else { preconditionFailure("a connecting QP without its connect transaction") }
            runtime.cancelTimer(pending.timer)
            abandonConnecting(slot)
            initiatorDelegate?.connectFailed(tag: tag, reason: .transport(.verbs("the RC QP failed while connecting: \(status)")))
        case .closed:
            break
        }
    }

    /// Ends an established connection: QP to ERR (outstanding work flushes), the peer told when
    /// asked, `connectionClosed` reported once (from the loop when `deferReport`).
    func closeConnection(_ slot: Int, reason: ConnectionCloseReason, tellPeer: Bool, deferReport: Bool) {
        guard let record = connections[slot], record.state == .established, let id = record.id else { return }
        connections[slot]!.state = .closed
        statistics.connectionsClosed += 1
        if tellPeer {
            tellPeerDisconnected(id, address: record.peerAddress, queuePair: record.peerQueuePair, queueKey: record.peerQueueKey)
        }
        if !moveToError(slot) { forceRelease(slot) }
        if deferReport { post(.closed(id, reason)) } else { reportClosed(id, reason: reason) }
        releaseIfDrained(slot)
    }

    /// The QP cannot flush (the device refused): complete its work here.
    func forceRelease(_ slot: Int) {
        for index in transfers.indices where transfers[index]?.slot == slot {
            let transfer = transfers[index]!
            transfers[index] = nil
            freeTransfers.append(index)
            statistics.failedOperations += 1
            if let id = connections[slot]?.id {
                dataDelegate?.transferCompleted(tag: transfer.tag, on: id, status: .failed(.workRequestFlushed))
            }
        }
        for index in messageSlotOwners.indices where messageSlotOwners[index] == slot {
            messageSlotOwners[index] = -1
            freeMessageSlots.append(index)
        }
        connections[slot]!.outstandingSends = 0
        connections[slot]!.outstandingReceives = 0
    }

    /// Destroys a closed connection's QP and region once nothing of it is outstanding.
    func releaseIfDrained(_ slot: Int) {
        guard let record = connections[slot], record.state == .closed,
            record.outstandingSends == 0, record.outstandingReceives == 0
        else { return }
        try? record.qp.destroy()
        try? record.receiveRegion.deregister()
        if let id = record.id, slotByConnection[id] == slot { slotByConnection[id] = nil }
        if let key = record.requestKey { requests[key] = nil }
        connections[slot] = nil
        freeConnectionSlots.append(slot)
    }
}
