import Hardware

/// A client's connection on one interconnect: its RC QP, its registered memory, and the
/// operations outstanding, completed in post order.
///
/// The message region holds `maxOutstanding` send slots, then `maxOutstanding + receiveSlack`
/// receive slots, each `maxMessageBytes`. Sends use the slots in turn: completions come in post
/// order, so the slot of the oldest outstanding send is always the next one freed.
final class ClusterClientConnection: ClusterConnection {
    unowned let owner: ClusterInterconnect
    let client: any ClusterConnectionClient
    let needs: ClusterClientNeeds
    let interconnect: Int
    private let qp: any QueuePair
    private let messages: any MemoryRegion
    private let exposed: (any MemoryRegion)?
    private let source: (any MemoryRegion)?
    private let receiveCount: Int
    private(set) var isUp = false
    private(set) var discarded = false
    private var dead = false
    private(set) var remoteMemoryLength = 0
    private var remote = RemoteMemory(address: 0, rkey: 0)
    /// Tags of the outstanding operations, oldest first.
    private var tags: [UInt64] = []
    private var tagsHead = 0
    private var posted: UInt64 = 0
    private var completedCount: UInt64 = 0
    /// Messages that arrived before the connection was handed up.
    private var early: [[UInt8]] = []

    private static let receiveFlag: UInt64 = 1 << 63

    var queuePairNumber: UInt32 { qp.queuePairNumber }
    private var outstanding: Int { tags.count - tagsHead }

    init(owner: ClusterInterconnect, client: any ClusterConnectionClient, needs: ClusterClientNeeds, domain: any ProtectionDomain,
         cq: any CompletionQueue, port: UInt8) throws(VerbsError) {
        self.owner = owner
        self.client = client
        self.needs = needs
        interconnect = owner.index
        receiveCount = needs.maxOutstanding + owner.configuration.receiveSlack
        qp = try domain.createQueuePair(
            type: .reliableConnected, sendQueue: cq, receiveQueue: cq,
            capabilities: QueuePairCapabilities(maxSendWorkRequests: needs.maxOutstanding, maxReceiveWorkRequests: receiveCount),
            signalAllSends: true)
        do {
            messages = try domain.allocateMemoryRegion(
                length: needs.maxMessageBytes * (needs.maxOutstanding + receiveCount), access: [.localWrite])
            exposed = try needs.exposedMemory.map { memory throws(VerbsError) in
                try domain.registerMemory(memory, access: [.localWrite, .remoteWrite])
            }
            source = try needs.sourceMemory.map { memory throws(VerbsError) in try domain.registerMemory(memory, access: [.localWrite]) }
            try qp.modify(.initialize(port: port, access: [.localWrite, .remoteWrite]))
            try qp.postReceive((0..<receiveCount).map { receiveRequest($0) })
        } catch let error as VerbsError {
            try? qp.destroy()
            throw error
        } catch {
            preconditionFailure("unexpected \(error)")
        }
    }

    /// What the partner's manager needs to connect its counterpart to this one.
    var endpoint: ClusterClientEndpoint {
        ClusterClientEndpoint(
            name: client.clusterClientName, queuePairNumber: qp.queuePairNumber, packetSequenceNumber: 0,
            rkey: exposed?.rkey ?? 0, address: exposed?.address ?? 0, length: UInt64(exposed?.length ?? 0))
    }

    private func receiveRequest(_ slot: Int) -> ReceiveWorkRequest {
        ReceiveWorkRequest(
            id: Self.receiveFlag | UInt64(slot),
            scatterGatherList: [messages.scatterGatherElement(offset: (needs.maxOutstanding + slot) * needs.maxMessageBytes,
                                                              length: needs.maxMessageBytes)])
    }

    /// INIT → RTR → RTS toward the counterpart.
    func connect(to entry: ClusterClientEndpoint, partnerAddress: [UInt8]) throws(VerbsError) {
        remote = RemoteMemory(address: entry.address, rkey: entry.rkey)
        remoteMemoryLength = Int(clamping: entry.length)
        let configuration = owner.configuration
        try qp.modify(owner.readyToReceive(toward: TransportEndpoint(
            address: partnerAddress, queuePairNumber: entry.queuePairNumber, packetSequenceNumber: entry.packetSequenceNumber)))
        try qp.modify(.readyToSend(sendPSN: 0, timeout: configuration.ackTimeoutExponent, retryCount: configuration.retryCount,
                                   rnrRetry: configuration.rnrRetry, maxReadAtomic: configuration.readAtomicDepth))
    }

