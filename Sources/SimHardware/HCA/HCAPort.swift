import Hardware

/// One port of a ``SimHCA``: the network endpoint, the transmit pipeline (packets whose payload
/// is being read from host memory, then handed to the network in order) and the arrival queue.
final class HCAPort: NetworkEndpoint {
    unowned let hca: SimHCA
    /// 1-based, as verbs numbers ports.
    let number: UInt8
    var index: Int { Int(number) - 1 }
    var attachment: (any NetworkAttachment)?

    /// A packet between "built" and "handed to the network".
    struct Slot {
        var packet: TransportPacket
        var gather: Gather?
        var ready: Bool
        /// Told once the packet is on the network (UD sends complete then) or dropped.
        var owner: SimQueuePair?
        var note: UInt64
        var dropped = false
    }
    private var pipeline: [Slot] = []
    private var pipelineHead = 0
    private var pipelineBaseID = 0
    private var waitingForNetwork = false

    /// QPs with something to send, served round-robin one packet at a time.
    private var ready: [SimQueuePair] = []
    private var readyHead = 0

    private var arrivals: [(TransportPacket, ReceiveReceipt)] = []
    private var arrivalsHead = 0

    init(hca: SimHCA, number: UInt8) {
        self.hca = hca
        self.number = number
    }

    var isActive: Bool { attachment?.portState.carriesData ?? false }

    /// The HCA restarts: packets being built belong to dead QPs (their payload reads were
    /// dropped with the DMA queue). Arrivals stay queued: each has its processing event.
    func restart() {
        pipelineBaseID += pipeline.count
        pipeline.removeAll()
        pipelineHead = 0
        ready.removeAll()
        readyHead = 0
        waitingForNetwork = false
    }

    // MARK: Transmit

    /// `qp` has packets to send on this port.
    func schedule(_ qp: SimQueuePair) {
        guard !qp.scheduledOnPort else { return }
        qp.scheduledOnPort = true
        ready.append(qp)
        pump()
    }

    private var inPipeline: Int { pipeline.count - pipelineHead }

    /// Builds packets from ready QPs while the pipeline has room.
    func pump() {
        guard !hca.failed else { return }
        while inPipeline < hca.configuration.transmitPipelineDepth, readyHead < ready.count {
            let qp = ready[readyHead]
            readyHead += 1
            if readyHead == ready.count {
                ready.removeAll(keepingCapacity: true)
                readyHead = 0
            }
            if let outgoing = qp.nextPacket() {
                let slotID = pipelineBaseID + pipeline.count
                let dataBytes = outgoing.gather?.byteCount ?? 0
                pipeline.append(
                    Slot(packet: outgoing.packet, gather: outgoing.gather, ready: dataBytes == 0, owner: qp, note: outgoing.note))
                if dataBytes > 0 {
                    hca.dma(.memoryRead, bytes: dataBytes, then: .gathered(port: index, slot: slotID))
                }
            }
            if qp.hasPacketToSend {
                ready.append(qp)
            } else {
                qp.scheduledOnPort = false
            }
        }
        drain()
    }

    /// A packet's payload has been read from host memory.
    func gathered(slot slotID: Int, ok: Bool) {
        let position = slotID - pipelineBaseID
        precondition(position >= pipelineHead && position < pipeline.count, "gather for a slot no longer in the pipeline")
        if ok, let gather = pipeline[position].gather {
            pipeline[position].packet.payload = gather.read()
        } else if !ok {
            pipeline[position].dropped = true
        }
        pipeline[position].ready = true
        drain()
    }

    /// Hands ready packets to the network in order.
    private func drain() {
        var moved = false
        while pipelineHead < pipeline.count, pipeline[pipelineHead].ready {
            let slot = pipeline[pipelineHead]
            if !slot.dropped {
                guard let attachment, attachment.transmit(slot.packet) else {
                    waitingForNetwork = true
                    break
                }
                hca.countSent(slot.packet)
            }
            pipeline[pipelineHead].packet.payload = []
            pipeline[pipelineHead].gather = nil
            pipeline[pipelineHead].owner = nil
            pipelineHead += 1
            moved = true
            if slot.dropped {
                slot.owner?.packetDropped(note: slot.note)
            } else {
                slot.owner?.packetSent(note: slot.note)
            }
        }
        if pipelineHead == pipeline.count {
            pipelineBaseID += pipeline.count
            pipeline.removeAll(keepingCapacity: true)
            pipelineHead = 0
        }
        if moved && !waitingForNetwork && readyHead < ready.count { pump() }
    }

    func networkTransmitReady() {
        waitingForNetwork = false
        drain()
        pump()
    }

    func networkPortChanged() {
        guard !hca.failed else { return }
        if isActive {
            hca.raise(VerbsAsyncEvent(type: .portActive, element: .port(number)))
            networkTransmitReady()
        } else {
            hca.raise(VerbsAsyncEvent(type: .portError, element: .port(number)))
        }
    }

    // MARK: Receive

    func networkDelivered(_ packet: TransportPacket, receipt: ReceiveReceipt) {
        arrivals.append((packet, receipt))
        hca.scheduleReceiveProcessing(port: index)
    }

    /// The packet that arrived first has been through receive processing.
    func processNextArrival() {
        precondition(arrivalsHead < arrivals.count, "receive processing with no arrival")
        let (packet, receipt) = arrivals[arrivalsHead]
        arrivals[arrivalsHead].0.payload = []
        arrivalsHead += 1
        if arrivalsHead == arrivals.count {
            arrivals.removeAll(keepingCapacity: true)
            arrivalsHead = 0
        }
        hca.receive(packet, receipt: receipt, on: self)
    }

    /// Sends a packet that needs no host memory and belongs to no queue (a NAK a QP sends as it
    /// enters the error state) behind what is already in the pipeline.
    func sendControl(_ packet: TransportPacket) {
        pipeline.append(Slot(packet: packet, gather: nil, ready: true, owner: nil, note: 0))
        drain()
    }

    func release(_ receipt: ReceiveReceipt) {
        attachment?.release(receipt)
    }
}

/// Where a packet's payload comes from (or goes to) in host memory: pieces of registered memory.
struct Gather {
    var pieces: [(buffer: any MemoryBuffer, offset: Int, count: Int)] = []

    var byteCount: Int {
        var total = 0
        for piece in pieces { total += piece.count }
        return total
    }

    func read() -> [UInt8] {
        if pieces.count == 1 { return pieces[0].buffer.read(offset: pieces[0].offset, count: pieces[0].count) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount)
        for piece in pieces { bytes.append(contentsOf: piece.buffer.read(offset: piece.offset, count: piece.count)) }
        return bytes
    }
}

/// A packet a QP wants sent, and what to tell it when it has left.
struct OutgoingPacket {
    var packet: TransportPacket
    var gather: Gather?
    var note: UInt64 = 0
}
