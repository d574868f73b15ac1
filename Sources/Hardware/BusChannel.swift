/// One endpoint's access to the node bus: the PCI data bus between a host storage node and its
/// storage nodes (in real mode, an in-process or shared-memory channel between processes).
///
/// Two services: messages to another endpoint's ``BusMessageReceiver`` (the API messages
/// between the CTA and the RTAs), and DMA into and out of memory windows other endpoints
/// exposed (the data those messages point at). Everything is issued now and completes later,
/// on the node's ``NodeRuntime`` loop, through a ``BusCompletionHandler`` and a tag.
///
/// Implementers must guarantee:
/// - Every operation the channel accepts completes exactly once, and never from inside the
///   call that issued it, even when the outcome is known at once (an unknown destination
///   completes with ``BusStatus/masterAbort`` on a later turn of the loop).
/// - PCI ordering: operations of one endpoint take effect in the order issued, and their
///   completions are delivered in that order. A message sent after a DMA write is received
///   after the written bytes are visible; a DMA read returns what earlier DMA writes of the
///   same endpoint wrote.
/// - A DMA read or write touches only memory inside one exposed window with the needed
///   ``BusWindowAccess``; anything else completes with ``BusStatus/masterAbort`` (no window)
///   or ``BusStatus/targetAbort`` (wrong access, or a range running past the window's end) and
///   touches nothing.
/// - Messages to an endpoint without a receiver complete with ``BusStatus/targetAbort`` and
///   are not delivered later.
///
/// - Warning: Not thread-safe. Call it only on the node's loop.
public protocol BusChannel: AnyObject {
    /// This endpoint's number on the bus.
    var localEndpoint: BusEndpoint { get }

    /// The other endpoints on the bus, in ascending order, as enumerated when the bus came up.
    /// An endpoint that later stops answering stays listed; operations to it master-abort.
    var peers: [BusEndpoint] { get }

    /// The longest message ``send(_:to:tag:handler:)`` accepts, in bytes.
    var maxMessageSize: Int { get }

    /// The longest DMA transfer ``dmaWrite(_:to:tag:handler:)`` and
    /// ``dmaRead(count:from:tag:handler:)`` accept, in bytes.
    var maxTransferSize: Int { get }

    /// Sets the object that receives this endpoint's messages; nil refuses them (senders see
    /// ``BusStatus/targetAbort``).
    func setReceiver(_ receiver: (any BusMessageReceiver)?)

    /// Sends `message` to `destination`'s receiver.
    ///
    /// The completion is ``BusStatus/ok`` once the message is in the destination's inbound
    /// queue; the receiver is called on the destination's loop.
    ///
    /// - Throws: ``BusChannelError/messageTooLarge(_:)``, ``BusChannelError/queueFull``,
    ///   ``BusChannelError/channelClosed``. Nothing completes for a refused message.
    func send(_ message: [UInt8], to destination: BusEndpoint, tag: UInt64, handler: any BusCompletionHandler)
        throws(BusChannelError)

    /// Writes `bytes` to bus memory at `address` (inside another endpoint's window).
    ///
    /// - Throws: ``BusChannelError/invalidTransferLength(_:)``, ``BusChannelError/queueFull``,
    ///   ``BusChannelError/channelClosed``.
    func dmaWrite(_ bytes: [UInt8], to address: BusAddress, tag: UInt64, handler: any BusCompletionHandler)
        throws(BusChannelError)

    /// Reads `count` bytes of bus memory at `address`; they arrive in ``BusCompletion/data``.
    ///
    /// - Throws: ``BusChannelError/invalidTransferLength(_:)``, ``BusChannelError/queueFull``,
    ///   ``BusChannelError/channelClosed``.
    func dmaRead(count: Int, from address: BusAddress, tag: UInt64, handler: any BusCompletionHandler)
        throws(BusChannelError)

    /// Exposes `length` bytes of `memory`, from `offset`, to DMA by the other endpoints, and
    /// returns the window with the bus address the bus assigned it.
    ///
    /// `memory` may be a verbs ``MemoryRegion``'s buffer or the node's ``NVRAM``: the same
    /// bytes are then reachable from the bus and from the fabric.
    ///
    /// - Throws: ``BusChannelError/invalidWindow(_:)`` when the range lies outside `memory`
    ///   or is empty, or `memory` belongs to another backend;
    ///   ``BusChannelError/addressSpaceExhausted``.
    func exposeWindow(_ memory: any MemoryBuffer, offset: Int, length: Int, access: BusWindowAccess)
        throws(BusChannelError) -> BusWindow

    /// Withdraws a window. DMA already accepted by the bus finishes; later DMA to the range
    /// master-aborts.
    ///
    /// - Throws: ``BusChannelError/invalidWindow(_:)`` for a window this channel did not expose
    ///   or already removed.
    func removeWindow(_ window: BusWindow) throws(BusChannelError)
}
