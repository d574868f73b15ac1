import Hardware

/// One port of a real RDMA device, as `ibv_query_port` and `ibv_query_gid` report it.
///
/// A snapshot taken by ``VerbsLibrary/queryPort(_:ofDevice:gidLimit:)`` or as part of a
/// device listing. The codes keep their verbs encodings (documented per property), so they map
/// one to one onto the `Hardware` module's code sets (``attributes`` is that view); the
/// `…Name` properties and ``description`` name them with those types' descriptions.
public struct RDMAPortInfo: Hashable, Sendable, CustomStringConvertible {
    /// The port number, counted from 1.
    public var number: Int

    /// The logical port state (`enum ibv_port_state`): 1 `DOWN`, 2 `INIT`, 3 `ARMED`, 4 `ACTIVE`.
    public var state: Int32

    /// The physical port state: 2 `POLLING`, 3 `DISABLED`, 5 `LINK_UP`, … (IB PortPhysicalState).
    public var physicalState: UInt8

    /// The largest MTU the port supports (`enum ibv_mtu`: 1 = 256 bytes … 5 = 4096 bytes).
    public var maxMTU: Int32

    /// The MTU in use on the link (`enum ibv_mtu`).
    public var activeMTU: Int32

    /// The port's base LID, from the subnet manager; 0 until assigned and on Ethernet (RoCE).
    public var lid: UInt16

    /// The LID of the subnet manager.
    public var smLID: UInt16

    /// The LID mask control: the port answers to `2^lmc` LIDs from ``lid``.
    public var lmc: UInt8

    /// The service level to reach the subnet manager with.
    public var smSL: UInt8

    /// The lanes in use, IB encoding: 1 = 1X, 2 = 4X, 4 = 8X, 8 = 12X, 16 = 2X.
    public var activeWidth: UInt8

    /// The per-lane speed in use, IB encoding: 1 SDR, 2 DDR, 4 QDR, 8 FDR10, 16 FDR, 32 EDR,
    /// 64 HDR, 128 NDR.
    public var activeSpeed: UInt8

    /// The link layer (`IBV_LINK_LAYER_*`): 1 InfiniBand, 2 Ethernet (RoCE), 0 unspecified.
    public var linkLayer: UInt8

    /// The number of entries in the port's GID table.
    public var gidTableLength: Int

    /// The number of entries in the port's partition key table.
    public var pkeyTableLength: Int

    /// The largest message the port sends or receives, in bytes.
    public var maxMessageSize: UInt32

    /// The port capability mask (`port_cap_flags`, `IBV_PORT_*_SUP` bits).
    public var capabilityFlags: UInt32

    /// The subnet timeout: 4.096 µs × 2^`subnetTimeout`.
    public var subnetTimeout: UInt8

    /// The number of virtual lanes, IB encoding (1 = VL0, 2 = VL0–1, 3 = VL0–3, 4 = VL0–7, 5 = VL0–14).
    public var maxVLNum: UInt8

    /// Packets dropped for a bad partition key, since the counter was last reset.
    public var badPKeyCounter: UInt32

    /// Packets dropped for a bad Q_Key, since the counter was last reset.
    public var qkeyViolationCounter: UInt32

    /// The non-zero entries among the first entries of the GID table, in index order (how many
    /// are read is the caller's `gidLimit`).
    public var gids: [RDMAGIDEntry]

