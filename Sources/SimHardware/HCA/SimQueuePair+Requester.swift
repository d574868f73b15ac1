import Hardware
import SimCore

/// The requester: fetching WQEs, segmenting them into packets, acknowledgements, timeouts,
/// NAKs and RNR waits (IBA vol. 1 §9.7.4–9.7.6), and send completions.
extension SimQueuePair {
    // MARK: WQE fetch

    /// The doorbell reached the HCA: fetch every WQE posted since the last one.
    func doorbellArrived() {
        guard state != .error, state != .reset else { return }
        while fetchIssued < sendQueue.count {
            fetchIssued += 1
            hca.dma(.memoryRead, bytes: hca.configuration.workQueueEntryBytes, then: .wqeFetched(self))
        }
    }

    /// One WQE (the oldest unfetched) is in the HCA: check what it names.
    func sendWQEFetched(ok: Bool) {
        guard !destroyed, state != .error, state != .reset, fetched < sendQueue.count else { return }
        let index = fetched
        fetched += 1
        if !ok {
            sendQueue[index].localError = .localQueuePairOperationError
        } else {
            sendQueue[index].localError = localCheck(sendQueue[index])
        }
        if sendQueue[index].localError != nil { completeAcknowledged() }
        if hasPacketToSend { port.schedule(self) }
    }

    /// A local error the WQE will complete with, if any.
    private func localCheck(_ wqe: SendWQE) -> WorkCompletionStatus? {
        let request = wqe.request
        if !isRC && request.byteCount > (port.attachment?.maxMTU.byteCount ?? 2048) {
            return .localLengthError
        }
        if wqe.inlineData != nil { return nil }
        if pieces(of: request.scatterGatherList, offset: 0, count: request.byteCount, needsWrite: request.opcode == .rdmaRead) == nil {
            return .localProtectionError
        }
        return nil
    }

    // MARK: Transmit

    /// Whether the port should ask this QP for a packet now.
    var hasPacketToSend: Bool {
        if destroyed || state == .reset || state == .error || state == .initialized { return false }
        if responsesHead < responses.count { return true }
        guard state == .readyToSend, !waitingRNR, txIndex < fetched else { return false }
        let wqe = sendQueue[txIndex]
        if wqe.localError != nil { return false }
        if isRC {
            if PSN.distance(nextPSN, from: oldestUnackedPSN) >= hca.configuration.maxOutstandingPackets { return false }
            if wqe.request.opcode == .rdmaRead && txPacket == 0 && outstandingReads >= maxReadAtomic { return false }
            if wqe.request.flags.contains(.fence) && txPacket == 0 && outstandingReads > 0 { return false }
        }
        return true
    }

    /// The next packet this QP sends: a response first, else the requester's next packet.
    func nextPacket() -> OutgoingPacket? {
        if responsesHead < responses.count { return nextResponsePacket() }
        guard hasPacketToSend else { return nil }
        return isRC ? nextRequestPacket() : nextDatagramPacket()
    }

    private func nextRequestPacket() -> OutgoingPacket {
        let wqe = sendQueue[txIndex]
        let request = wqe.request
        let total = request.byteCount
        let mtu = pathMTUBytes
        let k = txPacket
        let psn = PSN.add(wqe.firstPSN, k)
        let isFirst = k == 0
        let isLast = k == wqe.packetCount - 1
        let offset = k * mtu
        let length = min(mtu, total - offset)
        var gather: Gather? = nil
        var opcode: TransportOpcode

        if request.opcode == .rdmaRead {
            // One request packet for everything not yet received.
            opcode = .rdmaReadRequest
            var packet = makePacket(opcode, psn: psn)
            packet.virtualAddress = request.remote!.address + UInt64(offset)
            packet.rkey = request.remote!.rkey
            packet.dmaLength = UInt32(total - offset)
            packet.ackRequest = true
            outstandingReads += 1
            advanceCursor(by: wqe.packetCount - k, to: PSN.add(wqe.firstPSN, wqe.packetCount))
            armAckTimer()
            return OutgoingPacket(packet: packet)
        }

        let immediate = request.opcode.hasImmediateData
        if request.opcode == .send || request.opcode == .sendWithImmediate {
            if isFirst && isLast {
                opcode = immediate ? .sendOnlyWithImmediate : .sendOnly
            } else if isFirst {
                opcode = .sendFirst
            } else if isLast {
                opcode = immediate ? .sendLastWithImmediate : .sendLast
            } else {
                opcode = .sendMiddle
            }
        } else {
            if isFirst && isLast {
                opcode = immediate ? .rdmaWriteOnlyWithImmediate : .rdmaWriteOnly
            } else if isFirst {
                opcode = .rdmaWriteFirst
            } else if isLast {
                opcode = immediate ? .rdmaWriteLastWithImmediate : .rdmaWriteLast
            } else {
                opcode = .rdmaWriteMiddle
            }
        }
        var packet = makePacket(opcode, psn: psn)
        packet.payloadLength = length
        if opcode.hasRETH {
            packet.virtualAddress = request.remote!.address
            packet.rkey = request.remote!.rkey
            packet.dmaLength = UInt32(total)
        }
        if opcode.hasImmediate { packet.immediate = request.immediateData ?? 0 }
        if isLast && request.flags.contains(.solicited) { packet.solicited = true }
        packet.ackRequest = isLast || (k + 1) % hca.configuration.ackRequestInterval == 0
        if let inline = wqe.inlineData {
            packet.payload = Array(inline[offset..<offset + length])
        } else if length > 0 {
            gather = pieces(of: request.scatterGatherList, offset: offset, count: length, needsWrite: false)
            precondition(gather != nil, "a fetched WQE's SGEs stopped resolving")
        }
        advanceCursor(by: 1, to: PSN.add(psn, 1))
        armAckTimer()
        return OutgoingPacket(packet: packet, gather: gather)
    }

