/// The outcome of one work request, as polled from a ``CompletionQueue`` (`struct ibv_wc`).
///
/// For error completions only ``workRequestID``, ``status``, ``vendorError`` and
/// ``queuePairNumber`` are meaningful; the other fields are zero.
public struct WorkCompletion: Hashable, Sendable, CustomStringConvertible {
    /// The ID the work request was posted with (`wr_id`).
    public var workRequestID: UInt64
    /// Whether it succeeded, and if not why.
    public var status: WorkCompletionStatus
    /// What it did.
    public var opcode: WorkCompletionOpcode
    /// A vendor-specific error syndrome for error completions; 0 in simulation.
    public var vendorError: UInt32
    /// For receives, the number of bytes received (including a 40-byte GRH on UD); for RDMA
    /// READ, the bytes read.
    public var byteCount: UInt32
    /// The immediate data of a SEND or RDMA WRITE with immediate, in host byte order (verbs
    /// holds it in network order; the backend converts); nil when the message carried none
    /// (`IBV_WC_WITH_IMM` clear).
    public var immediateData: UInt32?
    /// The local QP the work request was posted to.
    public var queuePairNumber: UInt32
    /// For UD receives, the sending QP's number.
    public var sourceQueuePairNumber: UInt32
    /// For UD receives, the sender's LID.
    public var sourceLID: UInt16
    /// For UD receives, whether the first 40 bytes of the buffer hold a global routing header
    /// (`IBV_WC_GRH`).
    public var hasGlobalRouteHeader: Bool

    public init(
        workRequestID: UInt64, status: WorkCompletionStatus, opcode: WorkCompletionOpcode,
        vendorError: UInt32 = 0, byteCount: UInt32 = 0, immediateData: UInt32? = nil, queuePairNumber: UInt32,
        sourceQueuePairNumber: UInt32 = 0, sourceLID: UInt16 = 0, hasGlobalRouteHeader: Bool = false
    ) {
        self.workRequestID = workRequestID
        self.status = status
        self.opcode = opcode
        self.vendorError = vendorError
        self.byteCount = byteCount
        self.immediateData = immediateData
        self.queuePairNumber = queuePairNumber
        self.sourceQueuePairNumber = sourceQueuePairNumber
        self.sourceLID = sourceLID
        self.hasGlobalRouteHeader = hasGlobalRouteHeader
    }

    /// E.g. `wr 7 RDMA_READ on QP 0x48: success, 4096 bytes`.
    public var description: String {
        var text = "wr \(workRequestID) \(opcode) on QP 0x\(String(queuePairNumber, radix: 16)): \(status)"
        if status.isSuccess { text += ", \(byteCount) bytes" }
        if let immediateData { text += ", imm 0x\(String(immediateData, radix: 16))" }
        return text
    }
}
