import CIOFabric
import Glibc
import Hardware

/// A real queue pair (`struct ibv_qp`), RC or UD, made by ``RealProtectionDomain``.
///
/// ``modify(_:)`` validates with ``QueuePairAttributes/validate(for:currentState:)`` against the
/// state the device reports (so a QP the device moved to ERR by itself is treated as such),
/// then calls `ibv_modify_qp` with the mapped attributes and mask
/// (``RealQueuePairAttributeMapping``). Posting checks each request as the simulator does
/// (``SendWorkRequest/validationFailure(on:capabilities:)``), posts the well-formed prefix in
/// one `ibv_post_send` chain and reports the first refused request.
///
/// - Warning: Not thread-safe. Call it only on the runtime's loop.
public final class RealQueuePair: QueuePair {
    public let queuePairNumber: UInt32
    public let type: QueuePairType
    public let capabilities: QueuePairCapabilities
    unowned let domain: RealProtectionDomain
    private let sendQueue: RealCompletionQueue
    private let receiveQueue: RealCompletionQueue
    private(set) var qp: OpaquePointer?
    /// The state of the last successful ``modify(_:)``: what posting checks (the states the
    /// device may move to by itself, ERR and SQE, accept every post a stale RTS would).
    private var modifiedState: QueuePairState = .reset
    private var sendScratch: [CIOFabric_verbs_send_request] = []
    private var receiveScratch: [CIOFabric_verbs_receive_request] = []
    private var elementScratch: [CIOFabric_verbs_sge] = []

    init(domain: RealProtectionDomain, qp: OpaquePointer, number: UInt32, type: QueuePairType,
         capabilities: QueuePairCapabilities, sendQueue: RealCompletionQueue, receiveQueue: RealCompletionQueue) {
        self.domain = domain
        self.qp = qp
        queuePairNumber = number
        self.type = type
        self.capabilities = capabilities
        self.sendQueue = sendQueue
        self.receiveQueue = receiveQueue
    }

    private var deviceName: String { domain.context.device.name }

    /// The state `ibv_query_qp` reports; the last state set when the query fails (or the QP is gone).
    public var state: QueuePairState {
        guard let qp, let c = domain.context.context else { return modifiedState }
        var raw: Int32 = 0
        guard CIOFabric_verbs_query_qp_state(c, qp, &raw) == 0, let state = QueuePairState(rawValue: raw) else {
            return modifiedState
        }
        return state
    }

    public func modify(_ attributes: QueuePairAttributes) throws(VerbsError) {
        guard let qp else { throw .invalidArgument("\(deviceName): QP \(queuePairNumber) is destroyed") }
        let c = try domain.context.open()
        let current = state
        let next = try attributes.validate(for: type, currentState: current)
        if let port = attributes.port, port < 1 || Int(port) > domain.context.attributes.physicalPortCount {
            throw .invalidPort(port)
        }
        var (raw, mask) = RealQueuePairAttributeMapping.ibvAttributes(attributes)
        let code = CIOFabric_verbs_modify_qp(c, qp, &raw, mask)
        guard code == 0 else {
            throw RealVerbsFailure.error(
                device: deviceName, call: "ibv_modify_qp \(type) QP \(queuePairNumber) \(current)→\(next) \(attributes.mask)",
                errno: code)
        }
        modifiedState = next
    }

