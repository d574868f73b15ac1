import Hardware

/// A management request awaiting its answer: sent again on timeout, given up after the retries.
struct PendingTransaction {
    enum Purpose {
        case query(tag: UInt64)
        /// A connect request for the connecting record in `slot`.
        case connect(tag: UInt64, slot: Int)
        case disconnect
    }
    var purpose: Purpose
    var message: ManagementMessage
    var address: [UInt8]
    var queuePairNumber: UInt32
    var queueKey: UInt32
    var attemptsLeft: Int
    var timer: TimerHandle
}

/// Target: a connection request handed to the connection delegate, not yet answered.
struct IncomingRequest {
    var transaction: UInt64
    var endpoint: TransportEndpoint
    var offer: ConnectionOffer
    var senderAddress: [UInt8]
    var senderQueuePairNumber: UInt32
    var key: RequestKey
}

/// Target: a client's connect request is known by the client QP it names.
struct RequestKey: Hashable {
    var address: [UInt8]
    var queuePairNumber: UInt32
}

/// Target: what became of a client QP's request, so a repeated request gets the same answer.
enum RequestOutcome {
    /// With the delegate (the incoming handle): a repeat is ignored.
    case pending(handle: UInt64, transaction: UInt64)
    /// Answered (accepted or rejected): a repeat gets these same bytes again.
    case answered(transaction: UInt64, reply: ManagementMessage)
}

extension VerbsTransportCore {
    // MARK: Slots

    func managementReceiveOffset(_ slot: Int) -> Int { slot * (datagramHeaderSlot + configuration.managementSlotBytes) }

    func managementSendOffset(_ slot: Int) -> Int {
        managementReceiveOffset(configuration.managementReceives) + slot * configuration.managementSlotBytes
    }

    func postManagementReceive(_ slot: Int) throws(VerbsPostError) {
        let sge = managementRegion.scatterGatherElement(
            offset: managementReceiveOffset(slot), length: datagramHeaderSlot + configuration.managementSlotBytes)
        try managementQP.postReceive(ReceiveWorkRequest(id: Self.workID(.managementReceive, index: slot), scatterGatherList: [sge]))
    }

    // MARK: Receiving

    func managementReceived(_ completion: WorkCompletion, slot: Int) {
        guard completion.status == .success else { return }  // flushed: the QP is going away
        let offset = managementReceiveOffset(slot)
        let length = Int(completion.byteCount)
        let bytes = length >= datagramHeaderSlot && length <= datagramHeaderSlot + configuration.managementSlotBytes
            ? managementRegion.read(offset: offset, count: length) : []
        do { try postManagementReceive(slot) } catch { statistics.failedOperations += 1 }
        guard bytes.count >= datagramHeaderSlot else {
            statistics.malformed += 1
            return
        }
        guard let sender = addressing.senderAddress(of: completion, headerSlot: Array(bytes[..<datagramHeaderSlot])),
            let message = try? ManagementMessage(decoding: Array(bytes[datagramHeaderSlot...]))
        else {
            statistics.malformed += 1
            return
        }
        handle(message, from: sender, queuePair: completion.sourceQueuePairNumber)
    }

    func managementSent(_ completion: WorkCompletion, slot: Int) {
        freeManagementSendSlots.append(slot)
        guard completion.status == .success else {
            statistics.failedOperations += 1
            if managementQP.state == .sendQueueError { try? managementQP.modify(QueuePairAttributes(state: .readyToSend)) }
            return
        }
    }

