/// The transport service of a queue pair (`enum ibv_qp_type`, the two this system uses).
///
/// A closed set: agents switch over it exhaustively. The raw values are the verbs encoding.
public enum QueuePairType: Int32, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Reliable connected: one peer QP, acknowledged and retried in order; SEND, RDMA WRITE and
    /// RDMA READ. What the CTA, TTS and the cluster interconnect use.
    ///
    /// The corresponding C constant is `IBV_QPT_RC`.
    case reliableConnected = 2

    /// Unreliable datagram: any peer per message (named by an ``AddressHandle``), SEND only,
    /// one MTU per message, no acknowledgement. What connection managers use to find peers.
    ///
    /// The corresponding C constant is `IBV_QPT_UD`.
    case unreliableDatagram = 4

    /// `RC` or `UD`.
    public var description: String {
        switch self {
        case .reliableConnected: "RC"
        case .unreliableDatagram: "UD"
        }
    }
}