    public func postSend(_ requests: [SendWorkRequest]) throws(VerbsPostError) {
        guard let qp, domain.context.context != nil else { throw VerbsPostError(.deviceGone, failedIndex: 0) }
        sendScratch.removeAll(keepingCapacity: true)
        elementScratch.removeAll(keepingCapacity: true)
        var refusal: VerbsPostError?
        for (index, request) in requests.enumerated() {
            if !modifiedState.acceptsSends {
                refusal = VerbsPostError(.invalidState(modifiedState), failedIndex: index)
                break
            }
            if let reason = request.validationFailure(on: type, capabilities: capabilities) {
                refusal = VerbsPostError(reason, failedIndex: index)
                break
            }
            var entry = CIOFabric_verbs_send_request()
            if let datagram = request.datagram {
                guard let ah = domain.addressHandlePointer(datagram.addressHandle) else {
                    refusal = VerbsPostError(
                        .invalidRequest("address handle \(datagram.addressHandle.rawValue) is not this domain's"),
                        failedIndex: index)
                    break
                }
                entry.ah = ah
                entry.remote_qpn = datagram.remoteQueuePairNumber
                entry.remote_qkey = datagram.remoteQKey
            }
            if let remote = request.remote {
                entry.remote_addr = remote.address
                entry.rkey = remote.rkey
            }
            entry.wr_id = request.id
            entry.opcode = request.opcode.rawValue
            entry.send_flags = request.flags.rawValue
            entry.imm_data = request.immediateData ?? 0
            entry.first_sge = Int32(elementScratch.count)
            entry.num_sge = Int32(request.scatterGatherList.count)
            for element in request.scatterGatherList {
                elementScratch.append(CIOFabric_verbs_sge(addr: element.address, length: element.length, lkey: element.lkey))
            }
            sendScratch.append(entry)
        }
        if !sendScratch.isEmpty {
            var bad: Int32 = 0
            let count = Int32(sendScratch.count)
            let code = sendScratch.withUnsafeBufferPointer { requests in
                elementScratch.withUnsafeBufferPointer { elements in
                    CIOFabric_verbs_post_send(qp, requests.baseAddress, count, elements.baseAddress, &bad)
                }
            }
            if code != 0 { throw VerbsPostError(postReason(code, call: "ibv_post_send"), failedIndex: Int(bad)) }
        }
        if let refusal { throw refusal }
    }

    public func postReceive(_ requests: [ReceiveWorkRequest]) throws(VerbsPostError) {
        guard let qp, domain.context.context != nil else { throw VerbsPostError(.deviceGone, failedIndex: 0) }
        receiveScratch.removeAll(keepingCapacity: true)
        elementScratch.removeAll(keepingCapacity: true)
        var refusal: VerbsPostError?
        for (index, request) in requests.enumerated() {
            if !modifiedState.acceptsReceives {
                refusal = VerbsPostError(.invalidState(modifiedState), failedIndex: index)
                break
            }
            if let reason = request.validationFailure(capabilities: capabilities) {
                refusal = VerbsPostError(reason, failedIndex: index)
                break
            }
            receiveScratch.append(CIOFabric_verbs_receive_request(
                wr_id: request.id, first_sge: Int32(elementScratch.count), num_sge: Int32(request.scatterGatherList.count)))
            for element in request.scatterGatherList {
                elementScratch.append(CIOFabric_verbs_sge(addr: element.address, length: element.length, lkey: element.lkey))
            }
        }
        if !receiveScratch.isEmpty {
            var bad: Int32 = 0
            let count = Int32(receiveScratch.count)
            let code = receiveScratch.withUnsafeBufferPointer { requests in
                elementScratch.withUnsafeBufferPointer { elements in
                    CIOFabric_verbs_post_recv(qp, requests.baseAddress, count, elements.baseAddress, &bad)
                }
            }
            if code != 0 { throw VerbsPostError(postReason(code, call: "ibv_post_recv"), failedIndex: Int(bad)) }
        }
        if let refusal { throw refusal }
    }

    /// What a post's errno means: ENOMEM is a full work queue (providers' convention), anything
    /// else a request the device refused, named with the device and the error.
    private func postReason(_ code: Int32, call: String) -> VerbsPostError.Reason {
        if code == ENOMEM { return .queueFull }
        return .invalidRequest(RealVerbsFailure.message(device: deviceName, call: "\(call) on QP \(queuePairNumber)", errno: code))
    }

    public func destroy() throws(VerbsError) {
        guard let qp else { throw .invalidArgument("\(deviceName): QP \(queuePairNumber) already destroyed") }
        let c = try domain.context.open()
        let code = CIOFabric_verbs_destroy_qp(c, qp)
        guard code == 0 else {
            throw RealVerbsFailure.error(device: deviceName, call: "ibv_destroy_qp \(queuePairNumber)", errno: code)
        }
        self.qp = nil
        sendQueue.users -= 1
        receiveQueue.users -= 1
        domain.forget(self)
    }

    /// Destroys without reporting (``RealVerbsDeviceContext/close()``).
    func releaseForClose(_ context: OpaquePointer) {
        guard let qp else { return }
        self.qp = nil
        sendQueue.users -= 1
        receiveQueue.users -= 1
        _ = CIOFabric_verbs_destroy_qp(context, qp)
    }
}