    private func nextDatagramPacket() -> OutgoingPacket {
        let wqe = sendQueue[txIndex]
        let request = wqe.request
        let destination = request.datagram!
        let opcode: TransportOpcode = request.opcode.hasImmediateData ? .datagramSendOnlyWithImmediate : .datagramSendOnly
        var packet = makePacket(
            opcode, psn: wqe.firstPSN, to: destination.remoteQueuePairNumber, along: destination.addressHandle.attributes)
        packet.qkey = destination.remoteQKey
        packet.sourceQP = queuePairNumber
        packet.payloadLength = request.byteCount
        packet.immediate = request.immediateData ?? 0
        packet.solicited = request.flags.contains(.solicited)
        var gather: Gather? = nil
        if let inline = wqe.inlineData {
            packet.payload = inline
        } else if request.byteCount > 0 {
            gather = pieces(of: request.scatterGatherList, offset: 0, count: request.byteCount, needsWrite: false)
        }
        advanceCursor(by: 1, to: PSN.add(wqe.firstPSN, 1))
        return OutgoingPacket(packet: packet, gather: gather, note: wqe.sequence)
    }

    private func advanceCursor(by packets: Int, to psn: UInt32) {
        txPacket += packets
        nextPSN = psn
        if txPacket >= sendQueue[txIndex].packetCount {
            txIndex += 1
            txPacket = 0
        }
    }

    /// A UD send left the HCA: it completes (in order) now.
    func packetSent(note: UInt64) {
        guard !isRC, ackIndex < sendQueue.count, sendQueue[ackIndex].sequence == note else { return }
        ackIndex += 1
        completeAcknowledged()
    }

    /// The payload of one of our packets could not be read from host memory (a PCI error):
    /// the work request fails locally.
    func packetDropped(note: UInt64) {
        enterError(failing: ackIndex < sendQueue.count ? ackIndex : nil, status: .localQueuePairOperationError)
    }

    // MARK: Completions

    /// Completes, in order, every WQE before ``ackIndex``; then fails a WQE that is next and
    /// carries a local error.
    func completeAcknowledged() {
        while sendHead < ackIndex {
            let wqe = sendQueue[sendHead]
            sendHead += 1
            if wqe.request.opcode == .rdmaRead { outstandingReads = max(0, outstandingReads - 1) }
            if signalAllSends || wqe.request.flags.contains(.signaled) {
                complete(wqe.request.id, status: .success, opcode: wqe.request.opcode.completionOpcode, on: sendCQ,
                         byteCount: wqe.request.byteCount)
            }
        }
        if state != .error, ackIndex < fetched, ackIndex == txIndex, txPacket == 0,
            let error = sendQueue[ackIndex].localError
        {
            enterError(failing: ackIndex, status: error)
            return
        }
        compactSendQueue()
    }

    private func compactSendQueue() {
        guard sendHead > 0, sendHead == sendQueue.count else { return }
        precondition(ackIndex == sendHead && txIndex == sendHead && fetched == sendHead, "send queue cursors out of step")
        sendQueue.removeAll(keepingCapacity: true)
        sendHead = 0; ackIndex = 0; txIndex = 0; fetched = 0; fetchIssued = 0; txPacket = 0
    }

