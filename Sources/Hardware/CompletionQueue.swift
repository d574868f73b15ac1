/// A completion queue (`struct ibv_cq`): where the work requests of the queue pairs attached to
/// it report their outcome, in the order each queue completes them.
///
/// Use it the way verbs programs use a completion channel:
///
///     cq.requestNotification(solicitedOnly: false)   // arm once
///     // … later, on the loop:
///     func completionQueueNotified(_ cq: any CompletionQueue, token: UInt64) {
///         try? cq.requestNotification(solicitedOnly: false)   // re-arm first,
///         while cq.poll(into: &buffer, maxEntries: 16) > 0 { … }   // then drain
///     }
///
/// Re-arming before draining closes the race in which a completion arrives between the last
/// poll and the re-arm and no notification ever comes.
///
/// Implementers must guarantee:
/// - Completions of one work queue (the send queue or the receive queue of one QP) are polled
///   in the order the requests were posted. Completions of different queues may interleave.
/// - A notification is one-shot: after ``requestNotification(solicitedOnly:)`` the observer is
///   called at most once, for the first completion added to the queue after the call (with
///   `solicitedOnly`, the first receive of a solicited message or first error completion).
///   Completions already in the queue when it is armed do not trigger it; poll for them.
/// - The observer runs on the node's loop, later, never from inside ``poll(into:maxEntries:)``,
///   ``requestNotification(solicitedOnly:)`` or a post call, even if the completion is immediate.
/// - If the queue overflows, the backend raises ``VerbsAsyncEventType/completionQueueError``
///   with this queue's token and the queue is unusable; completions are never silently dropped.
///
/// - Warning: Not thread-safe. Call it only on the node's loop.
public protocol CompletionQueue: AnyObject {
    /// The number of completions the queue holds (at least what was asked for).
    var capacity: Int { get }

    /// The token the queue was created with.
    var token: UInt64 { get }

    /// Moves up to `maxEntries` completions from the queue to the end of `buffer`, oldest first,
    /// and returns how many it moved (0 when the queue is empty).
    ///
    /// Appending into a caller-owned buffer lets a loop drain the queue without allocating:
    /// reserve capacity once and `removeAll(keepingCapacity: true)` between polls.
    /// The corresponding C function is `ibv_poll_cq`.
    ///
    /// - Precondition: `maxEntries > 0`.
    func poll(into buffer: inout [WorkCompletion], maxEntries: Int) -> Int

    /// Arms the queue: the observer is called once, on the loop, for the next completion added.
    ///
    /// The corresponding C function is `ibv_req_notify_cq`.
    ///
    /// - Parameter solicitedOnly: notify only for a receive of a message sent with
    ///   ``SendFlags/solicited``, or for an error completion.
    /// - Throws: ``VerbsError/invalidArgument(_:)`` when the queue was created without an
    ///   observer; ``VerbsError/deviceClosed``.
    func requestNotification(solicitedOnly: Bool) throws(VerbsError)

    /// Destroys the queue. Completions still in it are lost.
    ///
    /// The corresponding C function is `ibv_destroy_cq`.
    ///
    /// - Throws: ``VerbsError/busy(_:)`` while a queue pair uses it.
    func destroy() throws(VerbsError)
}

extension CompletionQueue {
    /// Up to `maxEntries` completions, oldest first; empty when the queue is empty.
    ///
    /// Allocates an array per call; hot loops should use ``poll(into:maxEntries:)``.
    /// The corresponding C function is `ibv_poll_cq`.
    public func poll(maxEntries: Int) -> [WorkCompletion] {
        var completions: [WorkCompletion] = []
        completions.reserveCapacity(maxEntries)
        _ = poll(into: &completions, maxEntries: maxEntries)
        return completions
    }
}

/// An object called when an armed ``CompletionQueue`` gets a completion: the shape of a verbs
/// completion channel (`ibv_get_cq_event`), without a closure per completion.
public protocol CompletionQueueObserver: AnyObject {
    /// `queue`, armed with ``CompletionQueue/requestNotification(solicitedOnly:)``, received a
    /// completion. Runs on the node's loop, never re-entrantly from a verbs call.
    ///
    /// The notification is consumed: re-arm the queue, then poll it until empty.
    ///
    /// - Parameters:
    ///   - queue: the queue that was notified.
    ///   - token: the token the queue was created with.
    func completionQueueNotified(_ queue: any CompletionQueue, token: UInt64)
}
