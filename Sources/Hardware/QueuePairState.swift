/// The state of a queue pair (`enum ibv_qp_state`).
///
/// A QP is created in ``reset`` and brought up with ``QueuePair/modify(_:)``:
/// RESET → INIT (port, partition, access) → RTR (ready to receive: the peer's address and QP
/// number) → RTS (ready to send). Errors move it to ``error`` (RC) or ``sendQueueError`` (UD)
/// on their own; agents move it back through RESET to reuse it.
///
/// The set is closed by the InfiniBand specification, so agents may switch over it exhaustively.
/// The raw values are the verbs encoding.
public enum QueuePairState: Int32, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Created, or reset: no work is processed; posting a receive or a send fails.
    ///
    /// The corresponding C constant is `IBV_QPS_RESET`.
    case reset = 0

    /// Initialised: receives may be posted but nothing is received yet.
    ///
    /// The corresponding C constant is `IBV_QPS_INIT`.
    case initialized = 1

    /// Ready to receive: incoming messages are processed; sends may not be posted yet.
    ///
    /// The corresponding C constant is `IBV_QPS_RTR`.
    case readyToReceive = 2

    /// Ready to send: fully operational.
    ///
    /// The corresponding C constant is `IBV_QPS_RTS`.
    case readyToSend = 3

    /// Send queue drain: sends in progress finish, new sends wait; receives continue.
    ///
    /// The corresponding C constant is `IBV_QPS_SQD`.
    case sendQueueDrain = 4

    /// Send queue error (UD only): a send failed; receives continue. Modify back to RTS.
    ///
    /// The corresponding C constant is `IBV_QPS_SQE`.
    case sendQueueError = 5

    /// Error: every outstanding and newly posted request completes with
    /// ``WorkCompletionStatus/workRequestFlushed``.
    ///
    /// The corresponding C constant is `IBV_QPS_ERR`.
    case error = 6

    /// The C constant's name without the prefix: `RESET`, `INIT`, `RTR`, `RTS`, `SQD`, `SQE`, `ERR`.
    public var description: String {
        switch self {
        case .reset: "RESET"
        case .initialized: "INIT"
        case .readyToReceive: "RTR"
        case .readyToSend: "RTS"
        case .sendQueueDrain: "SQD"
        case .sendQueueError: "SQE"
        case .error: "ERR"
        }
    }

    /// Whether `ibv_modify_qp` accepts a transition from this state to `next`.
    ///
    /// This is the state table of the Linux kernel (`qp_state_table` in
    /// `drivers/infiniband/core/verbs.c`, used by `ib_modify_qp_is_ok`), which every
    /// libibverbs provider is checked against:
    ///
    /// | from  | to                              |
    /// |-------|---------------------------------|
    /// | RESET | RESET, INIT                     |
    /// | INIT  | RESET, ERR, INIT, RTR           |
    /// | RTR   | RESET, ERR, RTS                 |
    /// | RTS   | RESET, ERR, RTS, SQD            |
    /// | SQD   | RESET, ERR, RTS, SQD            |
    /// | SQE   | RESET, ERR, RTS                 |
    /// | ERR   | RESET, ERR                      |
    ///
    /// Every state may go to RESET, and every state but RESET to ERR: the kernel rejects
    /// RESET → ERR (a QP in RESET has nothing to flush).
    public func canTransition(to next: QueuePairState) -> Bool {
        switch (self, next) {
        case (_, .reset): true
        case (.reset, .initialized): true
        case (.reset, _): false
        case (_, .error): true
        case (.initialized, .initialized), (.initialized, .readyToReceive): true
        case (.readyToReceive, .readyToSend): true
        case (.readyToSend, .readyToSend), (.readyToSend, .sendQueueDrain): true
        case (.sendQueueDrain, .readyToSend), (.sendQueueDrain, .sendQueueDrain): true
        case (.sendQueueError, .readyToSend): true
        default: false
        }
    }

    /// Whether a send work request may be posted: in RTS and SQD it is queued (SQD holds it
    /// until the QP returns to RTS); in SQE and ERR it is accepted and completes flushed.
    public var acceptsSends: Bool {
        switch self {
        case .readyToSend, .sendQueueDrain, .sendQueueError, .error: true
        case .reset, .initialized, .readyToReceive: false
        }
    }

    /// Whether a receive work request may be posted: in every state but RESET (in ERR it
    /// completes flushed).
    public var acceptsReceives: Bool { self != .reset }
}