    /// A port from its parts, each in its verbs encoding; the inventory builds these from
    /// `ibv_query_port` and `ibv_query_gid`.
    public init(
        number: Int, state: Int32, physicalState: UInt8, maxMTU: Int32, activeMTU: Int32, lid: UInt16,
        smLID: UInt16, lmc: UInt8, smSL: UInt8, activeWidth: UInt8, activeSpeed: UInt8, linkLayer: UInt8,
        gidTableLength: Int, pkeyTableLength: Int, maxMessageSize: UInt32, capabilityFlags: UInt32,
        subnetTimeout: UInt8, maxVLNum: UInt8, badPKeyCounter: UInt32, qkeyViolationCounter: UInt32,
        gids: [RDMAGIDEntry]
    ) {
        self.number = number
        self.state = state
        self.physicalState = physicalState
        self.maxMTU = maxMTU
        self.activeMTU = activeMTU
        self.lid = lid
        self.smLID = smLID
        self.lmc = lmc
        self.smSL = smSL
        self.activeWidth = activeWidth
        self.activeSpeed = activeSpeed
        self.linkLayer = linkLayer
        self.gidTableLength = gidTableLength
        self.pkeyTableLength = pkeyTableLength
        self.maxMessageSize = maxMessageSize
        self.capabilityFlags = capabilityFlags
        self.subnetTimeout = subnetTimeout
        self.maxVLNum = maxVLNum
        self.badPKeyCounter = badPKeyCounter
        self.qkeyViolationCounter = qkeyViolationCounter
        self.gids = gids
    }

    /// The port in the `Hardware` module's types: the codes as ``Hardware/PortState``,
    /// ``Hardware/MTU``, ``Hardware/LinkWidth``, ``Hardware/LinkSpeed`` and ``Hardware/LinkLayer``
    /// (an unknown code keeps its value), with the LIDs and table sizes.
    public var attributes: PortAttributes {
        PortAttributes(
            state: PortState(rawValue: state), maxMTU: MTU(rawValue: maxMTU), activeMTU: MTU(rawValue: activeMTU),
            lid: lid, smLID: smLID, lmc: lmc, activeWidth: LinkWidth(rawValue: activeWidth),
            activeSpeed: LinkSpeed(rawValue: activeSpeed), linkLayer: LinkLayer(rawValue: linkLayer),
            gidTableLength: gidTableLength, pkeyTableLength: pkeyTableLength, maxMessageSize: maxMessageSize)
    }

    /// Whether the port can carry traffic (`IBV_PORT_ACTIVE`).
    public var isActive: Bool { PortState(rawValue: state) == .active }

    /// The active MTU in bytes; nil for an unknown code.
    public var activeMTUBytes: Int? { MTU(rawValue: activeMTU).byteCount }

    /// The largest MTU in bytes; nil for an unknown code.
    public var maxMTUBytes: Int? { MTU(rawValue: maxMTU).byteCount }

    /// The number of active lanes; nil for an unknown code.
    public var activeLanes: Int? { LinkWidth(rawValue: activeWidth).laneCount }

    /// ``state`` as `ibv_port_state_str` names it (``Hardware/PortState``), e.g. `active`; an
    /// unknown code as `state 9`.
    public var stateName: String {
        (PortState.nop.rawValue...PortState.activeDefer.rawValue).contains(state)
            ? PortState(rawValue: state).description : "state \(state)"
    }

    /// ``physicalState`` as `ibv_devinfo` names it, e.g. `LINK_UP`.
    public var physicalStateName: String { VerbsNames.physicalState(physicalState) }

    /// ``activeWidth`` and ``activeSpeed``, e.g. `4X EDR`.
    public var linkRateName: String { "\(LinkWidth(rawValue: activeWidth)) \(LinkSpeed(rawValue: activeSpeed))" }

    /// ``linkLayer`` named (``Hardware/LinkLayer``): `InfiniBand`, `Ethernet` or `Unspecified`.
    public var linkLayerName: String { LinkLayer(rawValue: linkLayer).description }

    /// One line, e.g. `port 1: active (LINK_UP), Ethernet, 1X SDR, MTU 1024 (max 4096),
    /// LID 0x0000, SM LID 0x0000, GID[0] fe80:0000:0000:0000:0000:5eff:fe12:3456`.
    public var description: String {
        var parts = [
            "port \(number): \(stateName) (\(physicalStateName))",
            linkLayerName,
            linkRateName,
            "MTU \(MTU(rawValue: activeMTU)) (max \(MTU(rawValue: maxMTU)))",
            "LID \(TextFormatting.hex(lid, digits: 4))",
            "SM LID \(TextFormatting.hex(smLID, digits: 4))",
        ]
        parts += gids.map(\.description)
        return parts.joined(separator: ", ")
    }
}
