import Hardware

/// The responder: PSN checking, duplicate and out-of-sequence requests, receive WQEs and RNR,
/// R_Key and bounds checks, READ responses, ACK coalescing (IBA vol. 1 §9.7.5), and the UD
/// receive path.
extension SimQueuePair {
    var respondsToRequests: Bool {
        state == .readyToReceive || state == .readyToSend || state == .sendQueueDrain || state == .sendQueueError
    }

    /// A request packet (SEND, RDMA WRITE, READ request) for this QP as responder.
    func respond(to packet: TransportPacket, receipt: ReceiveReceipt, port: HCAPort) {
        guard respondsToRequests else {
            hca.count(\.discardedPackets)
            port.release(receipt)
            return
        }
        let position = PSN.distance(packet.psn, from: expectedPSN)
        if position > 0 {
            // A packet was lost before this one: NAK once, drop until the gap is filled.
            if !nakOutstanding {
                nakOutstanding = true
                hca.count(\.naksSent)
                enqueue(.acknowledge(psn: expectedPSN, syndrome: .psnSequenceError))
            }
            port.release(receipt)
            return
        }
        if position < 0 {
            duplicate(packet)
            port.release(receipt)
            return
        }
        nakOutstanding = false
        let opcode = packet.opcode
        if opcode == .rdmaReadRequest {
            readRequest(packet)
            port.release(receipt)
        } else if opcode.isSend {
            sendPacket(packet, receipt: receipt, port: port)
        } else if opcode.isRDMAWrite {
            writePacket(packet, receipt: receipt, port: port)
        } else {
            port.release(receipt)
            fail(nak: .invalidRequest, psn: packet.psn, event: .queuePairRequestError)
        }
    }

    /// A request seen before: acknowledge again (the first ACK was lost), or serve a READ
    /// again from memory.
    private func duplicate(_ packet: TransportPacket) {
        hca.count(\.duplicatesReceived)
        if packet.opcode == .rdmaReadRequest {
            if let region = hca.region(forKey: packet.rkey), region.domain === domain,
                let offset = region.offset(of: packet.virtualAddress, count: Int(packet.dmaLength))
            {
                enqueue(.readResponse(region: region, offset: offset, length: Int(packet.dmaLength), firstPSN: packet.psn, sent: 0))
            }
        } else if packet.ackRequest || packet.opcode.isLast {
            enqueue(.acknowledge(psn: PSN.add(expectedPSN, -1), syndrome: .ack))
        }
    }

    private func sendPacket(_ packet: TransportPacket, receipt: ReceiveReceipt, port: HCAPort) {
        let opcode = packet.opcode
        if opcode == .sendFirst || opcode == .sendOnly || opcode == .sendOnlyWithImmediate {
            guard receiveHead < receiveQueue.count else {
                receiverNotReady(packet, receipt: receipt, port: port)
                return
            }
            currentReceive = (receiveHead, 0)
            receiveHead += 1
        }
        guard let current = currentReceive else {
            port.release(receipt)
            fail(nak: .invalidRequest, psn: packet.psn, event: .queuePairRequestError)
            return
        }
        let request = receiveQueue[current.index]
        guard let gather = pieces(of: request.scatterGatherList, offset: current.offset, count: packet.payloadLength, needsWrite: true)
        else {
            // The message does not fit the receive buffers, or they name bad memory.
            port.release(receipt)
            let status: WorkCompletionStatus =
                current.offset + packet.payloadLength > request.byteCount ? .localLengthError : .localProtectionError
            complete(request.id, status: status, opcode: .receive, on: receiveCQ)
            currentReceive = nil
            fail(nak: .invalidRequest, psn: packet.psn, event: .queuePairRequestError)
            return
        }
        currentReceive = (current.index, current.offset + packet.payloadLength)
        var placement = Placement(gather: gather, payload: packet.payload, receipt: receipt, port: port.index)
        if packet.ackRequest || opcode.isLast { placement.acknowledgePSN = packet.psn }
        if opcode.isLast {
            placement.completion = (
                request.id, .receive, current.offset + packet.payloadLength,
                opcode.hasImmediate ? packet.immediate : nil, packet.solicited, 0, 0, false
            )
            currentReceive = nil
            messageSequenceNumber = PSN.add(messageSequenceNumber, 1)
        }
        expectedPSN = PSN.add(expectedPSN, 1)
        hca.dma(.memoryWrite, bytes: packet.payloadLength, then: .placed(self, placement))
    }

