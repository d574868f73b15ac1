/// A queue pair (`struct ibv_qp`): a send queue and a receive queue, connected to one peer (RC)
/// or to any peer per message (UD).
///
/// Work is posted now and completes later: each posted request produces one
/// ``WorkCompletion`` on the QP's send or receive ``CompletionQueue`` (a send request only if
/// it is ``SendFlags/signaled`` or the QP signals all sends, unless it fails: failures always
/// complete).
///
/// Implementers must guarantee:
/// - ``postSend(_:)`` and ``postReceive(_:)`` never complete anything from inside the call;
///   completions are added to the completion queues later, on the node's loop, even when the
///   outcome is known at once (a QP in ERR flushes on the next turn of the loop).
/// - Requests of one queue start and complete in posting order. A request posted after an
///   RDMA READ may reach the peer before the READ's data has returned, unless it carries
///   ``SendFlags/fence``; its completion still comes after the READ's.
/// - Posting is all-or-prefix, like `ibv_post_send`: requests before the failing one are
///   posted, it and the ones after it are not; the thrown error says which one failed.
/// - ``modify(_:)`` validates with ``QueuePairAttributes/validate(for:currentState:)`` and
///   changes nothing when it throws.
/// - Moving to ERR completes every outstanding request with
///   ``WorkCompletionStatus/workRequestFlushed``; moving to RESET discards them without
///   completions.
///
/// - Warning: Not thread-safe. Call it only on the node's loop.
public protocol QueuePair: AnyObject {
    /// The QP number (24 bits) peers address.
    var queuePairNumber: UInt32 { get }

    /// RC or UD.
    var type: QueuePairType { get }

    /// The current state, including changes the device made by itself (to ERR or SQE after a
    /// failure, to SQD when drained).
    ///
    /// The corresponding C function is `ibv_query_qp`.
    var state: QueuePairState { get }

    /// The queue sizes the device granted.
    var capabilities: QueuePairCapabilities { get }

    /// Changes the QP's state and attributes.
    ///
    /// The corresponding C function is `ibv_modify_qp`.
    ///
    /// - Throws: ``VerbsError/invalidQueuePairTransition(from:to:)``,
    ///   ``VerbsError/invalidQueuePairAttributes(from:to:missing:unexpected:)``,
    ///   ``VerbsError/invalidArgument(_:)`` (see ``QueuePairAttributes/validate(for:currentState:)``),
    ///   ``VerbsError/invalidPort(_:)``.
    func modify(_ attributes: QueuePairAttributes) throws(VerbsError)

    /// Posts send work requests (SEND, RDMA WRITE, RDMA READ) to the send queue, in order.
    ///
    /// The corresponding C function is `ibv_post_send`.
    ///
    /// - Throws: a ``VerbsPostError`` naming the first request not posted: the QP is in a
    ///   state that does not accept sends (``QueuePairState/acceptsSends``), the send queue is
    ///   full, a request has too many scatter-gather elements or too much inline data, an
    ///   opcode the QP type does not support (RDMA on UD), or fields that do not match the
    ///   opcode (an RDMA request without ``SendWorkRequest/remote``, a UD send without
    ///   ``SendWorkRequest/datagram``, immediate data on an opcode without it).
    func postSend(_ requests: [SendWorkRequest]) throws(VerbsPostError)

    /// Posts receive work requests to the receive queue, in order.
    ///
    /// The corresponding C function is `ibv_post_recv`.
    ///
    /// - Throws: a ``VerbsPostError`` naming the first request not posted: the QP is in RESET,
    ///   the receive queue is full, or a request has too many scatter-gather elements.
    func postReceive(_ requests: [ReceiveWorkRequest]) throws(VerbsPostError)

    /// Destroys the QP. Outstanding work is discarded without completions.
    ///
    /// The corresponding C function is `ibv_destroy_qp`.
    ///
    /// - Throws: ``VerbsError/busy(_:)`` when the device refuses (e.g. multicast attachments).
    func destroy() throws(VerbsError)
}

extension QueuePair {
    /// Posts one send work request. See ``postSend(_:)``.
    public func postSend(_ request: SendWorkRequest) throws(VerbsPostError) {
        try postSend([request])
    }

    /// Posts one receive work request. See ``postReceive(_:)``.
    public func postReceive(_ request: ReceiveWorkRequest) throws(VerbsPostError) {
        try postReceive([request])
    }
}
