import Hardware

/// One end of an RDMA load: a protection domain, a completion queue, an RC queue pair and one
/// registered region of `slots` × `slotSize` bytes, connected the way perftest connects
/// (INIT → RTR → RTS toward the other end's QP number and address).
final class RDMALoadConnection {
    let qp: any QueuePair
    let cq: any CompletionQueue
    let memory: any MemoryRegion
    let slotSize: Int
    private let domain: any ProtectionDomain
    private let port: UInt8
    private let addressing: any TransportAddressing
    private let local: (address: [UInt8], pathMTU: MTU)

    /// - Throws: ``TransportError`` when the port is not active yet (no address) or the
    ///   adapter refuses a resource.
    init(context: any VerbsDeviceContext, port: UInt8, slots: Int, slotSize: Int, receives: Int, observer: any CompletionQueueObserver)
        throws(TransportError)
    {
        let linkLayer: LinkLayer
        do { linkLayer = try context.queryPort(port).linkLayer } catch { throw .verbs("query port \(port): \(error)") }
        addressing = linkLayer == .ethernet ? RoCEAddressing() as any TransportAddressing : InfiniBandAddressing()
        local = try addressing.localPort(of: context, port: port)
        self.port = port
        self.slotSize = slotSize
        do {
            domain = try context.allocateProtectionDomain()
            cq = try context.createCompletionQueue(minimumEntries: 2 * slots + receives, observer: observer, token: 0)
            qp = try domain.createQueuePair(
                type: .reliableConnected, sendQueue: cq, receiveQueue: cq,
                capabilities: QueuePairCapabilities(maxSendWorkRequests: slots, maxReceiveWorkRequests: max(1, receives)),
                signalAllSends: true)
            memory = try domain.allocateMemoryRegion(length: slots * slotSize, access: [.localWrite, .remoteWrite, .remoteRead])
            try qp.modify(.initialize(port: port, access: [.localWrite, .remoteWrite, .remoteRead]))
            try cq.requestNotification(solicitedOnly: false)
        } catch {
            throw .verbs("set up the load's queue pair on port \(port): \(error)")
        }
    }

    var endpoint: RDMALoadEndpoint {
        RDMALoadEndpoint(
            transport: TransportEndpoint(address: local.address, queuePairNumber: qp.queuePairNumber, packetSequenceNumber: 0),
            memory: memory.remoteMemory())
    }

    func connect(to peer: RDMALoadEndpoint) throws(TransportError) {
        let c = TransportConfiguration()
        do {
            try qp.modify(addressing.readyToReceive(toward: peer.transport, port: port, pathMTU: local.pathMTU, configuration: c))
            try qp.modify(.readyToSend(sendPSN: 0, timeout: c.ackTimeoutExponent, retryCount: c.retryCount, rnrRetry: c.rnrRetry,
                                       maxReadAtomic: c.readAtomicDepth))
        } catch {
            throw .verbs("connect the load's queue pair to QP \(peer.transport.queuePairNumber): \(error)")
        }
    }

    func element(slot: Int) -> ScatterGatherElement { memory.scatterGatherElement(offset: slot * slotSize, length: slotSize) }

    /// Drains the queue after re-arming it (the order the protocol documents).
    func drain(into buffer: inout [WorkCompletion]) {
        buffer.removeAll(keepingCapacity: true)
        try? cq.requestNotification(solicitedOnly: false)
        while cq.poll(into: &buffer, maxEntries: 32) > 0 {}
    }
}
