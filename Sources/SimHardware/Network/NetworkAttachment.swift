import Hardware

/// The network side of one endpoint port (an HCA port, a traffic generator): what the
/// endpoint calls to send, and to hand back receive-buffer space.
///
/// Both simulated networks implement it (``InfiniBandFabric`` with LIDs, credits and virtual
/// lanes; the Ethernet fabric carrying RoCE v2 with GIDs and lossy switches), so an HCA runs
/// the same transport over either without knowing which.
///
/// Implementers must guarantee:
/// - ``transmit(_:)`` never calls back into the endpoint from inside the call.
/// - Packets offered on one service level leave the port in the order they were offered.
/// - Every delivered packet holds receive-buffer space until the endpoint calls
///   ``release(_:)`` with its receipt: that is what lets a slow receiver back-pressure the
///   network (credits on InfiniBand; a full NIC buffer drops or pauses on Ethernet).
/// - Port changes reach the endpoint through ``NetworkEndpoint/networkPortChanged()`` from a
///   network event, never from inside a call the endpoint made (including
///   ``setEndpointFailed(_:)``).
///
/// A network may accept a packet and then lose it: on a down link, to a full buffer, to a
/// fault, or (Ethernet) to a destination it cannot resolve. Reliability is the transport's
/// job, as on real hardware. After a refusal, ``NetworkEndpoint/networkTransmitReady()``
/// follows once the queue has room, which after a link failure is when the link is back.
public protocol NetworkAttachment: AnyObject {
    /// InfiniBand or Ethernet.
    var linkLayer: LinkLayer { get }
    /// The port's state as the network sees it: down while the link is down, initialize until
    /// the subnet manager has given it a LID (InfiniBand), active when it carries data.
    var portState: PortState { get }
    /// The port's LID (InfiniBand; 0 until assigned, and on Ethernet).
    var lid: UInt16 { get }
    /// The LID of the subnet manager (InfiniBand; 0 on Ethernet).
    var subnetManagerLID: UInt16 { get }
    /// The port's GID: link-local from the port GUID on InfiniBand, IPv4-mapped on RoCE.
    var gid: GID { get }
    /// The width and speed the link trained to.
    var activeWidth: LinkWidth { get }
    var activeSpeed: LinkSpeed { get }
    /// The data rate of the link after line coding, in bits per second.
    var dataRate: Int64 { get }
    /// The largest payload a packet may carry on this network.
    var maxMTU: MTU { get }
    /// Packets ``transmit(_:)`` accepts per service level before it refuses.
    var transmitQueueCapacity: Int { get }

    /// Offers `packet` for transmission on its service level.
    ///
    /// - Returns: false when the port is not active or the service level's transmit queue is
    ///   full; nothing is taken, and when it was full ``NetworkEndpoint/networkTransmitReady()``
    ///   follows once room frees.
    func transmit(_ packet: TransportPacket) -> Bool

    /// Hands back the receive-buffer space of the packet delivered with `receipt`, once the
    /// endpoint has consumed it (its bytes are in host memory, or it was discarded).
    ///
    /// - Precondition: each receipt is released exactly once.
    func release(_ receipt: ReceiveReceipt)

    /// Takes the endpoint off the network (true: its port goes down, as when an HCA fails or
    /// is pulled) or puts it back (false: the link retrains and the port comes up again).
    func setEndpointFailed(_ failed: Bool)
}

/// The endpoint side: what a network calls on the device attached to it. Every call comes from
/// the network's own event handling, on the simulator's loop.
public protocol NetworkEndpoint: AnyObject {
    /// A packet arrived intact. Its receive-buffer space stays held until the endpoint calls
    /// ``NetworkAttachment/release(_:)`` with `receipt`.
    func networkDelivered(_ packet: TransportPacket, receipt: ReceiveReceipt)

    /// Room freed in a transmit queue that refused a packet.
    func networkTransmitReady()

    /// The port's state, LID or SM LID changed (link down or up, a sweep assigned a LID).
    func networkPortChanged()
}

/// The network's token for the receive-buffer space one delivered packet holds.
public struct ReceiveReceipt: Hashable, Sendable {
    public var rawValue: UInt64

    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
}
