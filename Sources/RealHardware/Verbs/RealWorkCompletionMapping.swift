import CIOFabric
import Hardware

/// `struct ibv_wc` (as CIOFabric's flat `CIOFabric_verbs_work_completion`) → ``WorkCompletion``.
///
/// Every `enum ibv_wc_status` value (IBV_WC_SUCCESS 0 … IBV_WC_GENERAL_ERR 21, rdma-core 44's
/// verbs.h; proven by `_Static_assert`s in verbs_data.c) maps to the ``WorkCompletionStatus``
/// constant documented with that C name; a value a newer library adds keeps its number.
public enum RealWorkCompletionMapping {
    /// The status of `enum ibv_wc_status` value `value`.
    public static func status(ibv value: Int32) -> WorkCompletionStatus {
        switch value {
        case 0: .success  // IBV_WC_SUCCESS
        case 1: .localLengthError  // IBV_WC_LOC_LEN_ERR
        case 2: .localQueuePairOperationError  // IBV_WC_LOC_QP_OP_ERR
        case 3: .localEEContextOperationError  // IBV_WC_LOC_EEC_OP_ERR
        case 4: .localProtectionError  // IBV_WC_LOC_PROT_ERR
        case 5: .workRequestFlushed  // IBV_WC_WR_FLUSH_ERR
        case 6: .memoryWindowBindError  // IBV_WC_MW_BIND_ERR
        case 7: .badResponseError  // IBV_WC_BAD_RESP_ERR
        case 8: .localAccessError  // IBV_WC_LOC_ACCESS_ERR
        case 9: .remoteInvalidRequestError  // IBV_WC_REM_INV_REQ_ERR
        case 10: .remoteAccessError  // IBV_WC_REM_ACCESS_ERR
        case 11: .remoteOperationError  // IBV_WC_REM_OP_ERR
        case 12: .retryExceeded  // IBV_WC_RETRY_EXC_ERR
        case 13: .rnrRetryExceeded  // IBV_WC_RNR_RETRY_EXC_ERR
        case 14: .localRDDViolationError  // IBV_WC_LOC_RDD_VIOL_ERR
        case 15: .remoteInvalidRDRequestError  // IBV_WC_REM_INV_RD_REQ_ERR
        case 16: .remoteAbortError  // IBV_WC_REM_ABORT_ERR
        case 17: .invalidEEContextNumberError  // IBV_WC_INV_EECN_ERR
        case 18: .invalidEEContextStateError  // IBV_WC_INV_EEC_STATE_ERR
        case 19: .fatalError  // IBV_WC_FATAL_ERR
        case 20: .responseTimeoutError  // IBV_WC_RESP_TIMEOUT_ERR
        case 21: .generalError  // IBV_WC_GENERAL_ERR
        default: WorkCompletionStatus(rawValue: value)
        }
    }

    /// The opcode of `enum ibv_wc_opcode` value `value`; values without a named constant
    /// (IBV_WC_TSO, the tag-matching and driver opcodes) keep their number.
    public static func opcode(ibv value: UInt32) -> WorkCompletionOpcode {
        switch value {
        case 0: .send  // IBV_WC_SEND
        case 1: .rdmaWrite  // IBV_WC_RDMA_WRITE
        case 2: .rdmaRead  // IBV_WC_RDMA_READ
        case 3: .compareAndSwap  // IBV_WC_COMP_SWAP
        case 4: .fetchAndAdd  // IBV_WC_FETCH_ADD
        case 5: .bindMemoryWindow  // IBV_WC_BIND_MW
        case 6: .localInvalidate  // IBV_WC_LOCAL_INV
        case 128: .receive  // IBV_WC_RECV
        case 129: .receiveRDMAWithImmediate  // IBV_WC_RECV_RDMA_WITH_IMM
        default: WorkCompletionOpcode(rawValue: value)
        }
    }

    /// `IBV_WC_GRH`: the first 40 bytes of a UD receive hold the global routing header.
    static let flagGRH: UInt32 = 1 << 0
    /// `IBV_WC_WITH_IMM`: the completion carries immediate data.
    static let flagWithImmediate: UInt32 = 1 << 1

    /// The ``WorkCompletion`` of one polled entry. As the interface documents, error
    /// completions keep only the ID, status, vendor error and QP number (verbs leaves the other
    /// fields undefined for them).
    public static func completion(_ wc: CIOFabric_verbs_work_completion) -> WorkCompletion {
        let status = status(ibv: wc.status)
        guard status.isSuccess else {
            return WorkCompletion(
                workRequestID: wc.wr_id, status: status, opcode: WorkCompletionOpcode(rawValue: 0),
                vendorError: wc.vendor_err, queuePairNumber: wc.qp_num)
        }
        return WorkCompletion(
            workRequestID: wc.wr_id, status: status, opcode: opcode(ibv: wc.opcode), vendorError: wc.vendor_err,
            byteCount: wc.byte_len, immediateData: wc.wc_flags & flagWithImmediate != 0 ? wc.imm_data : nil,
            queuePairNumber: wc.qp_num, sourceQueuePairNumber: wc.src_qp, sourceLID: wc.slid,
            hasGlobalRouteHeader: wc.wc_flags & flagGRH != 0)
    }
}