    /// No counterpart on the partner: the QP and memory are released, nothing is reported.
    func discard() {
        discarded = true
        dead = true
        release()
    }

    /// Handed up to the client.
    func up() {
        guard !dead else { return }
        isUp = true
        owner.manager.statistics.connectionsUp += 1
        client.clusterConnectionUp(self)
        let waiting = early
        early = []
        for message in waiting where isUp { deliver(message) }
    }

    /// The interconnect failed: outstanding operations fail in order, then the client is told.
    func fail() {
        guard !dead else { return }
        dead = true
        let wasUp = isUp
        isUp = false
        release()
        guard wasUp else { return }
        owner.manager.statistics.connectionsDown += 1
        while tagsHead < tags.count {
            let tag = tags[tagsHead]
            tagsHead += 1
            owner.manager.statistics.failedOperations += 1
            client.clusterOperationCompleted(tag: tag, on: self, success: false)
        }
        tags = []
        tagsHead = 0
        client.clusterConnectionDown(self)
    }

    private func release() {
        try? qp.modify(.reset)
        try? qp.destroy()
        try? messages.deregister()
        try? exposed?.deregister()
        try? source?.deregister()
    }

    // MARK: ClusterConnection

    func send(_ message: [UInt8], tag: UInt64) throws(ClusterConnectionError) {
        guard isUp else { throw .down }
        guard message.count <= needs.maxMessageBytes else { throw .outOfBounds }
        guard outstanding < needs.maxOutstanding else { throw .queueFull }
        let slot = Int(posted % UInt64(needs.maxOutstanding))
        messages.write(message, at: slot * needs.maxMessageBytes)
        let element = messages.scatterGatherElement(offset: slot * needs.maxMessageBytes, length: message.count)
        do { try qp.postSend(.send(id: posted, [element])) } catch { throw .down }
        posted += 1
        tags.append(tag)
        owner.manager.statistics.messagesSent += 1
    }

    func write(sourceOffset: Int, count: Int, remoteOffset: Int, tag: UInt64) throws(ClusterConnectionError) {
        guard isUp else { throw .down }
        guard let source, count > 0, sourceOffset >= 0, remoteOffset >= 0, sourceOffset <= source.length - count,
              remoteOffset <= remoteMemoryLength - count
        else { throw .outOfBounds }
        guard outstanding < needs.maxOutstanding else { throw .queueFull }
        let request = SendWorkRequest.rdmaWrite(
            id: posted, [source.scatterGatherElement(offset: sourceOffset, length: count)],
            to: RemoteMemory(address: remote.address + UInt64(remoteOffset), rkey: remote.rkey))
        do { try qp.postSend(request) } catch { throw .down }
        posted += 1
        tags.append(tag)
        owner.manager.statistics.rdmaWrites += 1
    }

    // MARK: Completions

    func completed(_ completion: WorkCompletion) {
        guard !dead else { return }
        guard completion.status.isSuccess else {
            owner.lost("client '\(client.clusterClientName)': \(completion)")
            return
        }
        if completion.workRequestID & Self.receiveFlag != 0 {
            let slot = Int(completion.workRequestID & ~Self.receiveFlag)
            guard slot < receiveCount else { return }
            let message = messages.read(offset: (needs.maxOutstanding + slot) * needs.maxMessageBytes,
                                        count: min(Int(completion.byteCount), needs.maxMessageBytes))
            do { try qp.postReceive(receiveRequest(slot)) } catch { return owner.lost("client receive: \(error)") }
            if isUp { deliver(message) } else { early.append(message) }
            return
        }
        precondition(completion.workRequestID == completedCount && tagsHead < tags.count,
                     "cluster connection: send completion out of order")
        completedCount += 1
        let tag = tags[tagsHead]
        tagsHead += 1
        if tagsHead == tags.count {
            tags.removeAll(keepingCapacity: true)
            tagsHead = 0
        }
        client.clusterOperationCompleted(tag: tag, on: self, success: true)
    }

    private func deliver(_ message: [UInt8]) {
        owner.manager.statistics.messagesReceived += 1
        client.clusterMessageReceived(message, on: self)
    }
}
