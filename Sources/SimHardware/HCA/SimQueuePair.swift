import Hardware
import SimCore

/// A queue pair of a simulated HCA: the verbs surface (state machine, posting, validation) in
/// this file, the RC/UD requester in `SimQueuePair+Requester.swift` and the responder in
/// `SimQueuePair+Responder.swift`.
///
/// Send work requests get their PSNs when posted (the QP is in RTS then, so the send PSN is
/// known); the transmit cursor walks them and goes back on a NAK or a timeout (go-back-N, as
/// IBA RC requires). Every completion is a CQE written by DMA, so completions of one work
/// queue reach the CQ in the order the DMA engine issued them: posting order.
public final class SimQueuePair: QueuePair {
    unowned let hca: SimHCA
    public let queuePairNumber: UInt32
    public let type: QueuePairType
    public internal(set) var state: QueuePairState = .reset
    public let capabilities: QueuePairCapabilities
    let domain: SimProtectionDomain
    let sendCQ: SimCompletionQueue
    let receiveCQ: SimCompletionQueue
    let signalAllSends: Bool
    var destroyed = false
    /// On its port's ready list.
    var scheduledOnPort = false

    // MARK: Attributes (ibv_qp_attr)

    var portNumber: UInt8 = 1
    var accessFlags: MemoryAccess = []
    var qkey: UInt32 = 0
    var path = AddressHandleAttributes(destinationLID: 0)
    var pathMTUBytes = 2048
    var timeoutExponent: UInt8 = 0
    var retryCount: UInt8 = 7
    var rnrRetry: UInt8 = 7
    var minRNRTimer: UInt8 = 12
    var maxReadAtomic = 1
    var destinationQPNumber: UInt32 = 0

    // MARK: Send queue (requester)

    struct SendWQE {
        var request: SendWorkRequest
        var sequence: UInt64
        var firstPSN: UInt32
        var packetCount: Int
        var inlineData: [UInt8]?
        /// Set when the WQE is found bad once fetched (a bad lkey, a UD message over the MTU).
        var localError: WorkCompletionStatus?
        /// READ: bytes of the response placed so far.
        var readReceived = 0
        var lastPSN: UInt32 { PSN.add(firstPSN, packetCount - 1) }
    }
    var sendQueue: [SendWQE] = []
    /// Oldest WQE not yet completed.
    var sendHead = 0
    /// First WQE not yet acknowledged (all before it are done, waiting for or past their CQE).
    var ackIndex = 0
    /// WQEs whose fetch DMA has been issued / has finished.
    var fetchIssued = 0
    var fetched = 0
    /// The transmit cursor: WQE and packet within it.
    var txIndex = 0
    var txPacket = 0
    /// The PSN of the next packet the cursor sends, and the oldest not yet acknowledged.
    var nextPSN: UInt32 = 0
    var oldestUnackedPSN: UInt32 = 0
    /// The PSN the next posted WQE starts at.
    var nextPostPSN: UInt32 = 0
    var nextSequence: UInt64 = 0
    var outstandingReads = 0
    var retriesLeft = 7
    var rnrRetriesLeft = 7
    var ackTimer: TimerID?
    var ackTimerGeneration: UInt32 = 0
    var rnrTimer: TimerID?
    var waitingRNR = false
    /// A READ response gap already asked for again (so one loss triggers one re-request).
    var rerequestedReadPSN: UInt32?

    // MARK: Receive queue and responder

    var receiveQueue: [ReceiveWorkRequest] = []
    var receiveHead = 0
    var expectedPSN: UInt32 = 0
    var messageSequenceNumber: UInt32 = 0
    var nakOutstanding = false
    /// The receive WQE a multi-packet SEND is filling, and how far.
    var currentReceive: (index: Int, offset: Int)?
    /// The region and offset a multi-packet RDMA WRITE is filling, and what is left.
    var writeContext: (region: SimMemoryRegion, offset: Int, remaining: Int, total: Int)?
    /// ACKs, NAKs and READ responses waiting for the port, in order.
    var responses: [Response] = []
    var responsesHead = 0

