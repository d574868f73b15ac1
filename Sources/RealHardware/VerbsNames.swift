/// The names of libibverbs' numeric codes, as `ibv_devinfo` prints them, for descriptions.
///
/// The inventory types keep the raw verbs encodings (so that they map one to one onto the
/// `Hardware` module's code sets); these tables only make them readable. An unknown value is
/// shown as a number, never hidden.
enum VerbsNames {
    /// `enum ibv_port_state`.
    static func portState(_ value: Int32) -> String {
        switch value {
        case 0: "NOP"
        case 1: "DOWN"
        case 2: "INIT"
        case 3: "ARMED"
        case 4: "ACTIVE"
        case 5: "ACTIVE_DEFER"
        default: "state \(value)"
        }
    }

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

    /// `enum ibv_mtu` in bytes: `IBV_MTU_256` (1) … `IBV_MTU_4096` (5); nil for other values.
    static func mtuBytes(_ value: Int32) -> Int? {
        (1...5).contains(value) ? 128 << Int(value) : nil
    }

    /// `enum ibv_mtu` as text: `1024`, or `mtu code 9` for an unknown value.
    static func mtu(_ value: Int32) -> String {
        mtuBytes(value).map { String($0) } ?? "mtu code \(value)"
    }

    /// The number of lanes of an `active_width` code (1 = 1X, 2 = 4X, 4 = 8X, 8 = 12X, 16 = 2X).
    static func lanes(_ width: UInt8) -> Int? {
        switch width {
        case 1: 1
        case 2: 4
        case 4: 8
        case 8: 12
        case 16: 2
        default: nil
        }
    }

    /// An `active_width` code as text: `4X`, or `width code 3`.
    static func width(_ value: UInt8) -> String {
        lanes(value).map { "\($0)X" } ?? "width code \(value)"
    }

    /// An `active_speed` code as text (the kernel's `IB_SPEED_*`): `SDR` … `NDR`, or `speed code 3`.
    static func speed(_ value: UInt8) -> String {
        switch value {
        case 1: "SDR"
        case 2: "DDR"
        case 4: "QDR"
        case 8: "FDR10"
        case 16: "FDR"
        case 32: "EDR"
        case 64: "HDR"
        case 128: "NDR"
        default: "speed code \(value)"
        }
    }

    /// `IBV_LINK_LAYER_*`.
    static func linkLayer(_ value: UInt8) -> String {
        switch value {
        case 0: "unspecified link layer"
        case 1: "InfiniBand"
        case 2: "Ethernet"
        default: "link layer \(value)"
        }
    }

    /// `enum ibv_node_type`, as `ibv_node_type_str` names it.
    static func nodeType(_ value: Int32) -> String {
        switch value {
        case 1: "InfiniBand channel adapter"
        case 2: "InfiniBand switch"
        case 3: "InfiniBand router"
        case 4: "iWARP NIC"
        case 5: "usNIC"
        case 6: "usNIC UDP"
        case 7: "unspecified"
        default: "unknown node type \(value)"
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
