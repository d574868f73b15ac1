import Hardware

/// An RDMA transfer, possibly split into several work requests (one per group of
/// scatter-gather elements the QP takes).
struct Transfer {
    var tag: UInt64
    /// The connection's record slot.
    var slot: Int
    var partsLeft: Int
    var status: TransportStatus
    var bytes: Int
}

extension VerbsTransportCore {
    // MARK: Messages

    func send(_ message: [UInt8], on connection: ConnectionID) throws(TransportError) {
        let slot = try established(connection)
        guard message.count <= configuration.messageSlotBytes else {
            throw .invalidSegment("a message of \(message.count) bytes (slots hold \(configuration.messageSlotBytes))")
        }
        guard connections[slot]!.outstandingSends < configuration.sendQueueDepth, let index = freeMessageSlots.popLast()
        else { throw .queueFull }
        let offset = index * configuration.messageSlotBytes
        messageRegion.write(message, at: offset)
        let request = SendWorkRequest.send(
            id: Self.workID(.messageSend, connection: slot, index: index),
            [messageRegion.scatterGatherElement(offset: offset, length: message.count)])
        do { try connections[slot]!.qp.postSend(request) } catch {
            freeMessageSlots.append(index)
            throw .verbs("post SEND: \(error)")
        }
        messageSlotOwners[index] = slot
        connections[slot]!.outstandingSends += 1
        statistics.messagesSent += 1
    }

    // MARK: RDMA

    func write(_ pool: [PoolSegment], to remote: RemoteBuffer, on connection: ConnectionID, tag: UInt64) throws(TransportError) {
        guard role == .target else { throw .notStarted }
        try transfer(pool, remote: remote, connection: connection, tag: tag, read: false)
    }

    func read(_ remote: RemoteBuffer, into pool: [PoolSegment], on connection: ConnectionID, tag: UInt64) throws(TransportError) {
        guard role == .target else { throw .notStarted }
        try transfer(pool, remote: remote, connection: connection, tag: tag, read: true)
    }

    private func transfer(_ pool: [PoolSegment], remote: RemoteBuffer, connection: ConnectionID, tag: UInt64, read: Bool)
        throws(TransportError)
    {
        let slot = try established(connection)
        var total = 0
        for segment in pool {
            guard segment.length > 0, segment.offset >= 0, segment.offset <= dataRegion.length - segment.length else {
                throw .invalidSegment("\(segment) outside a pool of \(dataRegion.length) bytes")
            }
            total += segment.length
        }
        guard total > 0, total <= Int(remote.length) else {
            throw .invalidSegment("\(total) bytes of pool for a remote buffer of \(remote.length)")
        }
        guard remote.address <= UInt64.max - UInt64(total) else { throw .invalidSegment("remote buffer \(remote) wraps") }
        let qp = connections[slot]!.qp
        let perRequest = max(1, qp.capabilities.maxSendScatterGatherElements)
        let parts = (pool.count + perRequest - 1) / perRequest
        guard connections[slot]!.outstandingSends + parts <= configuration.sendQueueDepth else { throw .queueFull }
        let index: Int
        if let free = freeTransfers.popLast() { index = free } else {
            index = transfers.count
            transfers.append(nil)
        }
        let id = Self.workID(.rdma, connection: slot, index: index)
        var requests: [SendWorkRequest] = []
        var remoteOffset: UInt64 = 0
        for start in stride(from: 0, to: pool.count, by: perRequest) {
            let group = pool[start..<min(pool.count, start + perRequest)]
            let elements = group.map { dataRegion.scatterGatherElement(offset: $0.offset, length: $0.length) }
            let target = RemoteMemory(address: remote.address + remoteOffset, rkey: remote.rkey)
            requests.append(read ? .rdmaRead(id: id, into: elements, from: target) : .rdmaWrite(id: id, elements, to: target))
            remoteOffset += UInt64(group.reduce(0) { $0 + $1.length })
        }
        var posted = parts
        var status = TransportStatus.success
        do { try qp.postSend(requests) } catch {
            guard error.failedIndex > 0 else {
                freeTransfers.append(index)
                throw .verbs("post RDMA \(read ? "READ" : "WRITE"): \(error)")
            }
            // Part of it went: it completes, failed, when those parts do.
            posted = error.failedIndex
            status = .failed(.localQueuePairOperationError)
        }
        transfers[index] = Transfer(tag: tag, slot: slot, partsLeft: posted, status: status, bytes: total)
        connections[slot]!.outstandingSends += posted
        if read { statistics.rdmaReads += 1 } else { statistics.rdmaWrites += 1 }
    }

    // MARK: Completions on connections

    func connectionWorkCompleted(_ completion: WorkCompletion, kind: WorkKind, slot: Int, index: Int) {
        // A connection released by force (its device refused to flush) may still see completions.
        guard connections.indices.contains(slot), connections[slot] != nil else { return }
        let ok = completion.status == .success
        switch kind {
        case .messageSend:
            precondition(messageSlotOwners[index] == slot, "message slot completed twice")
            messageSlotOwners[index] = -1
            freeMessageSlots.append(index)
            connections[slot]!.outstandingSends -= 1
        case .messageReceive:
            connections[slot]!.outstandingReceives -= 1
        case .rdma:
            connections[slot]!.outstandingSends -= 1
        default:
            preconditionFailure("not a connection work request")
        }
        if !ok {
            if kind == .messageSend, connections[slot]!.state != .closed { statistics.failedOperations += 1 }
            connectionFailed(slot, status: completion.status)
        }
        switch kind {
        case .messageReceive where ok:
            receivedMessage(completion, slot: slot, index: index)
        case .rdma:
            rdmaPartCompleted(completion, slot: slot, index: index)
        default:
            break
        }
        releaseIfDrained(slot)
    }

    private func receivedMessage(_ completion: WorkCompletion, slot: Int, index: Int) {
        guard let record = connections[slot], record.state == .established, let id = record.id else { return }
        let length = min(Int(completion.byteCount), configuration.messageSlotBytes)
        let bytes = record.receiveRegion.read(offset: index * configuration.messageSlotBytes, count: length)
        if !postConnectionReceive(slot: slot, index: index) { statistics.failedOperations += 1 }
        statistics.messagesReceived += 1
        switch role {
        case .target: dataDelegate?.messageReceived(bytes, on: id)
        case .initiator: initiatorDelegate?.messageReceived(bytes, on: id)
        case .idle: break
        }
    }

    private func rdmaPartCompleted(_ completion: WorkCompletion, slot: Int, index: Int) {
        guard var transfer = transfers[index] else { preconditionFailure("RDMA completion for no transfer") }
        precondition(transfer.slot == slot, "RDMA completion on another connection")
        transfer.partsLeft -= 1
        if completion.status != .success, transfer.status == .success { transfer.status = .failed(completion.status) }
        guard transfer.partsLeft == 0 else {
            transfers[index] = transfer
            return
        }
        transfers[index] = nil
        freeTransfers.append(index)
        if transfer.status == .success { statistics.rdmaBytes += transfer.bytes } else { statistics.failedOperations += 1 }
        if let id = connections[slot]?.id {
            dataDelegate?.transferCompleted(tag: transfer.tag, on: id, status: transfer.status)
        }
    }
}
