/// The logical state of an HCA port (`enum ibv_port_state`), as the subnet manager drives it.
///
/// A port comes up DOWN → INIT (physical link up, waiting for the subnet manager) → ARMED →
/// ACTIVE (the subnet manager assigned a LID and configured the port; data may flow). A cable
/// pull or a peer reset takes it back to DOWN and raises ``VerbsAsyncEventType/portError``.
public struct PortState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// No state change requested; only meaningful in a Set PortInfo.
    ///
    /// The corresponding C constant is `IBV_PORT_NOP`.
    public static let nop = PortState(rawValue: 0)

    /// The link is down: no physical link, or disabled.
    ///
    /// The corresponding C constant is `IBV_PORT_DOWN`.
    public static let down = PortState(rawValue: 1)

    /// The physical link is up but the subnet manager has not configured the port yet; only
    /// subnet management packets flow.
    ///
    /// The corresponding C constant is `IBV_PORT_INIT`.
    public static let initialize = PortState(rawValue: 2)

    /// Configured by the subnet manager and about to become active; data packets are still
    /// dropped.
    ///
    /// The corresponding C constant is `IBV_PORT_ARMED`.
    public static let armed = PortState(rawValue: 3)

    /// The port carries data.
    ///
    /// The corresponding C constant is `IBV_PORT_ACTIVE`.
    public static let active = PortState(rawValue: 4)

    /// Active, with a state change deferred by the subnet manager.
    ///
    /// The corresponding C constant is `IBV_PORT_ACTIVE_DEFER`.
    public static let activeDefer = PortState(rawValue: 5)

    /// Whether data packets flow (``active`` or ``activeDefer``).
    public var carriesData: Bool { self == .active || self == .activeDefer }

    /// The text `ibv_port_state_str` returns, e.g. `active`, or `unknown`.
    public var description: String {
        switch rawValue {
        case 0: "no state change (NOP)"
        case 1: "down"
        case 2: "init"
        case 3: "armed"
        case 4: "active"
        case 5: "active defer"
        default: "unknown"
        }
    }
}
