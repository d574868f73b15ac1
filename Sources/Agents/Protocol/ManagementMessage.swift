/// What a target advertises of one LUN: no device-specific detail (no vendor, no format).
public struct LUNProfile: Hashable, Sendable {
    public var lun: UInt16
    public var blockLength: UInt32
    public var blockCount: UInt64

    public init(lun: UInt16, blockLength: UInt32, blockCount: UInt64) {
        self.lun = lun
        self.blockLength = blockLength
        self.blockCount = blockCount
    }
}

/// One I/O controller of the unit, in the spirit of IBA device management's IOControllerProfile:
/// one per storage node, listing the LUNs behind it.
public struct IOControllerProfile: Hashable, Sendable {
    /// The controller's slot in the unit, from 1.
    public var slot: UInt8
    public var guid: UInt64
    public var luns: [LUNProfile]

    public init(slot: UInt8, guid: UInt64, luns: [LUNProfile]) {
        self.slot = slot
        self.guid = guid
        self.luns = luns
    }
}

/// A service a controller offers (IBA ServiceEntry: a name of at most 40 bytes and an ID).
public struct ServiceEntry: Hashable, Sendable {
    public static let maxNameLength = 40
    public var name: String
    public var serviceID: UInt64

    public init(name: String, serviceID: UInt64) {
        precondition(name.utf8.count <= Self.maxNameLength, "service name longer than \(Self.maxNameLength) bytes")
        self.name = name
        self.serviceID = serviceID
    }

    /// The block-storage service every iofabric target offers.
    public static let blockStorage = ServiceEntry(name: "iofabric.block", serviceID: 0x0001_4f46_0000_0001)
}

/// The unit's summary (IBA IOUnitInfo): how many controllers, and a change ID bumped whenever
/// the advertisement changes (a takeover adds LUNs).
public struct IOUnitInfo: Hashable, Sendable {
    public var changeID: UInt16
    public var controllerCount: UInt8

    public init(changeID: UInt16, controllerCount: UInt8) {
        self.changeID = changeID
        self.controllerCount = controllerCount
    }
}

/// Everything a target advertises: what the UMA hands the TTS, and what a client's queries rebuild.
public struct IOUnitAdvertisement: Hashable, Sendable {
    public var unitGUID: UInt64
    public var changeID: UInt16
    public var controllers: [IOControllerProfile]
    public var services: [ServiceEntry]

    public init(unitGUID: UInt64, changeID: UInt16, controllers: [IOControllerProfile], services: [ServiceEntry]) {
        self.unitGUID = unitGUID
        self.changeID = changeID
        self.controllers = controllers
        self.services = services
    }

    /// Every LUN of every controller, in slot order.
    public var luns: [LUNProfile] { controllers.flatMap(\.luns) }
}

/// A device-management query (IBA DM: Get(IOUnitInfo), Get(IOControllerProfile), Get(ServiceEntries)).
public enum DeviceManagementQuery: Hashable, Sendable {
    case ioUnitInfo
    case ioControllerProfile(slot: UInt8)
    case serviceEntries(slot: UInt8)
}

/// The answer to a ``DeviceManagementQuery``.
public enum DeviceManagementReply: Hashable, Sendable {
    case ioUnitInfo(IOUnitInfo, unitGUID: UInt64)
    case ioControllerProfile(IOControllerProfile)
    case serviceEntries(slot: UInt8, [ServiceEntry])
    /// No controller in that slot.
    case noSuchController(slot: UInt8)
}

/// A transport endpoint's address as it crosses the wire in connection management: opaque
/// bytes that only the TTS of that network protocol interprets (a LID on InfiniBand, a GID on
/// RoCE), the QP number and the first packet sequence number.
public struct TransportEndpoint: Hashable, Sendable {
    public static let maxAddressLength = 16
    public var address: [UInt8]
    public var queuePairNumber: UInt32
    public var packetSequenceNumber: UInt32

    public init(address: [UInt8], queuePairNumber: UInt32, packetSequenceNumber: UInt32) {
        precondition(address.count <= Self.maxAddressLength, "transport address longer than \(Self.maxAddressLength) bytes")
        self.address = address
        self.queuePairNumber = queuePairNumber
        self.packetSequenceNumber = packetSequenceNumber
    }
}

/// What a client asks for when it connects, without any address: what the UMA decides on.
public struct ConnectionOffer: Hashable, Sendable {
    /// The client's port GUID (its identity for LUN masking).
    public var clientGUID: UInt64
    public var serviceID: UInt64
    /// The LUNs it wants; empty asks for every LUN it may have.
    public var requestedLUNs: [UInt16]
    /// Its registered memory the target may move data into and out of.
    public var regions: [RemoteBuffer]
    /// Requests it wants to keep outstanding.
    public var maxOutstanding: UInt16

    public init(clientGUID: UInt64, serviceID: UInt64, requestedLUNs: [UInt16], regions: [RemoteBuffer], maxOutstanding: UInt16) {
        self.clientGUID = clientGUID
        self.serviceID = serviceID
        self.requestedLUNs = requestedLUNs
        self.regions = regions
        self.maxOutstanding = maxOutstanding
    }
}

/// What the target granted a connection.
public struct ConnectionGrant: Hashable, Sendable {
    public var luns: [UInt16]
    /// The largest request, in bytes, the target accepts.
    public var maxTransferBytes: UInt32
    public var maxOutstanding: UInt16

    public init(luns: [UInt16], maxTransferBytes: UInt32, maxOutstanding: UInt16) {
        self.luns = luns
        self.maxTransferBytes = maxTransferBytes
        self.maxOutstanding = maxOutstanding
    }
}

/// Why a target refused a connection.
public enum ConnectRejectReason: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case unknownService = 1
    /// The client may reach none of the LUNs it asked for.
    case noLUNsGranted = 2
    case noResources = 3
    /// The target is not ready (still discovering, or taking over).
    case notReady = 4

    public var description: String {
        switch self {
        case .unknownService: "unknown service"
        case .noLUNsGranted: "no LUNs granted"
        case .noResources: "no resources"
        case .notReady: "not ready"
        }
    }
}

/// Datagrams between transports on the management path (UD): device-management queries and
/// connection management. Every one carries a transaction ID the answer echoes (as a MAD's TID).
///
/// Wire format (big-endian) in `ManagementMessage+Codec.swift`; decoding never traps.
public enum ManagementMessage: Hashable, Sendable {
    case query(transaction: UInt64, DeviceManagementQuery)
    case reply(transaction: UInt64, DeviceManagementReply)
    /// A client asks to connect: its endpoint (address, QPN, PSN) and its offer.
    case connectRequest(transaction: UInt64, endpoint: TransportEndpoint, offer: ConnectionOffer)
    /// The target accepted: its endpoint and what it granted.
    case connectReply(transaction: UInt64, connection: ConnectionID, endpoint: TransportEndpoint, grant: ConnectionGrant)
    case connectReject(transaction: UInt64, reason: ConnectRejectReason)
    case disconnectRequest(transaction: UInt64, connection: ConnectionID)
    case disconnectReply(transaction: UInt64, connection: ConnectionID)
}