    // MARK: Acknowledgements

    /// An ACK, NAK or READ response for this QP as requester.
    func requesterReceive(_ packet: TransportPacket, receipt: ReceiveReceipt, port: HCAPort) {
        guard state == .readyToSend || state == .sendQueueDrain else {
            port.release(receipt)
            return
        }
        let psn = packet.psn
        let outstanding = PSN.distance(nextPSN, from: oldestUnackedPSN)
        let position = PSN.distance(psn, from: oldestUnackedPSN)
        guard position >= -1, position < max(outstanding, 1) || packet.opcode.isReadResponse else {
            port.release(receipt)  // stale or unexpected: ignore
            return
        }
        if packet.opcode.isReadResponse {
            readResponseArrived(packet, receipt: receipt, port: port)
            return
        }
        port.release(receipt)
        let syndrome = packet.syndrome
        if syndrome.isAck {
            if position >= 0 { acknowledge(through: psn) }
        } else if syndrome.isReceiverNotReady {
            acknowledge(through: PSN.add(psn, -1))
            receiverNotReady(at: psn, timerCode: syndrome.rnrTimerCode)
        } else if syndrome == .psnSequenceError {
            acknowledge(through: PSN.add(psn, -1))
            if state == .readyToSend { retry(from: psn) }
        } else {
            acknowledge(through: PSN.add(psn, -1))
            let status: WorkCompletionStatus =
                switch syndrome {
                case .remoteAccessError: .remoteAccessError
                case .invalidRequest: .remoteInvalidRequestError
                default: .remoteOperationError
                }
            enterError(failing: wqeIndex(containing: psn), status: status)
        }
    }

    /// Cumulative acknowledgement of every PSN up to and including `psn`.
    func acknowledge(through psn: UInt32) {
        guard PSN.distance(psn, from: oldestUnackedPSN) >= 0 else { return }
        var progressed = false
        while ackIndex < txIndex || (ackIndex == txIndex && txPacket > 0) {
            let wqe = sendQueue[ackIndex]
            if wqe.request.opcode == .rdmaRead {
                // An acknowledgement beyond a READ whose response has not all arrived means
                // response packets were lost: ask for the rest again (IBA 9.7.5.1.2).
                if PSN.distance(psn, from: wqe.lastPSN) >= 0 {
                    readResponseLost(missing: PSN.add(wqe.firstPSN, wqe.readReceived / pathMTUBytes))
                }
                break
            }
            if PSN.distance(psn, from: wqe.lastPSN) >= 0 {
                ackIndex += 1
                oldestUnackedPSN = PSN.add(wqe.lastPSN, 1)
                progressed = true
            } else {
                oldestUnackedPSN = PSN.add(psn, 1)
                progressed = true
                break
            }
        }
        if progressed { madeProgress() }
        completeAcknowledged()
    }

    private func readResponseArrived(_ packet: TransportPacket, receipt: ReceiveReceipt, port: HCAPort) {
        let psn = packet.psn
        guard let index = wqeIndex(containing: psn), sendQueue[index].request.opcode == .rdmaRead else {
            hca.count(\.duplicatesReceived)
            port.release(receipt)
            return
        }
        // Responses acknowledge every request before the READ.
        if index > ackIndex { acknowledge(through: PSN.add(sendQueue[index].firstPSN, -1)) }
        guard index == ackIndex, state == .readyToSend else {
            port.release(receipt)
            return
        }
        let gap = PSN.distance(psn, from: oldestUnackedPSN)
        if gap < 0 {
            hca.count(\.duplicatesReceived)
            port.release(receipt)
            return
        }
        if gap > 0 {
            readResponseLost(missing: oldestUnackedPSN)
            port.release(receipt)
            return
        }
        let wqe = sendQueue[index]
        let offset = wqe.readReceived
        guard packet.payloadLength <= wqe.request.byteCount - offset,
            let gather = pieces(of: wqe.request.scatterGatherList, offset: offset, count: packet.payloadLength, needsWrite: true)
        else {
            port.release(receipt)
            enterError(failing: index, status: .localLengthError)
            return
        }
        sendQueue[index].readReceived += packet.payloadLength
        oldestUnackedPSN = PSN.add(psn, 1)
        if PSN.distance(psn, from: wqe.lastPSN) == 0 {
            ackIndex = index + 1
        }
        hca.dma(.memoryWrite, bytes: packet.payloadLength, then: .placed(
            self, Placement(gather: gather, payload: packet.payload, receipt: receipt, port: port.index)))
        madeProgress()
        completeAcknowledged()
    }