    private func writePacket(_ packet: TransportPacket, receipt: ReceiveReceipt, port: HCAPort) {
        let opcode = packet.opcode
        // A WRITE with immediate consumes a receive WQE at its last packet: check it first.
        if opcode.hasImmediate && receiveHead >= receiveQueue.count {
            receiverNotReady(packet, receipt: receipt, port: port)
            return
        }
        if opcode.hasRETH {
            guard accessFlags.contains(.remoteWrite), let region = hca.region(forKey: packet.rkey),
                region.domain === domain, region.access.contains(.remoteWrite),
                let offset = region.offset(of: packet.virtualAddress, count: Int(packet.dmaLength))
            else {
                port.release(receipt)
                fail(nak: .remoteAccessError, psn: packet.psn, event: .queuePairAccessError)
                return
            }
            writeContext = (region, offset, Int(packet.dmaLength), Int(packet.dmaLength))
        }
        guard var context = writeContext, packet.payloadLength <= context.remaining,
            !opcode.isLast || packet.payloadLength == context.remaining
        else {
            port.release(receipt)
            fail(nak: .invalidRequest, psn: packet.psn, event: .queuePairRequestError)
            return
        }
        var gather = Gather()
        if packet.payloadLength > 0 { gather.pieces.append((context.region.memory, context.offset, packet.payloadLength)) }
        context.offset += packet.payloadLength
        context.remaining -= packet.payloadLength
        writeContext = context
        var placement = Placement(gather: gather, payload: packet.payload, receipt: receipt, port: port.index)
        if packet.ackRequest || opcode.isLast { placement.acknowledgePSN = packet.psn }
        if opcode.isLast {
            if opcode.hasImmediate {
                let request = receiveQueue[receiveHead]
                receiveHead += 1
                placement.completion = (
                    request.id, .receiveRDMAWithImmediate, context.total, packet.immediate, packet.solicited, 0, 0, false
                )
            }
            writeContext = nil
            messageSequenceNumber = PSN.add(messageSequenceNumber, 1)
        }
        expectedPSN = PSN.add(expectedPSN, 1)
        hca.dma(.memoryWrite, bytes: packet.payloadLength, then: .placed(self, placement))
    }

    private func readRequest(_ packet: TransportPacket) {
        let length = Int(packet.dmaLength)
        guard accessFlags.contains(.remoteRead), let region = hca.region(forKey: packet.rkey),
            region.domain === domain, region.access.contains(.remoteRead),
            let offset = region.offset(of: packet.virtualAddress, count: length)
        else {
            fail(nak: .remoteAccessError, psn: packet.psn, event: .queuePairAccessError)
            return
        }
        enqueue(.readResponse(region: region, offset: offset, length: length, firstPSN: packet.psn, sent: 0))
        expectedPSN = PSN.add(expectedPSN, packetCount(bytes: length))
        messageSequenceNumber = PSN.add(messageSequenceNumber, 1)
    }

    /// No receive WQE for a SEND (or WRITE with immediate): RNR NAK, and the requester tries
    /// again after our minimum RNR delay. The packet is dropped; the PSN does not advance.
    private func receiverNotReady(_ packet: TransportPacket, receipt: ReceiveReceipt, port: HCAPort) {
        hca.count(\.rnrNaksSent)
        port.release(receipt)
        enqueue(.acknowledge(psn: packet.psn, syndrome: .receiverNotReady(timerCode: minRNRTimer)))
    }

    /// A class C error (IBA 9.9.3.1.2): NAK the request, then put the QP in ERR, flushing
    /// outstanding receives, and tell the application through an affiliated async event —
    /// what rxe's `do_class_ac_error` does.
    func fail(nak syndrome: AckSyndrome, psn: UInt32, event: VerbsAsyncEventType) {
        hca.count(\.naksSent)
        var nak = makePacket(.acknowledge, psn: psn)
        nak.syndrome = syndrome
        nak.messageSequenceNumber = messageSequenceNumber
        port.sendControl(nak)
        hca.raise(VerbsAsyncEvent(type: event, element: .queuePair(queuePairNumber)))
        enterError(failing: nil, status: .workRequestFlushed)
    }

    // MARK: Responses

    func enqueue(_ response: Response) {
        // Coalesce ACKs: a newer ACK waiting behind an older one replaces it.
        if case .acknowledge(_, let syndrome) = response, syndrome.isAck, responsesHead < responses.count,
            case .acknowledge(_, let waiting) = responses[responses.count - 1], waiting.isAck
        {
            responses[responses.count - 1] = response
        } else {
            responses.append(response)
        }
        port.schedule(self)
    }

    /// The next ACK, NAK or READ response packet.
    func nextResponsePacket() -> OutgoingPacket {
        let response = responses[responsesHead]
        switch response {
        case .acknowledge(let psn, let syndrome):
            popResponse()
            var packet = makePacket(.acknowledge, psn: psn)
            packet.syndrome = syndrome
            packet.messageSequenceNumber = messageSequenceNumber
            return OutgoingPacket(packet: packet)
        case .readResponse(let region, let offset, let length, let firstPSN, let sent):
            let count = packetCount(bytes: length)
            let opcode: TransportOpcode =
                count == 1 ? .rdmaReadResponseOnly
                : sent == 0 ? .rdmaReadResponseFirst : sent == count - 1 ? .rdmaReadResponseLast : .rdmaReadResponseMiddle
            let start = sent * pathMTUBytes
            let bytes = min(pathMTUBytes, length - start)
            var packet = makePacket(opcode, psn: PSN.add(firstPSN, sent))
            packet.payloadLength = bytes
            packet.messageSequenceNumber = messageSequenceNumber
            var gather: Gather? = nil
            if bytes > 0 { gather = Gather(pieces: [(region.memory, offset + start, bytes)]) }
            if sent + 1 == count {
                popResponse()
            } else {
                responses[responsesHead] = .readResponse(
                    region: region, offset: offset, length: length, firstPSN: firstPSN, sent: sent + 1)
            }
            return OutgoingPacket(packet: packet, gather: gather)
        }
    }

