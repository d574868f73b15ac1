/// The link layer under a port (`ibv_port_attr.link_layer`): InfiniBand, or Ethernet for RoCE.
///
/// Agents that must not know the network protocol never look at this; the TTS for each
/// protocol does (on Ethernet, addressing is by GID only and LIDs are zero).
public struct LinkLayer: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The driver did not say; old drivers, which are InfiniBand.
    ///
    /// The corresponding C constant is `IBV_LINK_LAYER_UNSPECIFIED`.
    public static let unspecified = LinkLayer(rawValue: 0)

    /// InfiniBand.
    ///
    /// The corresponding C constant is `IBV_LINK_LAYER_INFINIBAND`.
    public static let infiniBand = LinkLayer(rawValue: 1)

    /// Ethernet (IEEE 802.3), i.e. RDMA over Converged Ethernet.
    ///
    /// The corresponding C constant is `IBV_LINK_LAYER_ETHERNET`.
    public static let ethernet = LinkLayer(rawValue: 2)

    /// `InfiniBand`, `Ethernet` or `Unspecified`, as `ibv_devinfo` prints them.
    public var description: String {
        switch rawValue {
        case 0: "Unspecified"
        case 1: "InfiniBand"
        case 2: "Ethernet"
        default: "Unknown (\(rawValue))"
        }
    }
}
