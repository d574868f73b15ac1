/// The limits and identity of an opened RDMA device (`struct ibv_device_attr`, a subset).
///
/// Agents size their queues from these; a request beyond a limit fails with
/// ``VerbsError/invalidArgument(_:)`` or ``VerbsError/resourceExhausted(_:)``.
public struct VerbsDeviceAttributes: Hashable, Sendable {
    /// The firmware version string, e.g. `16.35.2000`; the simulator reports its own.
    public var firmwareVersion: String
    /// The node GUID.
    public var nodeGUID: GUID
    /// The system image GUID, shared by the HCAs of one system.
    public var systemImageGUID: GUID
    /// The IEEE vendor ID (e.g. 0x02c9 for Mellanox).
    public var vendorID: UInt32
    /// The vendor's part ID.
    public var vendorPartID: UInt32
    /// The largest memory region, in bytes.
    public var maxMemoryRegionSize: UInt64
    /// The most queue pairs.
    public var maxQueuePairs: Int
    /// The most outstanding work requests on one send or receive queue.
    public var maxQueuePairWorkRequests: Int
    /// The most scatter-gather elements in one work request.
    public var maxScatterGatherElements: Int
    /// The most completion queues.
    public var maxCompletionQueues: Int
    /// The most entries in one completion queue.
    public var maxCompletionQueueEntries: Int
    /// The most memory regions.
    public var maxMemoryRegions: Int
    /// The most protection domains.
    public var maxProtectionDomains: Int
    /// The most RDMA READ and atomic operations a QP can have outstanding as a responder
    /// (`max_qp_rd_atom`): the upper bound for ``QueuePairAttributes/maxDestinationReadAtomic``.
    public var maxQueuePairReadAtomic: Int
    /// The most RDMA READ and atomic operations a QP can have outstanding as an initiator
    /// (`max_qp_init_rd_atom`): the upper bound for ``QueuePairAttributes/maxReadAtomic``.
    public var maxQueuePairInitiatorReadAtomic: Int
    /// The most address handles.
    public var maxAddressHandles: Int
    /// The number of physical ports, numbered from 1.
    public var physicalPortCount: Int

    public init(
        firmwareVersion: String, nodeGUID: GUID, systemImageGUID: GUID, vendorID: UInt32,
        vendorPartID: UInt32, maxMemoryRegionSize: UInt64, maxQueuePairs: Int,
        maxQueuePairWorkRequests: Int, maxScatterGatherElements: Int, maxCompletionQueues: Int,
        maxCompletionQueueEntries: Int, maxMemoryRegions: Int, maxProtectionDomains: Int,
        maxQueuePairReadAtomic: Int, maxQueuePairInitiatorReadAtomic: Int, maxAddressHandles: Int,
        physicalPortCount: Int
    ) {
        self.firmwareVersion = firmwareVersion
        self.nodeGUID = nodeGUID
        self.systemImageGUID = systemImageGUID
        self.vendorID = vendorID
        self.vendorPartID = vendorPartID
        self.maxMemoryRegionSize = maxMemoryRegionSize
        self.maxQueuePairs = maxQueuePairs
        self.maxQueuePairWorkRequests = maxQueuePairWorkRequests
        self.maxScatterGatherElements = maxScatterGatherElements
        self.maxCompletionQueues = maxCompletionQueues
        self.maxCompletionQueueEntries = maxCompletionQueueEntries
        self.maxMemoryRegions = maxMemoryRegions
        self.maxProtectionDomains = maxProtectionDomains
        self.maxQueuePairReadAtomic = maxQueuePairReadAtomic
        self.maxQueuePairInitiatorReadAtomic = maxQueuePairInitiatorReadAtomic
        self.maxAddressHandles = maxAddressHandles
        self.physicalPortCount = physicalPortCount
    }
}
