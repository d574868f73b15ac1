/// What a completed work request did (`enum ibv_wc_opcode`).
///
/// Receive-side opcodes have bit 7 set (``isReceive``), as in verbs. The opcode is valid only
/// for successful completions; error completions carry the ID, status and QP number only.
public struct WorkCompletionOpcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// A SEND or SEND with immediate completed at the requester.
    ///
    /// The corresponding C constant is `IBV_WC_SEND`.
    public static let send = WorkCompletionOpcode(rawValue: 0)

    /// An RDMA WRITE (with or without immediate) completed at the requester.
    ///
    /// The corresponding C constant is `IBV_WC_RDMA_WRITE`.
    public static let rdmaWrite = WorkCompletionOpcode(rawValue: 1)

    /// An RDMA READ completed at the requester: the data is in the local buffers.
    ///
    /// The corresponding C constant is `IBV_WC_RDMA_READ`.
    public static let rdmaRead = WorkCompletionOpcode(rawValue: 2)

    /// An atomic compare-and-swap completed.
    ///
    /// The corresponding C constant is `IBV_WC_COMP_SWAP`.
    public static let compareAndSwap = WorkCompletionOpcode(rawValue: 3)

    /// An atomic fetch-and-add completed.
    ///
    /// The corresponding C constant is `IBV_WC_FETCH_ADD`.
    public static let fetchAndAdd = WorkCompletionOpcode(rawValue: 4)

    /// A memory window bind completed.
    ///
    /// The corresponding C constant is `IBV_WC_BIND_MW`.
    public static let bindMemoryWindow = WorkCompletionOpcode(rawValue: 5)

    /// A local invalidate completed.
    ///
    /// The corresponding C constant is `IBV_WC_LOCAL_INV`.
    public static let localInvalidate = WorkCompletionOpcode(rawValue: 6)

    /// A receive work request consumed an incoming SEND (with or without immediate).
    ///
    /// The corresponding C constant is `IBV_WC_RECV`.
    public static let receive = WorkCompletionOpcode(rawValue: 128)

    /// A receive work request consumed an incoming RDMA WRITE with immediate: the data went to
    /// the address the writer named; the receive buffers hold nothing.
    ///
    /// The corresponding C constant is `IBV_WC_RECV_RDMA_WITH_IMM`.
    public static let receiveRDMAWithImmediate = WorkCompletionOpcode(rawValue: 129)

    /// Whether this completes a receive work request (bit 7 set, as `opcode & IBV_WC_RECV`).
    public var isReceive: Bool { rawValue & 0x80 != 0 }

    /// The C constant's name without the prefix, e.g. `RDMA_READ`.
    public var description: String {
        switch rawValue {
        case 0: "SEND"
        case 1: "RDMA_WRITE"
        case 2: "RDMA_READ"
        case 3: "COMP_SWAP"
        case 4: "FETCH_ADD"
        case 5: "BIND_MW"
        case 6: "LOCAL_INV"
        case 128: "RECV"
        case 129: "RECV_RDMA_WITH_IMM"
        default: "opcode \(rawValue)"
        }
    }
}
