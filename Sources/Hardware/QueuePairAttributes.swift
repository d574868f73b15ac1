/// The attributes one ``QueuePair/modify(_:)`` call changes (`struct ibv_qp_attr` and its mask).
///
/// Each optional field is one mask bit: set fields are applied, nil fields are left alone
/// (``mask`` lists the set ones). A nil ``state`` changes attributes without changing state,
/// which `ibv_modify_qp` allows in INIT, RTS and SQD.
///
/// The static builders produce the attribute sets of the usual bring-up of an RC or UD queue
/// pair, complete for their transition (see ``QueuePairType/requiredAttributes(from:to:)``).
public struct QueuePairAttributes: Hashable, Sendable {
    /// The state to move to (`qp_state`).
    public var state: QueuePairState?
    /// What remote peers may do through this QP as a responder (`qp_access_flags`): RC only.
    public var accessFlags: MemoryAccess?
    /// The index into the port's partition key table (`pkey_index`).
    public var pkeyIndex: UInt16?
    /// The local port (`port_num`, 1-based).
    public var port: UInt8?
    /// The queue key UD receives must match (`qkey`): UD only.
    public var qkey: UInt32?
    /// The primary path to the peer (`ah_attr`): RC only.
    public var addressVector: AddressHandleAttributes?
    /// The path MTU (`path_mtu`): RC only.
    public var pathMTU: MTU?
    /// The local ACK timeout exponent (`timeout`, 0…31): 4.096 µs × 2^timeout, 0 waits forever.
    /// See ``localAckTimeout(exponent:)``.
    public var timeout: UInt8?
    /// How many times to retry after a timeout before ``WorkCompletionStatus/retryExceeded``
    /// (`retry_cnt`, 0…7).
    public var retryCount: UInt8?
    /// How many times to retry after a receiver-not-ready NAK before
    /// ``WorkCompletionStatus/rnrRetryExceeded`` (`rnr_retry`, 0…7; 7 retries forever).
    public var rnrRetry: UInt8?
    /// The first packet sequence number expected from the peer (`rq_psn`, 24 bits).
    public var receivePSN: UInt32?
    /// The most RDMA READs and atomics this QP has outstanding as initiator (`max_rd_atomic`).
    public var maxReadAtomic: UInt8?
    /// The receiver-not-ready delay this QP asks senders to wait (`min_rnr_timer`, 0…31).
    /// See ``minRNRTimerDelay(code:)``.
    public var minRNRTimer: UInt8?
    /// The first packet sequence number this QP sends (`sq_psn`, 24 bits).
    public var sendPSN: UInt32?
    /// The most RDMA READs and atomics this QP serves at once as responder (`max_dest_rd_atomic`).
    public var maxDestinationReadAtomic: UInt8?
    /// The peer QP's number (`dest_qp_num`, 24 bits): RC only.
    public var destinationQPNumber: UInt32?

    public init(
        state: QueuePairState? = nil, accessFlags: MemoryAccess? = nil, pkeyIndex: UInt16? = nil,
        port: UInt8? = nil, qkey: UInt32? = nil, addressVector: AddressHandleAttributes? = nil,
        pathMTU: MTU? = nil, timeout: UInt8? = nil, retryCount: UInt8? = nil, rnrRetry: UInt8? = nil,
        receivePSN: UInt32? = nil, maxReadAtomic: UInt8? = nil, minRNRTimer: UInt8? = nil,
        sendPSN: UInt32? = nil, maxDestinationReadAtomic: UInt8? = nil, destinationQPNumber: UInt32? = nil
    ) {
        self.state = state
        self.accessFlags = accessFlags
        self.pkeyIndex = pkeyIndex
        self.port = port
        self.qkey = qkey
        self.addressVector = addressVector
        self.pathMTU = pathMTU
        self.timeout = timeout
        self.retryCount = retryCount
        self.rnrRetry = rnrRetry
        self.receivePSN = receivePSN
        self.maxReadAtomic = maxReadAtomic
        self.minRNRTimer = minRNRTimer
        self.sendPSN = sendPSN
        self.maxDestinationReadAtomic = maxDestinationReadAtomic
        self.destinationQPNumber = destinationQPNumber
    }

