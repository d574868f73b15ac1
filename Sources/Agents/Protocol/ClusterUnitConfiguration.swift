import Hardware

/// What one system of a cluster tells its partner about the LUNs it serves, so the partner can
/// serve them after a takeover: the LUN map (each LUN's cluster-wide number, the disk's WWN,
/// its size) and the LUN masks. The UMA encodes its own
/// (``UnitManagementAgent/clusterConfiguration``); the partner's UMA maps it to the disks it
/// reaches through its B loops, by WWN (``UnitManagementAgent/takeOverPartner(configuration:)``).
///
/// Wire format in `ClusterUnitConfiguration+Codec.swift`; decoding never traps.
public struct ClusterUnitConfiguration: Hashable, Sendable {
    /// One LUN of the map.
    public struct LUN: Hashable, Sendable {
        /// The cluster-wide LUN number (``TargetConfiguration/lunBase`` and up).
        public var lun: UInt16
        /// The disk's NAA world wide name: how the partner finds the same disk on its path.
        public var worldWideName: UInt64
        public var blockLength: UInt32
        public var blockCount: UInt64

        public init(lun: UInt16, worldWideName: UInt64, blockLength: UInt32, blockCount: UInt64) {
            self.lun = lun
            self.worldWideName = worldWideName
            self.blockLength = blockLength
            self.blockCount = blockCount
        }
    }

    /// The LUNs, in LUN order.
    public var luns: [LUN]
    /// LUN masking, as ``TargetConfiguration/lunMasks``: which of these LUNs each client (port
    /// GUID) may reach.
    public var lunMasks: [UInt64: [UInt16]]
    /// What a client not in ``lunMasks`` may reach (nil: every LUN of the map).
    public var defaultLUNs: [UInt16]?

    public init(luns: [LUN], lunMasks: [UInt64: [UInt16]] = [:], defaultLUNs: [UInt16]? = nil) {
        self.luns = luns
        self.lunMasks = lunMasks
        self.defaultLUNs = defaultLUNs
    }

    /// The LUNs `client` may reach, out of `all`, by these masks.
    public func allowedLUNs(for client: UInt64, of all: [UInt16]) -> [UInt16] {
        let allowed = lunMasks[client] ?? defaultLUNs ?? all
        return all.filter { allowed.contains($0) }
    }
}