    private func handle(_ message: ManagementMessage, from sender: [UInt8], queuePair: UInt32) {
        switch (message, role) {
        case (.query(let transaction, let query), .target):
            statistics.managementQueries += 1
            guard let reply = answer(query) else { return }  // nothing advertised yet: the client retries
            sendDatagram(.reply(transaction: transaction, reply), to: sender, queuePair: queuePair,
                         queueKey: configuration.managementQueueKey)
        case (.connectRequest(let transaction, let endpoint, let offer), .target):
            connectRequested(transaction: transaction, endpoint: endpoint, offer: offer, from: sender, queuePair: queuePair)
        case (.reply(let transaction, let reply), .initiator):
            guard case .query(let tag)? = settle(transaction, from: sender, queuePair: queuePair)?.purpose else { return }
            initiatorDelegate?.queryAnswered(tag: tag, reply: reply)
        case (.connectReply(let transaction, let connection, let endpoint, let grant), .initiator):
            guard let pending = transactions[transaction], case .connect(let tag, let slot) = pending.purpose,
                pending.address == sender, pending.queuePairNumber == queuePair
            else { return }  // a late duplicate
            guard addressing.isValid(endpoint.address) else {
                statistics.malformed += 1
                return
            }
            _ = settle(transaction, from: sender, queuePair: queuePair)
            connectAnswered(slot: slot, tag: tag, connection: connection, endpoint: endpoint, grant: grant)
        case (.connectReject(let transaction, let reason), .initiator):
            guard case .connect(let tag, let slot)? = settle(transaction, from: sender, queuePair: queuePair)?.purpose
            else { return }
            abandonConnecting(slot)
            initiatorDelegate?.connectFailed(tag: tag, reason: .rejected(reason))
        case (.disconnectRequest(let transaction, let connection), _):
            disconnectRequested(transaction: transaction, connection: connection, from: sender, queuePair: queuePair)
        case (.disconnectReply(let transaction, _), _):
            _ = settle(transaction, from: sender, queuePair: queuePair)
        default:
            statistics.malformed += 1  // a message this role never receives
        }
    }

    /// Target: the answer to `query` from the last advertisement; nil before any.
    private func answer(_ query: DeviceManagementQuery) -> DeviceManagementReply? {
        guard let unit = advertisement else { return nil }
        switch query {
        case .ioUnitInfo:
            return .ioUnitInfo(IOUnitInfo(changeID: unit.changeID, controllerCount: UInt8(unit.controllers.count)),
                               unitGUID: unit.unitGUID)
        case .ioControllerProfile(let slot):
            guard let profile = unit.controllers.first(where: { $0.slot == slot }) else { return .noSuchController(slot: slot) }
            return .ioControllerProfile(profile)
        case .serviceEntries(let slot):
            guard unit.controllers.contains(where: { $0.slot == slot }) else { return .noSuchController(slot: slot) }
            return .serviceEntries(slot: slot, unit.services)
        }
    }

    func advertise(_ unit: IOUnitAdvertisement) {
        precondition(unit.controllers.count <= Int(UInt8.max), "more controllers than IOUnitInfo counts")
        precondition(unit.controllers.allSatisfy { $0.luns.count <= ManagementMessage.maxLUNsPerController },
                     "a controller with more LUNs than a profile carries")
        precondition(unit.services.count <= ManagementMessage.maxServiceEntries, "more services than a reply carries")
        advertisement = unit
    }

    // MARK: Sending

    /// Sends one datagram from a free send slot; false (counted) when it cannot be posted.
    @discardableResult
    func sendDatagram(_ message: ManagementMessage, to address: [UInt8], queuePair: UInt32, queueKey: UInt32) -> Bool {
        let bytes = message.encoded()
        guard bytes.count <= configuration.managementSlotBytes, bytes.count <= pathMTU.byteCount ?? 256,
            let slot = freeManagementSendSlots.popLast()
        else {
            statistics.failedOperations += 1
            return false
        }
        let handle: AddressHandle
        if let cached = addressHandles[address] {
            handle = cached
        } else {
            do { handle = try addressing.addressHandle(to: address, port: port, in: domain) } catch {
                freeManagementSendSlots.append(slot)
                statistics.failedOperations += 1
                return false
            }
            addressHandles[address] = handle
        }
        let offset = managementSendOffset(slot)
        managementRegion.write(bytes, at: offset)
        let request = SendWorkRequest.send(
            id: Self.workID(.managementSend, index: slot),
            [managementRegion.scatterGatherElement(offset: offset, length: bytes.count)],
            to: DatagramDestination(addressHandle: handle, remoteQueuePairNumber: queuePair, remoteQKey: queueKey))
        do { try managementQP.postSend(request) } catch {
            freeManagementSendSlots.append(slot)
            statistics.failedOperations += 1
            return false
        }
        return true
    }