    init(
        hca: SimHCA, number: UInt32, type: QueuePairType, domain: SimProtectionDomain, sendQueue: SimCompletionQueue,
        receiveQueue: SimCompletionQueue, capabilities: QueuePairCapabilities, signalAllSends: Bool
    ) {
        self.hca = hca
        self.queuePairNumber = number
        self.type = type
        self.domain = domain
        self.sendCQ = sendQueue
        self.receiveCQ = receiveQueue
        self.capabilities = capabilities
        self.signalAllSends = signalAllSends
    }

    var port: HCAPort { hca.ports[Int(portNumber) - 1] }
    var isRC: Bool { type == .reliableConnected }

    // MARK: Verbs

    public func modify(_ attributes: QueuePairAttributes) throws(VerbsError) {
        guard !destroyed, !hca.isClosed(for: domain.incarnation) else { throw .deviceClosed }
        try attributes.validate(for: type, currentState: state)
        if let number = attributes.port, number < 1 || Int(number) > hca.ports.count { throw .invalidPort(number) }
        if let mtu = attributes.pathMTU, mtu.byteCount == nil { throw .invalidArgument("path MTU \(mtu)") }
        if let number = attributes.port { portNumber = number }
        if let flags = attributes.accessFlags { accessFlags = flags }
        if let value = attributes.qkey { qkey = value }
        if let value = attributes.addressVector { path = value }
        if let mtu = attributes.pathMTU?.byteCount { pathMTUBytes = mtu }
        if let value = attributes.timeout { timeoutExponent = value }
        if let value = attributes.retryCount { retryCount = value }
        if let value = attributes.rnrRetry { rnrRetry = value }
        if let value = attributes.minRNRTimer { minRNRTimer = value }
        if let value = attributes.maxReadAtomic { maxReadAtomic = max(1, Int(value)) }
        if let value = attributes.destinationQPNumber { destinationQPNumber = value & PSN.mask }
        if let value = attributes.receivePSN { expectedPSN = value & PSN.mask }
        if let value = attributes.sendPSN {
            nextPostPSN = value & PSN.mask
            nextPSN = nextPostPSN
            oldestUnackedPSN = nextPostPSN
        }
        guard let next = attributes.state, next != state else { return }
        switch next {
        case .reset:
            resetQueues()
            state = .reset
        case .error:
            enterError(failing: nil, status: .workRequestFlushed)
        case .readyToSend:
            retriesLeft = Int(retryCount)
            rnrRetriesLeft = Int(rnrRetry)
            state = .readyToSend
            if hasPacketToSend { port.schedule(self) }
        default:
            state = next
        }
    }

    public func postSend(_ requests: [SendWorkRequest]) throws(VerbsPostError) {
        var posted = 0
        for (index, request) in requests.enumerated() {
            guard !destroyed, !hca.isClosed(for: domain.incarnation) else { throw VerbsPostError(.deviceGone, failedIndex: index) }
            guard state.acceptsSends else { throw VerbsPostError(.invalidState(state), failedIndex: index) }
            if let reason = request.validationFailure(on: type, capabilities: capabilities) {
                throw VerbsPostError(reason, failedIndex: index)
            }
            guard sendQueue.count - sendHead < capabilities.maxSendWorkRequests else {
                throw VerbsPostError(.queueFull, failedIndex: index)
            }
            var inline: [UInt8]? = nil
            if request.flags.contains(.inline) {
                guard let bytes = copyInline(request.scatterGatherList) else {
                    throw VerbsPostError(.invalidRequest("inline data outside registered memory"), failedIndex: index)
                }
                inline = bytes
            }
            let packets = isRC ? packetCount(bytes: request.byteCount) : 1
            let wqe = SendWQE(
                request: request, sequence: nextSequence, firstPSN: nextPostPSN, packetCount: packets,
                inlineData: inline)
            nextSequence += 1
            nextPostPSN = PSN.add(nextPostPSN, packets)
            if state == .error || state == .sendQueueError {
                // Accepted, and completes flushed: the QP will never send it.
                complete(wqe.request.id, status: .workRequestFlushed, opcode: request.opcode.completionOpcode, on: sendCQ)
                continue
            }
            sendQueue.append(wqe)
            posted += 1
        }
        if posted > 0 { hca.ringDoorbell(for: self) }
    }

