/// An opened RDMA device (`struct ibv_context`): the factory for protection domains and
/// completion queues, and the source of port state and asynchronous events.
///
/// Implementers must guarantee:
/// - Every callback of every object made from this context (completion-queue notifications,
///   asynchronous events) runs on the provider's ``NodeRuntime`` loop, never re-entrantly
///   from inside the call that caused it.
/// - Port numbers are 1…``VerbsDeviceAttributes/physicalPortCount``; any other port number
///   throws ``VerbsError/invalidPort(_:)``.
/// - After ``close()`` every further call throws ``VerbsError/deviceClosed`` (or, for
///   non-throwing calls, does nothing) and no callback runs.
///
/// - Warning: Not thread-safe. Call it only on the node's loop.
public protocol VerbsDeviceContext: AnyObject {
    /// The device this context opened.
    var device: VerbsDeviceInfo { get }

    /// The device's limits and identity.
    ///
    /// The corresponding C function is `ibv_query_device`.
    var attributes: VerbsDeviceAttributes { get }

    /// A snapshot of port `port`'s attributes.
    ///
    /// The corresponding C function is `ibv_query_port`.
    ///
    /// - Throws: ``VerbsError/invalidPort(_:)``.
    func queryPort(_ port: UInt8) throws(VerbsError) -> PortAttributes

    /// Entry `index` of port `port`'s GID table (index 0 is the port's link-local GID).
    ///
    /// The corresponding C function is `ibv_query_gid`.
    ///
    /// - Throws: ``VerbsError/invalidPort(_:)``, or ``VerbsError/invalidArgument(_:)`` for an
    ///   index beyond ``PortAttributes/gidTableLength``.
    func queryGID(port: UInt8, index: Int) throws(VerbsError) -> GID

    /// Allocates a protection domain.
    ///
    /// The corresponding C function is `ibv_alloc_pd`.
    ///
    /// - Throws: ``VerbsError/resourceExhausted(_:)`` beyond
    ///   ``VerbsDeviceAttributes/maxProtectionDomains``.
    func allocateProtectionDomain() throws(VerbsError) -> any ProtectionDomain

    /// Creates a completion queue with room for at least `minimumEntries` completions.
    ///
    /// The corresponding C functions are `ibv_create_comp_channel` and `ibv_create_cq`: the
    /// observer plays the completion channel, and the token the `cq_context`.
    ///
    /// - Parameters:
    ///   - minimumEntries: the least capacity wanted; the device may round it up
    ///     (``CompletionQueue/capacity`` says by how much).
    ///   - observer: called on the loop after ``CompletionQueue/requestNotification(solicitedOnly:)``
    ///     when a completion arrives; nil for a queue that is only polled.
    ///   - token: handed back to the observer, to tell its queues apart.
    /// - Throws: ``VerbsError/invalidArgument(_:)`` for a size of zero or beyond
    ///   ``VerbsDeviceAttributes/maxCompletionQueueEntries``; ``VerbsError/resourceExhausted(_:)``.
    func createCompletionQueue(
        minimumEntries: Int, observer: (any CompletionQueueObserver)?, token: UInt64
    ) throws(VerbsError) -> any CompletionQueue

    /// Sets the object told about asynchronous events (port up and down, QP and CQ errors,
    /// device failure); nil stops delivery. Events that arrive while no handler is set are
    /// dropped (the real backend still acknowledges them to the kernel).
    ///
    /// The corresponding C functions are `ibv_get_async_event` and `ibv_ack_async_event`.
    func setAsyncEventHandler(_ handler: (any VerbsAsyncEventHandler)?)

    /// Closes the device. Objects made from it must have been destroyed first; if some are
    /// left the backend destroys them, flushing outstanding work without completions.
    ///
    /// The corresponding C function is `ibv_close_device`.
    func close()
}