    // MARK: Transactions

    func newTransactionID() -> UInt64 {
        defer { nextTransaction = nextTransaction &+ 1 == 0 ? 1 : nextTransaction &+ 1 }
        return nextTransaction
    }

    /// Sends `message` (which carries `transaction`) and keeps sending it on timeout until
    /// answered or out of retries.
    func begin(_ transaction: UInt64, _ message: ManagementMessage, purpose: PendingTransaction.Purpose,
               to address: [UInt8], queuePair: UInt32, queueKey: UInt32) {
        precondition(transactions[transaction] == nil, "transaction ID reused")
        sendDatagram(message, to: address, queuePair: queuePair, queueKey: queueKey)
        let timer = runtime.scheduleTimer(after: configuration.managementTimeout, handler: self, token: transaction)
        transactions[transaction] = PendingTransaction(
            purpose: purpose, message: message, address: address, queuePairNumber: queuePair, queueKey: queueKey,
            attemptsLeft: configuration.managementRetries, timer: timer)
    }

    /// Ends a transaction answered by `sender`; nil for an unknown one (a late duplicate) or an
    /// answer from elsewhere (counted).
    func settle(_ transaction: UInt64, from sender: [UInt8], queuePair: UInt32) -> PendingTransaction? {
        guard let pending = transactions[transaction] else { return nil }
        guard pending.address == sender, pending.queuePairNumber == queuePair else {
            statistics.malformed += 1
            return nil
        }
        transactions[transaction] = nil
        runtime.cancelTimer(pending.timer)
        return pending
    }

    func managementTimerFired(transaction: UInt64) {
        guard var pending = transactions[transaction] else { return }
        if pending.attemptsLeft > 0 {
            pending.attemptsLeft -= 1
            statistics.managementRetries += 1
            sendDatagram(pending.message, to: pending.address, queuePair: pending.queuePairNumber, queueKey: pending.queueKey)
            pending.timer = runtime.scheduleTimer(after: configuration.managementTimeout, handler: self, token: transaction)
            transactions[transaction] = pending
            return
        }
        transactions[transaction] = nil
        switch pending.purpose {
        case .query(let tag):
            initiatorDelegate?.queryAnswered(tag: tag, reply: nil)
        case .connect(let tag, let slot):
            abandonConnecting(slot)
            initiatorDelegate?.connectFailed(tag: tag, reason: .timedOut)
        case .disconnect:
            break  // the peer is gone or unreachable; its QP fails on its own
        }
    }

    // MARK: Initiator queries

    func query(_ query: DeviceManagementQuery, to target: ServiceAddress, tag: UInt64) throws(TransportError) {
        guard role == .initiator else { throw .notStarted }
        try check(target)
        let transaction = newTransactionID()
        begin(transaction, .query(transaction: transaction, query), purpose: .query(tag: tag),
              to: target.endpoint.address, queuePair: target.endpoint.queuePairNumber, queueKey: target.queueKey)
    }

    func check(_ target: ServiceAddress) throws(TransportError) {
        guard target.protocolName == addressing.protocolName else {
            throw .wrongProtocol("\(target.protocolName) address given to the \(addressing.protocolName) transport")
        }
        guard addressing.isValid(target.endpoint.address) else {
            throw .wrongProtocol("malformed \(addressing.protocolName) address in \(target)")
        }
    }
}