    public func postReceive(_ requests: [ReceiveWorkRequest]) throws(VerbsPostError) {
        for (index, request) in requests.enumerated() {
            guard !destroyed, !hca.isClosed(for: domain.incarnation) else { throw VerbsPostError(.deviceGone, failedIndex: index) }
            guard state.acceptsReceives else { throw VerbsPostError(.invalidState(state), failedIndex: index) }
            if let reason = request.validationFailure(capabilities: capabilities) {
                throw VerbsPostError(reason, failedIndex: index)
            }
            guard receiveQueue.count - receiveHead < capabilities.maxReceiveWorkRequests else {
                throw VerbsPostError(.queueFull, failedIndex: index)
            }
            if state == .error {
                complete(request.id, status: .workRequestFlushed, opcode: .receive, on: receiveCQ)
                continue
            }
            receiveQueue.append(request)
        }
    }

    public func destroy() throws(VerbsError) {
        // Made before a restart: the device already forgot it.
        if domain.incarnation != hca.incarnation { destroyed = true; return }
        guard !destroyed else { throw .invalidArgument("queue pair \(queuePairNumber) already destroyed") }
        destroyed = true
        resetQueues()
        hca.forget(self)
        domain.queuePairCount -= 1
    }

    // MARK: Helpers shared by requester and responder

    func packetCount(bytes: Int) -> Int { max(1, (bytes + pathMTUBytes - 1) / pathMTUBytes) }

    /// Inline data is copied at post time from the buffers the SGEs name (by lkey when it is
    /// valid, otherwise by address, as inline sends need no registration).
    private func copyInline(_ list: [ScatterGatherElement]) -> [UInt8]? {
        var bytes: [UInt8] = []
        for element in list {
            guard let region = hca.region(forKey: element.lkey) ?? hca.region(containing: element.address, count: Int(element.length)),
                let offset = region.offset(of: element.address, count: Int(element.length))
            else { return nil }
            bytes.append(contentsOf: region.read(offset: offset, count: Int(element.length)))
        }
        return bytes
    }

    /// Maps `count` bytes starting `offset` bytes into the message onto a scatter-gather list,
    /// checking keys, domain, bounds and (when `needsWrite`) local write access.
    func pieces(of list: [ScatterGatherElement], offset: Int, count: Int, needsWrite: Bool) -> Gather? {
        var gather = Gather()
        var skip = offset
        var left = count
        for element in list where left > 0 || (count == 0 && gather.pieces.isEmpty) {
            let length = Int(element.length)
            if skip >= length && !(length == 0 && count == 0) {
                skip -= length
                continue
            }
            guard let region = hca.region(forKey: element.lkey), region.domain === domain,
                !needsWrite || region.access.contains(.localWrite),
                let start = region.offset(of: element.address, count: length)
            else { return nil }
            let take = min(length - skip, left)
            if take > 0 { gather.pieces.append((region.memory, start + skip, take)) }
            left -= take
            skip = 0
            if count == 0 { break }
        }
        return left == 0 ? gather : nil
    }

    /// Writes a completion: a CQE by DMA while the device works, directly (from the driver)
    /// once it has failed.
    func complete(
        _ id: UInt64, status: WorkCompletionStatus, opcode: WorkCompletionOpcode, on cq: SimCompletionQueue,
        byteCount: Int = 0, immediate: UInt32? = nil, sourceQP: UInt32 = 0, sourceLID: UInt16 = 0,
        hasGRH: Bool = false, solicited: Bool = false
    ) {
        let success = status.isSuccess
        let completion = WorkCompletion(
            workRequestID: id, status: status, opcode: opcode,
            byteCount: success ? UInt32(truncatingIfNeeded: byteCount) : 0, immediateData: success ? immediate : nil,
            queuePairNumber: queuePairNumber, sourceQueuePairNumber: success ? sourceQP : 0,
            sourceLID: success ? sourceLID : 0, hasGlobalRouteHeader: success && hasGRH)
        if hca.failed {
            hca.postpone(.completion(cq, completion))
        } else {
            hca.dma(.memoryWrite, bytes: hca.configuration.completionEntryBytes,
                    then: .completionWritten(cq, completion, solicited: solicited))
        }
    }

