/// The attributes of one HCA port that agents use (`struct ibv_port_attr`, a subset).
///
/// Returned by ``VerbsDeviceContext/queryPort(_:)``: a snapshot, not a live view. Watch
/// ``VerbsAsyncEventType/portActive`` and ``VerbsAsyncEventType/portError`` to learn when to
/// query again.
public struct PortAttributes: Hashable, Sendable {
    /// The logical port state.
    public var state: PortState
    /// The largest MTU the port supports.
    public var maxMTU: MTU
    /// The MTU in use on the link.
    public var activeMTU: MTU
    /// The port's base LID, assigned by the subnet manager; 0 until then and on Ethernet.
    public var lid: UInt16
    /// The LID of the subnet manager.
    public var smLID: UInt16
    /// The LID mask control: the port answers to `2^lmc` LIDs from ``lid``.
    public var lmc: UInt8
    /// The lanes in use.
    public var activeWidth: LinkWidth
    /// The per-lane speed in use.
    public var activeSpeed: LinkSpeed
    /// InfiniBand or Ethernet.
    public var linkLayer: LinkLayer
    /// The number of entries in the port's GID table.
    public var gidTableLength: Int
    /// The number of entries in the port's partition key table.
    public var pkeyTableLength: Int
    /// The largest message the port sends or receives, in bytes.
    public var maxMessageSize: UInt32

    public init(
        state: PortState, maxMTU: MTU, activeMTU: MTU, lid: UInt16, smLID: UInt16 = 0,
        lmc: UInt8 = 0, activeWidth: LinkWidth, activeSpeed: LinkSpeed,
        linkLayer: LinkLayer = .infiniBand, gidTableLength: Int = 1, pkeyTableLength: Int = 1,
        maxMessageSize: UInt32 = 0x8000_0000
    ) {
        self.state = state
        self.maxMTU = maxMTU
        self.activeMTU = activeMTU
        self.lid = lid
        self.smLID = smLID
        self.lmc = lmc
        self.activeWidth = activeWidth
        self.activeSpeed = activeSpeed
        self.linkLayer = linkLayer
        self.gidTableLength = gidTableLength
        self.pkeyTableLength = pkeyTableLength
        self.maxMessageSize = maxMessageSize
    }

    /// The link's data rate in bits per second (lanes × per-lane data rate), e.g. 8 Gb/s for
    /// 4X SDR; nil if the width or speed encoding is unknown.
    public var dataRate: Int64? {
        Self.dataRate(width: activeWidth, speed: activeSpeed)
    }

    /// The data rate in bits per second of a link of `width` lanes at `speed`; nil if either
    /// encoding is unknown.
    public static func dataRate(width: LinkWidth, speed: LinkSpeed) -> Int64? {
        guard let lanes = width.laneCount, let perLane = speed.dataRatePerLane else { return nil }
        return Int64(lanes) * perLane
    }
}
