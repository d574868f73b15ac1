/// The outcome of a work request (`enum ibv_wc_status`).
///
/// Anything but ``success`` also moves a reliable-connected QP to the ERR state, after which
/// every outstanding and later request completes with ``workRequestFlushed``. These are
/// operating errors: agents handle them as values (reconnect, fail over), never by crashing.
public struct WorkCompletionStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The work request completed.
    ///
    /// The corresponding C constant is `IBV_WC_SUCCESS`.
    public static let success = WorkCompletionStatus(rawValue: 0)

    /// A message was longer than the receive buffer, or longer than the port allows.
    ///
    /// The corresponding C constant is `IBV_WC_LOC_LEN_ERR`.
    public static let localLengthError = WorkCompletionStatus(rawValue: 1)

    /// An internal consistency error in a local QP (e.g. a malformed work request).
    ///
    /// The corresponding C constant is `IBV_WC_LOC_QP_OP_ERR`.
    public static let localQueuePairOperationError = WorkCompletionStatus(rawValue: 2)

    /// An internal consistency error in a local end-to-end context (reliable datagram only).
    ///
    /// The corresponding C constant is `IBV_WC_LOC_EEC_OP_ERR`.
    public static let localEEContextOperationError = WorkCompletionStatus(rawValue: 3)

    /// A local buffer is not in a valid memory region, or not in the QP's protection domain,
    /// or the region does not allow the operation.
    ///
    /// The corresponding C constant is `IBV_WC_LOC_PROT_ERR`.
    public static let localProtectionError = WorkCompletionStatus(rawValue: 4)

    /// The work request was flushed because the QP moved to ERR (or was reset) before it ran.
    ///
    /// The corresponding C constant is `IBV_WC_WR_FLUSH_ERR`.
    public static let workRequestFlushed = WorkCompletionStatus(rawValue: 5)

    /// A memory window bind failed.
    ///
    /// The corresponding C constant is `IBV_WC_MW_BIND_ERR`.
    public static let memoryWindowBindError = WorkCompletionStatus(rawValue: 6)

    /// The responder sent an unexpected transport-layer opcode.
    ///
    /// The corresponding C constant is `IBV_WC_BAD_RESP_ERR`.
    public static let badResponseError = WorkCompletionStatus(rawValue: 7)

    /// A protection error on a local buffer while it received an RDMA READ response or an
    /// atomic result.
    ///
    /// The corresponding C constant is `IBV_WC_LOC_ACCESS_ERR`.
    public static let localAccessError = WorkCompletionStatus(rawValue: 8)

    /// The responder found the request invalid (e.g. an operation the QP does not allow, or no
    /// room in its receive buffer).
    ///
    /// The corresponding C constant is `IBV_WC_REM_INV_REQ_ERR`.
    public static let remoteInvalidRequestError = WorkCompletionStatus(rawValue: 9)

    /// The responder refused an RDMA access: bad rkey, address out of the region, or access
    /// not granted.
    ///
    /// The corresponding C constant is `IBV_WC_REM_ACCESS_ERR`.
    public static let remoteAccessError = WorkCompletionStatus(rawValue: 10)

    /// The responder could not complete the operation (e.g. its receive QP failed).
    ///
    /// The corresponding C constant is `IBV_WC_REM_OP_ERR`.
    public static let remoteOperationError = WorkCompletionStatus(rawValue: 11)

    /// The transport retried `retry_cnt` times without an acknowledgement: the peer or the
    /// path is gone. The failover monitor's most important signal.
    ///
    /// The corresponding C constant is `IBV_WC_RETRY_EXC_ERR`.
    public static let retryExceeded = WorkCompletionStatus(rawValue: 12)

    /// The responder answered receiver-not-ready `rnr_retry` times: it posts receives too slowly.
    ///
    /// The corresponding C constant is `IBV_WC_RNR_RETRY_EXC_ERR`.
    public static let rnrRetryExceeded = WorkCompletionStatus(rawValue: 13)

    /// A reliable datagram domain violation.
    ///
    /// The corresponding C constant is `IBV_WC_LOC_RDD_VIOL_ERR`.
    public static let localRDDViolationError = WorkCompletionStatus(rawValue: 14)

    /// The responder found an invalid reliable datagram request.
    ///
    /// The corresponding C constant is `IBV_WC_REM_INV_RD_REQ_ERR`.
    public static let remoteInvalidRDRequestError = WorkCompletionStatus(rawValue: 15)

    /// The responder aborted the operation.
    ///
    /// The corresponding C constant is `IBV_WC_REM_ABORT_ERR`.
    public static let remoteAbortError = WorkCompletionStatus(rawValue: 16)

    /// An invalid end-to-end context number (reliable datagram only).
    ///
    /// The corresponding C constant is `IBV_WC_INV_EECN_ERR`.
    public static let invalidEEContextNumberError = WorkCompletionStatus(rawValue: 17)

    /// An invalid end-to-end context state (reliable datagram only).
    ///
    /// The corresponding C constant is `IBV_WC_INV_EEC_STATE_ERR`.
    public static let invalidEEContextStateError = WorkCompletionStatus(rawValue: 18)

    /// A fatal error in the HCA.
    ///
    /// The corresponding C constant is `IBV_WC_FATAL_ERR`.
    public static let fatalError = WorkCompletionStatus(rawValue: 19)

    /// The response to a request did not arrive in time.
    ///
    /// The corresponding C constant is `IBV_WC_RESP_TIMEOUT_ERR`.
    public static let responseTimeoutError = WorkCompletionStatus(rawValue: 20)

    /// Any other error, e.g. a transport error the other codes do not describe.
    ///
    /// The corresponding C constant is `IBV_WC_GENERAL_ERR`.
    public static let generalError = WorkCompletionStatus(rawValue: 21)

    /// Every status `ibv_wc_status_str` names, in numeric order.
    public static let allCases: [WorkCompletionStatus] = (0...21).map { WorkCompletionStatus(rawValue: $0) }

    /// Whether the work request succeeded.
    public var isSuccess: Bool { self == .success }

    /// The text `ibv_wc_status_str` returns, e.g. `transport retry counter exceeded`, or
    /// `unknown` for a value it does not name.
    public var description: String {
        let names = [
            "success", "local length error", "local QP operation error", "local EE context operation error",
            "local protection error", "Work Request Flushed Error", "memory management operation error",
            "bad response error", "local access error", "remote invalid request error", "remote access error",
            "remote operation error", "transport retry counter exceeded", "RNR retry counter exceeded",
            "local RDD violation error", "remote invalid RD request", "aborted error", "invalid EE context number",
            "invalid EE context state", "fatal error", "response timeout error", "general error",
        ]
        return names.indices.contains(Int(rawValue)) ? names[Int(rawValue)] : "unknown"
    }
}
