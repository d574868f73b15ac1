import Hardware

/// A span of bus memory: one element of the scatter-gather lists the RTA's DMA manager hands the CTA.
public struct BusSegment: Hashable, Sendable {
    public var address: BusAddress
    public var length: UInt32

    public init(address: BusAddress, length: UInt32) {
        self.address = address
        self.length = length
    }
}

/// Who a device is, as the DDM found it (INQUIRY and READ CAPACITY, or ATA IDENTIFY DEVICE):
/// what the UMA's hardware resource table keeps. Only the UMA sees it; the advertisement does not.
public struct DeviceIdentity: Hashable, Sendable {
    public var vendor: String
    public var product: String
    public var serialNumber: String
    /// NAA world wide name (SCSI VPD page 83h; ATA IDENTIFY words 108–111), 0 when the device has none.
    public var worldWideName: UInt64
    public var blockLength: UInt32
    public var blockCount: UInt64

    public init(vendor: String, product: String, serialNumber: String, worldWideName: UInt64, blockLength: UInt32,
                blockCount: UInt64) {
        self.vendor = vendor
        self.product = product
        self.serialNumber = serialNumber
        self.worldWideName = worldWideName
        self.blockLength = blockLength
        self.blockCount = blockCount
    }
}

/// One device behind an RTA: its index on that storage node and its identity.
public struct DeviceProfile: Hashable, Sendable {
    public var device: UInt16
    public var identity: DeviceIdentity
    /// Whether the RTA reaches it through a partner path (a B loop to the cluster partner's
    /// shelf): the UMA keeps such a device aside, by WWN, for a takeover, and does not number it.
    public var partner: Bool

    public init(device: UInt16, identity: DeviceIdentity, partner: Bool = false) {
        self.device = device
        self.identity = identity
        self.partner = partner
    }
}

/// The RTA's share of a request's time, measured on the storage node's clock.
public struct RTATimes: Hashable, Sendable {
    /// RTA residence without the device (conversion, buffers, DMA).
    public var rta: TimeSpan
    /// The device.
    public var disk: TimeSpan

    public init(rta: TimeSpan = .zero, disk: TimeSpan = .zero) {
        self.rta = rta
        self.disk = disk
    }
}

/// A block request as the CTA forwards it to an RTA: the client's request with the LUN mapped to
/// the RTA's device and the client's buffer left behind (the CTA moves the data).
public struct RTARequest: Hashable, Sendable {
    /// The CTA's transaction number, unique on the host for the host's lifetime: the RTA's
    /// transaction store keys on it, which is how a retransmitted request is recognised.
    public var transaction: UInt64
    public var connection: ConnectionID
    public var device: UInt16
    public var operation: BlockOperation
    public var lba: UInt64
    public var blocks: UInt32

    public init(transaction: UInt64, connection: ConnectionID, device: UInt16, operation: BlockOperation, lba: UInt64,
                blocks: UInt32) {
        self.transaction = transaction
        self.connection = connection
        self.device = device
        self.operation = operation
        self.lba = lba
        self.blocks = blocks
    }
}

/// The API messages between the host storage node (UMA, CTA) and an RTA, across the PCI bus.
/// Independent of the I/O format and of the network protocol. Each travels inside a residual
/// message store frame (kept until acknowledged, retransmitted, duplicates dropped).
///
/// A read: `ioRequest` → (RTA reads the device, DMA-writes the data into its buffers in host
/// memory) `dataReady` → (CTA RDMA-writes it to the client) `transferDone` (buffers released).
/// A write: `ioRequest` → `buffersReady` → (CTA RDMA-reads the client's data into them)
/// `dataPlaced` → (RTA DMA-reads it, writes the device, releases the buffers) `ioComplete`.
/// Any failure ends in `ioComplete` with the status.
///
/// Wire format (big-endian) in `AgentMessage+Codec.swift`; decoding never traps.
public enum AgentMessage: Hashable, Sendable {
    // UMA → RTA
    /// On reset: the RTA's slice of the host's data buffers (a bus window) and the size of the
    /// segments its DMA manager cuts it into.
    case attach(buffers: BusSegment, segmentSize: UInt32)
    /// Discover your devices and report them.
    case discover(generation: UInt32)
    /// A connection may now reach these devices of this RTA.
    case connectionAdd(ConnectionID, devices: [UInt16])
    /// The connection is gone: abort its transactions and release their buffers.
    case connectionRemove(ConnectionID)
    // RTA → UMA
    case resources(generation: UInt32, devices: [DeviceProfile])
    // CTA → RTA
    case ioRequest(RTARequest)
    /// Write: the client's data is in the buffers.
    case dataPlaced(transaction: UInt64)
    /// Read: the data reached the client; release the buffers.
    case transferDone(transaction: UInt64)
    // RTA → CTA
    /// Write: here are buffers for the client's data.
    case buffersReady(transaction: UInt64, [BusSegment])
    /// Read: the data is in these buffers.
    case dataReady(transaction: UInt64, [BusSegment], RTATimes)
    /// The request ended (a write's completion, or any failure).
    case ioComplete(transaction: UInt64, IOStatus, RTATimes)
    // UMA → RTA
    /// Run a persistent reservation operation on a device through its DDM (the UMA's own
    /// transaction number; a RELEASE waits until nothing is in flight on the device).
    case reservation(transaction: UInt64, device: UInt16, ReservationRequest)
    // RTA → UMA
    /// The reservation operation ended: ``IOStatus/reservationConflict`` when the device refused.
    case reservationDone(transaction: UInt64, IOStatus, ReservationResult)
}
