import Hardware

/// One interconnect adapter opened once and shared by several cluster connection managers of a
/// node (each serving its own clients on it).
///
/// A device context has a single asynchronous event handler, and every manager's interconnect
/// installs itself there (a port going down fails the interconnect at once): on a shared
/// adapter the last one would silence the others. This context forwards everything to the
/// adapter's context and hands each asynchronous event to every handler installed through it,
/// in installation order. Everything else is the adapter's own (the QPs, CQs and regions each
/// manager creates are its own).
public final class ClusterSharedAdapter: VerbsDeviceContext, VerbsAsyncEventHandler {
    /// The adapter's context.
    public let base: any VerbsDeviceContext
    private var handlers: [any VerbsAsyncEventHandler] = []

    public init(_ base: any VerbsDeviceContext) {
        self.base = base
    }

    public var device: VerbsDeviceInfo { base.device }
    public var attributes: VerbsDeviceAttributes { base.attributes }

    public func queryPort(_ port: UInt8) throws(VerbsError) -> PortAttributes { try base.queryPort(port) }

    public func queryGID(port: UInt8, index: Int) throws(VerbsError) -> GID { try base.queryGID(port: port, index: index) }

    public func allocateProtectionDomain() throws(VerbsError) -> any ProtectionDomain { try base.allocateProtectionDomain() }

    public func createCompletionQueue(minimumEntries: Int, observer: (any CompletionQueueObserver)?, token: UInt64)
        throws(VerbsError) -> any CompletionQueue
    {
        try base.createCompletionQueue(minimumEntries: minimumEntries, observer: observer, token: token)
    }

    /// Adds `handler` to the handlers told of every event (an interconnect installs itself
    /// again after an adapter restart: installed once). `nil` removes nothing: the other
    /// managers still listen.
    public func setAsyncEventHandler(_ handler: (any VerbsAsyncEventHandler)?) {
        guard let handler, !handlers.contains(where: { $0 === handler }) else { return }
        handlers.append(handler)
        base.setAsyncEventHandler(self)
    }

    /// Closing is the adapter's owner's business: with several managers on it, one closing it
    /// would close it under the others. Nothing happens.
    public func close() {}

    public func verbsAsyncEvent(_ event: VerbsAsyncEvent) {
        for handler in handlers { handler.verbsAsyncEvent(event) }
    }
}
