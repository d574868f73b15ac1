import Hardware

/// The parameters of a storage target (the host storage node's agents).
public struct TargetConfiguration: Hashable, Sendable {
    /// The unit's GUID in its advertisement.
    public var unitGUID: UInt64 = 0x0002_c903_0000_0001
    /// Host memory for data in flight (registered with the HCA, exposed on the bus), shared
    /// equally among the RTAs. Assumption: 16 MiB, enough for 64 requests of 256 KiB.
    public var dataPoolBytes = 16 << 20
    /// The DMA manager's segment size: one scatter-gather element. Assumption: 64 KiB, the
    /// largest DMA an i960-class I/O processor's engine moved per descriptor.
    public var segmentSize = 64 << 10
    /// The largest request a connection may make, in bytes (SRP targets commonly grant 256 KiB).
    public var maxTransferBytes = 256 << 10
    /// Requests a connection may keep outstanding (its request limit, as in SRP).
    public var maxOutstandingPerConnection = 64
    /// How long the UMA waits for every RTA's resources before advertising what it has.
    public var discoveryTimeout: TimeSpan = .milliseconds(200)
    /// LUN masking: which LUNs each client (by port GUID) may reach. A client not listed may
    /// reach ``defaultLUNs`` (nil: every LUN).
    public var lunMasks: [UInt64: [UInt16]] = [:]
    public var defaultLUNs: [UInt16]? = nil
    /// The residual message store between the host and its RTAs.
    public var busLink = ResidualStoreConfiguration()
    /// The first LUN number: primary devices are numbered from it. LUNs are cluster-wide, so
    /// the second system of a cluster starts after the first's (default 0: a lone target).
    public var lunBase: UInt16 = 0
    /// Cluster mode (nil: a lone target). With a role the UMA registers its key on every disk
    /// after discovery, reserves its own, and serves nothing until told
    /// (``UnitManagementAgent/serveOwnShelf()``).
    public var cluster: ClusterRole? = nil

    public init() {}

    /// The LUNs `client` may reach, out of `all`.
    func allowedLUNs(for client: UInt64, of all: [UInt16]) -> [UInt16] {
        let allowed = lunMasks[client] ?? defaultLUNs ?? all
        return all.filter { allowed.contains($0) }
    }
}
