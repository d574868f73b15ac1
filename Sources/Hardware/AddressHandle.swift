/// The global routing part of an address (`struct ibv_global_route`): needed across subnets,
/// and always on Ethernet (RoCE).
public struct GlobalRoute: Hashable, Sendable {
    /// The destination GID.
    public var destinationGID: GID
    /// The IPv6-style flow label (20 bits).
    public var flowLabel: UInt32
    /// The index of the source GID in the local port's GID table.
    public var sourceGIDIndex: UInt8
    /// The hop limit (TTL).
    public var hopLimit: UInt8
    /// The traffic class.
    public var trafficClass: UInt8

    public init(
        destinationGID: GID, flowLabel: UInt32 = 0, sourceGIDIndex: UInt8 = 0, hopLimit: UInt8 = 1,
        trafficClass: UInt8 = 0
    ) {
        self.destinationGID = destinationGID
        self.flowLabel = flowLabel
        self.sourceGIDIndex = sourceGIDIndex
        self.hopLimit = hopLimit
        self.trafficClass = trafficClass
    }
}

/// The path to a destination port (`struct ibv_ah_attr`): the primary path of a connected QP
/// (``QueuePairAttributes/addressVector``) or the destination of UD sends (``AddressHandle``).
public struct AddressHandleAttributes: Hashable, Sendable {
    /// The destination LID; ignored on Ethernet.
    public var destinationLID: UInt16
    /// The service level (0…15), which selects a virtual lane.
    public var serviceLevel: UInt8
    /// The source path bits: which of the local port's `2^lmc` LIDs to send from.
    public var sourcePathBits: UInt8
    /// The static rate limit (`enum ibv_rate` encoding); 0 means the port's full rate.
    public var staticRate: UInt8
    /// The local port to send from (1-based).
    public var port: UInt8
    /// Global routing; nil sends without a GRH (`is_global = 0`).
    public var globalRoute: GlobalRoute?

    public init(
        destinationLID: UInt16, serviceLevel: UInt8 = 0, sourcePathBits: UInt8 = 0, staticRate: UInt8 = 0,
        port: UInt8 = 1, globalRoute: GlobalRoute? = nil
    ) {
        self.destinationLID = destinationLID
        self.serviceLevel = serviceLevel
        self.sourcePathBits = sourcePathBits
        self.staticRate = staticRate
        self.port = port
        self.globalRoute = globalRoute
    }
}

/// An address handle (`struct ibv_ah`) made by ``ProtectionDomain/createAddressHandle(_:)``:
/// the destination of UD sends, as a value that can travel in a ``SendWorkRequest``.
///
/// The backend maps ``rawValue`` to its own handle (an `ibv_ah *` on real hardware); the
/// attributes are kept for logs and for the simulator's routing.
public struct AddressHandle: Hashable, Sendable {
    /// The backend's identifier of the handle; meaningful only to the domain that made it.
    public var rawValue: UInt64
    /// The path the handle was made with.
    public var attributes: AddressHandleAttributes

    public init(rawValue: UInt64, attributes: AddressHandleAttributes) {
        self.rawValue = rawValue
        self.attributes = attributes
    }
}
