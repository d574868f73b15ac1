/// The resource limits of a real RDMA device (`struct ibv_device_attr`, the fields the real
/// backend sizes its queues from).
public struct RDMADeviceLimits: Hashable, Sendable {
    /// The most queue pairs (`max_qp`).
    public var maxQueuePairs: Int
    /// The most outstanding work requests on one send or receive queue (`max_qp_wr`).
    public var maxQueuePairWorkRequests: Int
    /// The most scatter-gather elements in one send or receive work request (`max_sge`).
    public var maxScatterGatherElements: Int
    /// The most scatter-gather elements in one RDMA READ (`max_sge_rd`).
    public var maxReadScatterGatherElements: Int
    /// The most completion queues (`max_cq`).
    public var maxCompletionQueues: Int
    /// The most entries in one completion queue (`max_cqe`).
    public var maxCompletionQueueEntries: Int
    /// The most memory regions (`max_mr`).
    public var maxMemoryRegions: Int
    /// The largest memory region, in bytes (`max_mr_size`).
    public var maxMemoryRegionSize: UInt64
    /// The most protection domains (`max_pd`).
    public var maxProtectionDomains: Int
    /// The most RDMA READ and atomic operations one QP serves at once as a responder (`max_qp_rd_atom`).
    public var maxQueuePairReadAtomic: Int
    /// The most RDMA READ and atomic operations one QP has outstanding as an initiator (`max_qp_init_rd_atom`).
    public var maxQueuePairInitiatorReadAtomic: Int
    /// The most shared receive queues (`max_srq`).
    public var maxSharedReceiveQueues: Int
    /// The most work requests in one shared receive queue (`max_srq_wr`).
    public var maxSharedReceiveQueueWorkRequests: Int
    /// The most address handles (`max_ah`).
    public var maxAddressHandles: Int
    /// The most memory windows (`max_mw`).
    public var maxMemoryWindows: Int
    /// The most partition keys per port (`max_pkeys`).
    public var maxPartitionKeys: Int
    /// Atomic operation support (`enum ibv_atomic_cap`): 0 none, 1 within this HCA, 2 global.
    public var atomicCapability: Int32
    /// The memory page sizes the device supports, one bit per size (`page_size_cap`).
    public var pageSizeCapability: UInt64
    /// The device capability bits (`device_cap_flags`, `IBV_DEVICE_*`).
    public var capabilityFlags: UInt32
    /// The local CA ACK delay: 4.096 µs × 2^`localCAAckDelay` (`local_ca_ack_delay`).
    public var localCAAckDelay: UInt8

    /// Limits from their values, one per `struct ibv_device_attr` field.
    public init(
        maxQueuePairs: Int, maxQueuePairWorkRequests: Int, maxScatterGatherElements: Int,
        maxReadScatterGatherElements: Int, maxCompletionQueues: Int, maxCompletionQueueEntries: Int,
        maxMemoryRegions: Int, maxMemoryRegionSize: UInt64, maxProtectionDomains: Int,
        maxQueuePairReadAtomic: Int, maxQueuePairInitiatorReadAtomic: Int, maxSharedReceiveQueues: Int,
        maxSharedReceiveQueueWorkRequests: Int, maxAddressHandles: Int, maxMemoryWindows: Int,
        maxPartitionKeys: Int, atomicCapability: Int32, pageSizeCapability: UInt64, capabilityFlags: UInt32,
        localCAAckDelay: UInt8
    ) {
        self.maxQueuePairs = maxQueuePairs
        self.maxQueuePairWorkRequests = maxQueuePairWorkRequests
        self.maxScatterGatherElements = maxScatterGatherElements
        self.maxReadScatterGatherElements = maxReadScatterGatherElements
        self.maxCompletionQueues = maxCompletionQueues
        self.maxCompletionQueueEntries = maxCompletionQueueEntries
        self.maxMemoryRegions = maxMemoryRegions
        self.maxMemoryRegionSize = maxMemoryRegionSize
        self.maxProtectionDomains = maxProtectionDomains
        self.maxQueuePairReadAtomic = maxQueuePairReadAtomic
        self.maxQueuePairInitiatorReadAtomic = maxQueuePairInitiatorReadAtomic
        self.maxSharedReceiveQueues = maxSharedReceiveQueues
        self.maxSharedReceiveQueueWorkRequests = maxSharedReceiveQueueWorkRequests
        self.maxAddressHandles = maxAddressHandles
        self.maxMemoryWindows = maxMemoryWindows
        self.maxPartitionKeys = maxPartitionKeys
        self.atomicCapability = atomicCapability
        self.pageSizeCapability = pageSizeCapability
        self.capabilityFlags = capabilityFlags
        self.localCAAckDelay = localCAAckDelay
    }
}
