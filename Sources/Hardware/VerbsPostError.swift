/// Why a post call refused a work request, and which one (`ibv_post_send`'s return value and
/// `bad_wr`).
///
/// Requests before ``failedIndex`` were posted and will complete; the one at ``failedIndex``
/// and those after it were not posted and never complete.
public struct VerbsPostError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong with the request.
    public enum Reason: Hashable, Sendable, CustomStringConvertible {
        /// The QP's state does not accept this kind of request
        /// (``QueuePairState/acceptsSends``, ``QueuePairState/acceptsReceives``).
        case invalidState(QueuePairState)
        /// The work queue already holds its capacity of outstanding requests.
        case queueFull
        /// The request has more scatter-gather elements than the QP allows; the count.
        case tooManyScatterGatherElements(Int)
        /// Inline data larger than ``QueuePairCapabilities/maxInlineData``; the byte count.
        case inlineDataTooLarge(Int)
        /// The QP type does not support the opcode (RDMA on UD).
        case unsupportedOpcode(SendOpcode)
        /// The request's fields do not match its opcode or QP type; the text says how.
        case invalidRequest(String)
        /// The device or QP is gone (destroyed, or the device failed).
        case deviceGone

        public var description: String {
            switch self {
            case .invalidState(let state): "QP in state \(state) does not accept this request"
            case .queueFull: "work queue full"
            case .tooManyScatterGatherElements(let count): "\(count) scatter-gather elements exceed the QP's limit"
            case .inlineDataTooLarge(let bytes): "\(bytes) bytes of inline data exceed the QP's limit"
            case .unsupportedOpcode(let opcode): "opcode \(opcode) not supported on this QP type"
            case .invalidRequest(let what): "invalid work request: \(what)"
            case .deviceGone: "the QP or its device is gone"
            }
        }
    }

    /// What was wrong.
    public var reason: Reason
    /// The index, in the posted array, of the first request not posted.
    public var failedIndex: Int

    public init(_ reason: Reason, failedIndex: Int) {
        self.reason = reason
        self.failedIndex = failedIndex
    }

    /// E.g. `work request 3 not posted: work queue full`.
    public var description: String { "work request \(failedIndex) not posted: \(reason)" }
}

extension SendWorkRequest {
    /// What a QP of `type` with `capabilities` must refuse in this request, regardless of
    /// state and queue occupancy; nil if the request is well formed. Both backends call it so
    /// that they refuse the same requests.
    public func validationFailure(on type: QueuePairType, capabilities: QueuePairCapabilities) -> VerbsPostError.Reason?
    {
        guard opcode.isSupported(on: type) else { return .unsupportedOpcode(opcode) }
        if scatterGatherList.count > capabilities.maxSendScatterGatherElements {
            return .tooManyScatterGatherElements(scatterGatherList.count)
        }
        if flags.contains(.inline) && byteCount > capabilities.maxInlineData {
            return .inlineDataTooLarge(byteCount)
        }
        if opcode.hasImmediateData != (immediateData != nil) {
            return .invalidRequest(
                opcode.hasImmediateData ? "\(opcode) without immediate data" : "immediate data on \(opcode)")
        }
        if opcode.isRDMA != (remote != nil) {
            return .invalidRequest(opcode.isRDMA ? "\(opcode) without remote address" : "remote address on \(opcode)")
        }
        if (type == .unreliableDatagram) != (datagram != nil) {
            return .invalidRequest(
                type == .unreliableDatagram ? "UD send without destination" : "destination on RC send")
        }
        if opcode == .rdmaRead && flags.contains(.inline) {
            return .invalidRequest("RDMA_READ cannot be inline")
        }
        return nil
    }
}

extension ReceiveWorkRequest {
    /// What a QP with `capabilities` must refuse in this request, regardless of state and queue
    /// occupancy; nil if the request is well formed.
    public func validationFailure(capabilities: QueuePairCapabilities) -> VerbsPostError.Reason? {
        scatterGatherList.count > capabilities.maxReceiveScatterGatherElements
            ? .tooManyScatterGatherElements(scatterGatherList.count) : nil
    }
}