    private func popResponse() {
        responsesHead += 1
        if responsesHead == responses.count {
            responses.removeAll(keepingCapacity: true)
            responsesHead = 0
        }
    }

    // MARK: Placement

    /// Received data is in host memory (or the write failed on the bus).
    func placed(_ placement: Placement, ok: Bool) {
        hca.ports[placement.port].release(placement.receipt)
        guard !destroyed, state != .error, state != .reset else { return }
        guard ok else {
            fail(nak: .remoteOperationalError, psn: placement.acknowledgePSN ?? expectedPSN, event: .queuePairFatal)
            return
        }
        if !placement.gather.pieces.isEmpty && !placement.payload.isEmpty {
            var cursor = 0
            for piece in placement.gather.pieces {
                piece.buffer.write(placement.payload[cursor..<cursor + piece.count], at: piece.offset)
                cursor += piece.count
            }
        }
        if let done = placement.completion {
            complete(done.id, status: .success, opcode: done.opcode, on: receiveCQ, byteCount: done.byteCount,
                     immediate: done.immediate, sourceQP: done.sourceQP, sourceLID: done.sourceLID,
                     hasGRH: done.hasGRH, solicited: done.solicited)
        }
        if let psn = placement.acknowledgePSN { enqueue(.acknowledge(psn: psn, syndrome: .ack)) }
        compactReceiveQueue()
    }

    private func compactReceiveQueue() {
        guard receiveHead > 0, receiveHead == receiveQueue.count, currentReceive == nil else { return }
        receiveQueue.removeAll(keepingCapacity: true)
        receiveHead = 0
    }

    // MARK: UD

    /// The 40 bytes at the start of every UD receive buffer that hold the GRH (or nothing).
    static let globalRouteHeaderSlot = 40

    /// The 40-byte GRH of a datagram as it lands in the receive buffer (IBA vol. 1, 8.3; the
    /// IPv6 header layout, which RoCE v2 over IPv6 also delivers): version 6, traffic class
    /// and flow label 0, payload length, next header 0x1B, hop limit, source GID, destination GID.
    /// [assumption: RoCE v2 over IPv4 really delivers an IPv4 header in the last 20 bytes; the
    /// simulator always writes the GRH form, with the IPv4-mapped GIDs]
    static func globalRouteHeader(of packet: TransportPacket) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: globalRouteHeaderSlot)
        header[0] = 0x60
        header[4] = UInt8(truncatingIfNeeded: packet.payloadLength >> 8)
        header[5] = UInt8(truncatingIfNeeded: packet.payloadLength)
        header[6] = 0x1b
        header[7] = 64
        header.replaceSubrange(8..<24, with: packet.sourceGID.bytes)
        header.replaceSubrange(24..<40, with: packet.destinationGID.bytes)
        return header
    }

    func receiveDatagram(_ packet: TransportPacket, receipt: ReceiveReceipt, port: HCAPort) {
        // Wrong Q_Key, no receive posted, or a buffer too small: a UD packet is silently dropped.
        guard state == .readyToReceive || state == .readyToSend, packet.opcode.hasDETH, packet.qkey == qkey,
            receiveHead < receiveQueue.count
        else {
            hca.count(\.discardedPackets)
            port.release(receipt)
            return
        }
        let request = receiveQueue[receiveHead]
        receiveHead += 1
        let slot = Self.globalRouteHeaderSlot
        let hasGRH = packet.hasGlobalRouteHeader || port.attachment?.linkLayer == .ethernet
        // With a GRH, the slot receives it too (as real UD receives do): the receiver learns
        // the sender's GID from it (`ibv_init_ah_from_wc`).
        let headerBytes = hasGRH ? slot : 0
        guard let gather = pieces(
            of: request.scatterGatherList, offset: slot - headerBytes, count: headerBytes + packet.payloadLength,
            needsWrite: true)
        else {
            port.release(receipt)
            complete(request.id, status: .localLengthError, opcode: .receive, on: receiveCQ)
            compactReceiveQueue()
            return
        }
        let payload = hasGRH ? Self.globalRouteHeader(of: packet) + packet.payload : packet.payload
        var placement = Placement(gather: gather, payload: payload, receipt: receipt, port: port.index)
        placement.completion = (
            request.id, .receive, slot + packet.payloadLength, packet.opcode.hasImmediate ? packet.immediate : nil,
            packet.solicited, packet.sourceQP, packet.sourceLID, hasGRH
        )
        hca.dma(.memoryWrite, bytes: packet.payloadLength, then: .placed(self, placement))
    }
}
