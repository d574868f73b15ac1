import Hardware

// The seam between the cluster connection manager and its clients (the failover monitor, the
// NVRAM mirror, …). The manager slam connects to the partner on every cluster interconnect;
// once a slam connection is Connected it creates each registered client's own RC connection
// (a VI) on that interconnect, exchanges the connection information with the partner's
// manager, and hands the client a `ClusterConnection`. A client's counterpart on the partner is
// the client registered there under the same `clusterClientName`.

/// What a cluster connection client needs from the manager on every interconnect.
public struct ClusterClientNeeds {
    /// Memory of this node the partner's counterpart may RDMA WRITE into on this client's
    /// connections (the NVRAM mirror's half of the local NVRAM), or nil for none. The manager
    /// registers it on every interconnect with remote write access and passes its address and
    /// rkey to the partner.
    public var exposedMemory: (any MemoryBuffer)?
    /// Memory of this node that ``ClusterConnection/write(sourceOffset:count:remoteOffset:tag:)``
    /// reads from (the NVRAM mirror's log), or nil when the client only sends messages. The
    /// manager registers it on every interconnect for local access.
    public var sourceMemory: (any MemoryBuffer)?
    /// The largest message the client sends; the manager posts receives of this size.
    public var maxMessageBytes: Int
    /// Operations (sends and writes) the client keeps outstanding on one connection at most.
    public var maxOutstanding: Int

    public init(exposedMemory: (any MemoryBuffer)? = nil, sourceMemory: (any MemoryBuffer)? = nil, maxMessageBytes: Int = 256,
                maxOutstanding: Int = 64) {
        self.exposedMemory = exposedMemory
        self.sourceMemory = sourceMemory
        self.maxMessageBytes = maxMessageBytes
        self.maxOutstanding = maxOutstanding
    }
}

/// Why a cluster connection refused an operation.
public enum ClusterConnectionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The connection is down (its interconnect or the partner failed); nothing was posted.
    case down
    /// ``ClusterClientNeeds/maxOutstanding`` operations are already outstanding: try after a completion.
    case queueFull
    /// The message is longer than ``ClusterClientNeeds/maxMessageBytes``, or the write falls outside
    /// the source memory or the partner's exposed memory.
    case outOfBounds

    public var description: String {
        switch self {
        case .down: "the cluster connection is down"
        case .queueFull: "the cluster connection's send queue is full"
        case .outOfBounds: "the operation is out of bounds"
        }
    }
}

/// One client's reliable connection to its counterpart on the partner, on one interconnect.
///
/// Operations execute at the partner in the order they were posted (RC ordering), and complete
/// here in that order through ``ClusterConnectionClient/clusterOperationCompleted(tag:on:success:)``.
/// When the connection fails every outstanding operation completes with `success == false` (in
/// post order; a failed write may or may not have reached the partner), then
/// ``ClusterConnectionClient/clusterConnectionDown(_:)`` is called once, and the object is dead
/// for good: a later reconnection hands the client a new one.
public protocol ClusterConnection: AnyObject {
    /// Which cluster interconnect it runs on: its index in the manager's list, from 0.
    var interconnect: Int { get }
    /// False once it failed.
    var isUp: Bool { get }
    /// The length of the partner counterpart's exposed memory (0 when it exposes none).
    var remoteMemoryLength: Int { get }
    /// Sends `message` to the counterpart, which gets it in
    /// ``ClusterConnectionClient/clusterMessageReceived(_:on:)``.
    func send(_ message: [UInt8], tag: UInt64) throws(ClusterConnectionError)
    /// RDMA-writes `count` bytes of this client's source memory, from `sourceOffset`, into the
    /// partner counterpart's exposed memory at `remoteOffset`.
    func write(sourceOffset: Int, count: Int, remoteOffset: Int, tag: UInt64) throws(ClusterConnectionError)
}

/// An agent that needs its own connections to its counterpart on the partner (a cluster
/// connection client). Register it with the cluster connection manager before the manager starts.
public protocol ClusterConnectionClient: AnyObject {
    /// Its name, the same on both partners and unique among one manager's clients, e.g.
    /// `"failover-monitor"`, `"nvram-mirror"`.
    var clusterClientName: String { get }
    /// What it needs on every interconnect; read once, when the client is registered.
    var clusterNeeds: ClusterClientNeeds { get }
    /// A connection to the counterpart is up (one per interconnect whose slam connection is
    /// Connected; a client may hold several at once).
    func clusterConnectionUp(_ connection: any ClusterConnection)
    /// That connection failed; see ``ClusterConnection``.
    func clusterConnectionDown(_ connection: any ClusterConnection)
    /// A message from the counterpart.
    func clusterMessageReceived(_ message: [UInt8], on connection: any ClusterConnection)
    /// An operation posted with `tag` ended.
    func clusterOperationCompleted(tag: UInt64, on connection: any ClusterConnection, success: Bool)
}
