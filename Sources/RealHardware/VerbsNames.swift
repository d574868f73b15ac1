/// The names of libibverbs' numeric codes that the `Hardware` module has no type for, for
/// descriptions.
///
/// Port states, MTUs, link widths, speeds and layers and node types are named by `Hardware`'s
/// types (``RDMAPortInfo`` and ``RDMADeviceInfo`` use them). An unknown value is shown as a
/// number, never hidden.
enum VerbsNames {
    /// `ibv_port_attr.phys_state` (IB PortInfo PortPhysicalState).
    static func physicalState(_ value: UInt8) -> String {
        switch value {
        case 1: "SLEEP"
        case 2: "POLLING"
        case 3: "DISABLED"
        case 4: "PORT_CONFIGURATION_TRAINING"
        case 5: "LINK_UP"
        case 6: "LINK_ERROR_RECOVERY"
        case 7: "PHY_TEST"
        default: "physical state \(value)"
        }
    }

    /// `enum ibv_transport_type`.
    static func transportType(_ value: Int32) -> String {
        switch value {
        case 0: "InfiniBand"
        case 1: "iWARP"
        case 2: "usNIC"
        case 3: "usNIC UDP"
        case 4: "unspecified"
        default: "unknown transport \(value)"
        }
    }
}
