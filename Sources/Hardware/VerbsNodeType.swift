/// What kind of RDMA node a device is (`enum ibv_node_type`).
public struct VerbsNodeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The driver did not say.
    ///
    /// The corresponding C constant is `IBV_NODE_UNKNOWN`.
    public static let unknown = VerbsNodeType(rawValue: -1)

    /// An InfiniBand channel adapter (an HCA): the kind every node in this system has.
    ///
    /// The corresponding C constant is `IBV_NODE_CA`.
    public static let channelAdapter = VerbsNodeType(rawValue: 1)

    /// An InfiniBand switch.
    ///
    /// The corresponding C constant is `IBV_NODE_SWITCH`.
    public static let `switch` = VerbsNodeType(rawValue: 2)

    /// An InfiniBand router.
    ///
    /// The corresponding C constant is `IBV_NODE_ROUTER`.
    public static let router = VerbsNodeType(rawValue: 3)

    /// An iWARP NIC.
    ///
    /// The corresponding C constant is `IBV_NODE_RNIC`.
    public static let rnic = VerbsNodeType(rawValue: 4)

    /// A Cisco usNIC.
    ///
    /// The corresponding C constant is `IBV_NODE_USNIC`.
    public static let usnic = VerbsNodeType(rawValue: 5)

    /// A Cisco usNIC over UDP.
    ///
    /// The corresponding C constant is `IBV_NODE_USNIC_UDP`.
    public static let usnicUDP = VerbsNodeType(rawValue: 6)

    /// A device of none of the kinds above (libibverbs names it `unspecified`).
    ///
    /// The corresponding C constant is `IBV_NODE_UNSPECIFIED`.
    public static let unspecified = VerbsNodeType(rawValue: 7)

    /// The text `ibv_node_type_str` returns, e.g. `InfiniBand channel adapter`, or `unknown`.
    public var description: String {
        switch rawValue {
        case 1: "InfiniBand channel adapter"
        case 2: "InfiniBand switch"
        case 3: "InfiniBand router"
        case 4: "iWARP NIC"
        case 5: "usNIC"
        case 6: "usNIC UDP"
        case 7: "unspecified"
        default: "unknown"
        }
    }
}
