/// The operation of a send work request (`enum ibv_wr_opcode`, the operations this system uses).
public struct SendOpcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Write the local buffers into the peer's memory at ``SendWorkRequest/remote``; the peer
    /// sees no completion. RC only.
    ///
    /// The corresponding C constant is `IBV_WR_RDMA_WRITE`.
    public static let rdmaWrite = SendOpcode(rawValue: 0)

    /// An RDMA WRITE that also consumes one receive request at the peer, which completes with
    /// ``WorkCompletionOpcode/receiveRDMAWithImmediate`` and the immediate data. RC only.
    ///
    /// The corresponding C constant is `IBV_WR_RDMA_WRITE_WITH_IMM`.
    public static let rdmaWriteWithImmediate = SendOpcode(rawValue: 1)

    /// Send the local buffers as a message into the peer's next posted receive.
    ///
    /// The corresponding C constant is `IBV_WR_SEND`.
    public static let send = SendOpcode(rawValue: 2)

    /// A SEND carrying 32 bits of immediate data to the receiver's completion.
    ///
    /// The corresponding C constant is `IBV_WR_SEND_WITH_IMM`.
    public static let sendWithImmediate = SendOpcode(rawValue: 3)

    /// Read the peer's memory at ``SendWorkRequest/remote`` into the local buffers. RC only.
    ///
    /// The corresponding C constant is `IBV_WR_RDMA_READ`.
    public static let rdmaRead = SendOpcode(rawValue: 4)

    /// Whether the operation carries immediate data.
    public var hasImmediateData: Bool { self == .rdmaWriteWithImmediate || self == .sendWithImmediate }

    /// Whether the operation addresses remote memory (needs ``SendWorkRequest/remote``).
    public var isRDMA: Bool { self == .rdmaWrite || self == .rdmaWriteWithImmediate || self == .rdmaRead }

    /// Whether a queue pair of `type` supports the operation: UD supports SEND only.
    public func isSupported(on type: QueuePairType) -> Bool {
        switch type {
        case .reliableConnected: rawValue <= 4
        case .unreliableDatagram: self == .send || self == .sendWithImmediate
        }
    }

    /// The C constant's name without the prefix, e.g. `RDMA_WRITE_WITH_IMM`.
    public var description: String {
        switch rawValue {
        case 0: "RDMA_WRITE"
        case 1: "RDMA_WRITE_WITH_IMM"
        case 2: "SEND"
        case 3: "SEND_WITH_IMM"
        case 4: "RDMA_READ"
        default: "opcode \(rawValue)"
        }
    }

    /// The completion opcode a successful request of this operation reports at the requester.
    public var completionOpcode: WorkCompletionOpcode {
        switch rawValue {
        case 0, 1: .rdmaWrite
        case 4: .rdmaRead
        default: .send
        }
    }
}

/// Options of a send work request (`enum ibv_send_flags`).
public struct SendFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Wait for earlier RDMA READs on this QP to finish before starting this request.
    ///
    /// The corresponding C constant is `IBV_SEND_FENCE`.
    public static let fence = SendFlags(rawValue: 1 << 0)

    /// Produce a completion when the request succeeds (failures always complete).
    ///
    /// The corresponding C constant is `IBV_SEND_SIGNALED`.
    public static let signaled = SendFlags(rawValue: 1 << 1)

    /// Mark the message solicited: it triggers a receiver's CQ armed with `solicitedOnly`.
    ///
    /// The corresponding C constant is `IBV_SEND_SOLICITED`.
    public static let solicited = SendFlags(rawValue: 1 << 2)

    /// Copy the data into the work request at post time: the buffers may be reused at once and
    /// need no lkey. At most ``QueuePairCapabilities/maxInlineData`` bytes.
    ///
    /// The corresponding C constant is `IBV_SEND_INLINE`.
    public static let inline = SendFlags(rawValue: 1 << 3)
}