    /// Moves to ERR: `failing` (a send WQE index) completes with `status`, every other
    /// outstanding request completes flushed, timers stop, nothing more is sent. A failed
    /// device does this to every QP (the driver writes the flush completions).
    func enterError(failing: Int?, status: WorkCompletionStatus) {
        guard state != .error else { return }
        state = .error
        completeAcknowledged()
        for index in sendHead..<sendQueue.count {
            let wqe = sendQueue[index]
            complete(wqe.request.id, status: index == failing ? status : .workRequestFlushed,
                     opcode: wqe.request.opcode.completionOpcode, on: sendCQ)
        }
        for index in receiveHead..<receiveQueue.count {
            complete(receiveQueue[index].id, status: .workRequestFlushed, opcode: .receive, on: receiveCQ)
        }
        if let current = currentReceive, current.index < receiveHead {
            complete(receiveQueue[current.index].id, status: .workRequestFlushed, opcode: .receive, on: receiveCQ)
        }
        resetQueues()
    }

    /// Empties both work queues and the transport state, without completions.
    private func resetQueues() {
        cancelTimers()
        sendQueue.removeAll(); receiveQueue.removeAll()
        sendHead = 0; ackIndex = 0; fetchIssued = 0; fetched = 0; txIndex = 0; txPacket = 0
        receiveHead = 0
        currentReceive = nil
        writeContext = nil
        responses.removeAll()
        responsesHead = 0
        outstandingReads = 0
        nakOutstanding = false
    }

    func cancelTimers() {
        if let timer = ackTimer { hca.simulator.cancel(timer) }
        if let timer = rnrTimer { hca.simulator.cancel(timer) }
        ackTimer = nil
        rnrTimer = nil
        waitingRNR = false
    }

    /// Arriving packet, after receive processing: requests go to the responder, responses to
    /// the requester, datagrams to the UD receive path.
    func receive(_ packet: TransportPacket, receipt: ReceiveReceipt, port: HCAPort) {
        if !isRC {
            receiveDatagram(packet, receipt: receipt, port: port)
        } else if packet.opcode.isRequest && !packet.opcode.hasDETH {
            respond(to: packet, receipt: receipt, port: port)
        } else if packet.opcode == .acknowledge || packet.opcode.isReadResponse {
            requesterReceive(packet, receipt: receipt, port: port)
        } else {
            hca.count(\.discardedPackets)
            port.release(receipt)
        }
    }

    /// A packet addressed along this QP's path, from its port.
    func makePacket(_ opcode: TransportOpcode, psn: UInt32) -> TransportPacket {
        makePacket(opcode, psn: psn, to: destinationQPNumber, along: path)
    }

    /// A packet for `destinationQP` along `route` (a connected QP's path, or a UD address handle's).
    func makePacket(_ opcode: TransportOpcode, psn: UInt32, to destinationQP: UInt32, along route: AddressHandleAttributes)
        -> TransportPacket
    {
        var packet = TransportPacket(opcode: opcode, destinationQP: destinationQP, psn: psn)
        let attachment = port.attachment
        packet.destinationLID = route.destinationLID
        packet.sourceLID = attachment?.lid ?? 0
        packet.serviceLevel = route.serviceLevel
        packet.sourceGID = attachment?.gid ?? .zero
        if let global = route.globalRoute {
            packet.destinationGID = global.destinationGID
            packet.hasGlobalRouteHeader = attachment?.linkLayer != .ethernet
        }
        return packet
    }
}

/// What a responder owes its requester, in order.
enum Response {
    /// An ACK or NAK for `psn`.
    case acknowledge(psn: UInt32, syndrome: AckSyndrome)
    /// READ response packets: `length` bytes from `region` at `offset`, PSNs from `firstPSN`;
    /// `sent` packets of it already built.
    case readResponse(region: SimMemoryRegion, offset: Int, length: Int, firstPSN: UInt32, sent: Int)
}

/// Received data on its way to host memory, and what follows once it is there.
struct Placement {
    var gather: Gather
    var payload: [UInt8]
    var receipt: ReceiveReceipt
    var port: Int
    /// Responder: acknowledge this PSN once the data is in memory.
    var acknowledgePSN: UInt32?
    /// Responder: the receive completion this packet finishes.
    var completion: (id: UInt64, opcode: WorkCompletionOpcode, byteCount: Int, immediate: UInt32?, solicited: Bool,
        sourceQP: UInt32, sourceLID: UInt16, hasGRH: Bool)?
}