    /// READ response packets from `missing` on were lost (a later one arrived, or an
    /// acknowledgement beyond the READ): ask for them again, once per missing PSN, so the
    /// stale packets still arriving from the first response do not each trigger a request.
    /// If the new request is lost too, the ACK timeout asks again.
    private func readResponseLost(missing: UInt32) {
        guard rerequestedReadPSN != missing else { return }
        rerequestedReadPSN = missing
        retry(from: missing)
    }

    func wqeIndex(containing psn: UInt32) -> Int? {
        var index = ackIndex
        while index < sendQueue.count {
            let wqe = sendQueue[index]
            let into = PSN.distance(psn, from: wqe.firstPSN)
            if into >= 0 && into < wqe.packetCount { return index }
            index += 1
        }
        return nil
    }

    /// Forward progress: the retry budget refills and the timer restarts for what is left.
    private func madeProgress() {
        retriesLeft = Int(retryCount)
        rnrRetriesLeft = Int(rnrRetry)
        restartAckTimer()
        if hasPacketToSend { port.schedule(self) }
    }

    // MARK: Retries

    /// Go back to `psn` and send again from there (go-back-N).
    func retry(from psn: UInt32) {
        guard let index = wqeIndex(containing: psn) else { return }
        let wqe = sendQueue[index]
        let resent = PSN.distance(nextPSN, from: psn)
        hca.count(\.retransmittedPackets, by: max(resent, 0))
        txIndex = index
        txPacket = PSN.distance(psn, from: wqe.firstPSN)
        if wqe.request.opcode == .rdmaRead {
            // The request asks for the response from the first missing packet.
            txPacket = wqe.readReceived / pathMTUBytes
        }
        nextPSN = PSN.add(wqe.firstPSN, txPacket)
        outstandingReads = 0
        for earlier in ackIndex..<index where sendQueue[earlier].request.opcode == .rdmaRead { outstandingReads += 1 }
        restartAckTimer()
        if hasPacketToSend { port.schedule(self) }
    }

    private func receiverNotReady(at psn: UInt32, timerCode: UInt8) {
        guard state == .readyToSend, let index = wqeIndex(containing: psn) else { return }
        if rnrRetry != QueuePairAttributes.rnrRetryInfinite {
            if rnrRetriesLeft == 0 {
                enterError(failing: index, status: .rnrRetryExceeded)
                return
            }
            rnrRetriesLeft -= 1
        }
        retry(from: psn)
        if let timer = ackTimer { hca.simulator.cancel(timer) }
        ackTimer = nil
        waitingRNR = true
        let delay = QueuePairAttributes.minRNRTimerDelay(code: timerCode) ?? .milliseconds(655)
        ackTimerGeneration &+= 1
        rnrTimer = hca.startTimer(SimHCA.rnrWaitOver, for: self, generation: ackTimerGeneration, after: delay)
    }

    func rnrWaitOver(generation: UInt32) {
        guard generation == ackTimerGeneration, waitingRNR else { return }
        rnrTimer = nil
        waitingRNR = false
        restartAckTimer()
        if hasPacketToSend { port.schedule(self) }
    }

    // MARK: Local ACK timeout

    private var ackTimeout: TimeSpan? { QueuePairAttributes.localAckTimeout(exponent: timeoutExponent) }

    /// Starts the timer if packets are outstanding and it is not running.
    func armAckTimer() {
        guard ackTimer == nil, !waitingRNR, let timeout = ackTimeout else { return }
        ackTimerGeneration &+= 1
        ackTimer = hca.startTimer(SimHCA.ackTimeout, for: self, generation: ackTimerGeneration, after: timeout)
    }

    func restartAckTimer() {
        if let timer = ackTimer { hca.simulator.cancel(timer) }
        ackTimer = nil
        if PSN.distance(nextPSN, from: oldestUnackedPSN) > 0 { armAckTimer() }
    }

    func ackTimerFired(generation: UInt32) {
        guard generation == ackTimerGeneration, ackTimer != nil else { return }
        ackTimer = nil
        guard state == .readyToSend, PSN.distance(nextPSN, from: oldestUnackedPSN) > 0 else { return }
        hca.count(\.timeouts)
        if retriesLeft == 0 {
            enterError(failing: wqeIndex(containing: oldestUnackedPSN) ?? ackIndex, status: .retryExceeded)
            return
        }
        retriesLeft -= 1
        retry(from: oldestUnackedPSN)
    }
}
