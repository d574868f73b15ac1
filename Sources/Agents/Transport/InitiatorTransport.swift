import Hardware

/// The client's transport services: discovery and connection establishment toward a target,
/// and messages on connections. One implementation per network protocol, like ``TargetTransport``
/// (often the same type). Completions arrive on the loop through the delegate.
public protocol InitiatorTransport: AnyObject {
    var protocolName: String { get }
    var delegate: (any InitiatorTransportDelegate)? { get set }
    /// Opens the management endpoint and registers the client's data buffer of `bufferBytes`
    /// bytes with remote read and write (what a target needs to serve it).
    func start(bufferBytes: Int) throws(TransportError)
    /// The client's data buffer (registered memory).
    var buffer: any MemoryBuffer { get }
    /// The buffer as targets address it: declared in the connection offer.
    var bufferRegion: RemoteBuffer { get }
    /// The client's identity for LUN masking (its port GUID).
    var clientGUID: UInt64 { get }
    /// Sends a device-management query to `target`, retried on timeout; answered through
    /// ``InitiatorTransportDelegate/queryAnswered(tag:reply:)``.
    func query(_ query: DeviceManagementQuery, to target: ServiceAddress, tag: UInt64) throws(TransportError)
    /// Asks `target` for a connection; answered through ``InitiatorTransportDelegate/connected(tag:connection:grant:)``
    /// or ``InitiatorTransportDelegate/connectFailed(tag:reason:)``.
    func connect(to target: ServiceAddress, offer: ConnectionOffer, tag: UInt64) throws(TransportError)
    /// Sends an encoded ``ConnectionMessage``.
    func send(_ message: [UInt8], on connection: ConnectionID) throws(TransportError)
    /// Disconnects (tells the target, tears the QP down).
    func disconnect(_ connection: ConnectionID)
    var statistics: TransportStatistics { get }
}

/// Why a connection attempt failed.
public enum ConnectFailure: Hashable, Sendable, CustomStringConvertible {
    case rejected(ConnectRejectReason)
    /// No answer after the retries.
    case timedOut
    case transport(TransportError)

    public var description: String {
        switch self {
        case .rejected(let reason): "rejected: \(reason)"
        case .timedOut: "timed out"
        case .transport(let error): "\(error)"
        }
    }
}

public protocol InitiatorTransportDelegate: AnyObject {
    /// The answer to ``InitiatorTransport/query(_:to:tag:)``; nil when every retry timed out.
    func queryAnswered(tag: UInt64, reply: DeviceManagementReply?)
    func connected(tag: UInt64, connection: ConnectionID, grant: ConnectionGrant)
    func connectFailed(tag: UInt64, reason: ConnectFailure)
    /// An encoded ``ConnectionMessage`` arrived.
    func messageReceived(_ message: [UInt8], on connection: ConnectionID)
    /// The connection ended (the target went away, its QP failed, or it disconnected).
    func connectionClosed(_ connection: ConnectionID, reason: ConnectionCloseReason)
}