    /// The mask of the fields that are set, as `ibv_modify_qp`'s `attr_mask`.
    public var mask: QueuePairAttributeMask {
        var mask = QueuePairAttributeMask()
        if state != nil { mask.insert(.state) }
        if accessFlags != nil { mask.insert(.accessFlags) }
        if pkeyIndex != nil { mask.insert(.pkeyIndex) }
        if port != nil { mask.insert(.port) }
        if qkey != nil { mask.insert(.qkey) }
        if addressVector != nil { mask.insert(.addressVector) }
        if pathMTU != nil { mask.insert(.pathMTU) }
        if timeout != nil { mask.insert(.timeout) }
        if retryCount != nil { mask.insert(.retryCount) }
        if rnrRetry != nil { mask.insert(.rnrRetry) }
        if receivePSN != nil { mask.insert(.receivePSN) }
        if maxReadAtomic != nil { mask.insert(.maxReadAtomic) }
        if minRNRTimer != nil { mask.insert(.minRNRTimer) }
        if sendPSN != nil { mask.insert(.sendPSN) }
        if maxDestinationReadAtomic != nil { mask.insert(.maxDestinationReadAtomic) }
        if destinationQPNumber != nil { mask.insert(.destinationQPNumber) }
        return mask
    }
}

extension QueuePairAttributes {
    /// Move to RESET: outstanding work is discarded without completions.
    public static let reset = QueuePairAttributes(state: .reset)

    /// Move to ERR: outstanding work completes with ``WorkCompletionStatus/workRequestFlushed``.
    public static let error = QueuePairAttributes(state: .error)

    /// RESET → INIT for an RC queue pair.
    public static func initialize(port: UInt8, pkeyIndex: UInt16 = 0, access: MemoryAccess) -> QueuePairAttributes {
        QueuePairAttributes(state: .initialized, accessFlags: access, pkeyIndex: pkeyIndex, port: port)
    }

    /// RESET → INIT for a UD queue pair.
    public static func initializeDatagram(port: UInt8, pkeyIndex: UInt16 = 0, qkey: UInt32) -> QueuePairAttributes {
        QueuePairAttributes(state: .initialized, pkeyIndex: pkeyIndex, port: port, qkey: qkey)
    }

    /// INIT → RTR for an RC queue pair: connect the receive side to the peer's QP.
    public static func readyToReceive(
        path: AddressHandleAttributes, destinationQPNumber: UInt32, receivePSN: UInt32, pathMTU: MTU,
        maxDestinationReadAtomic: UInt8 = 1, minRNRTimer: UInt8 = 12
    ) -> QueuePairAttributes {
        QueuePairAttributes(
            state: .readyToReceive, addressVector: path, pathMTU: pathMTU, receivePSN: receivePSN,
            minRNRTimer: minRNRTimer, maxDestinationReadAtomic: maxDestinationReadAtomic,
            destinationQPNumber: destinationQPNumber)
    }

    /// INIT → RTR for a UD queue pair.
    public static let readyToReceiveDatagram = QueuePairAttributes(state: .readyToReceive)

    /// RTR → RTS for an RC queue pair: the send side's sequence numbers and retry policy.
    public static func readyToSend(
        sendPSN: UInt32, timeout: UInt8 = 14, retryCount: UInt8 = 7, rnrRetry: UInt8 = 7, maxReadAtomic: UInt8 = 1
    ) -> QueuePairAttributes {
        QueuePairAttributes(
            state: .readyToSend, timeout: timeout, retryCount: retryCount, rnrRetry: rnrRetry,
            maxReadAtomic: maxReadAtomic, sendPSN: sendPSN)
    }

    /// RTR → RTS for a UD queue pair.
    public static func readyToSendDatagram(sendPSN: UInt32 = 0) -> QueuePairAttributes {
        QueuePairAttributes(state: .readyToSend, sendPSN: sendPSN)
    }
}
