import Hardware

/// How a simulated HCA reaches its host's memory.
public enum HostInterface {
    /// Across a PCI bus, as a bus master: every WQE fetch, payload read or write and CQE write
    /// is a ``PCITransaction`` that competes for the bus (so PCI contention slows RDMA, as on
    /// 2002 systems), and every doorbell is a PIO write by the host CPU through the host
    /// bridge.
    case pci(PCIBus)
    /// A host interface that is never the bottleneck (a modern PCIe slot): each DMA takes
    /// `latency`, with unlimited concurrency. For tests and scenarios about the network alone.
    case ideal(latency: TimeSpan)
}

/// The parameters of a simulated HCA.
///
/// Defaults describe a Mellanox InfiniHost (MT23108), the 2002 4X HCA on PCI-X: its
/// `ibv_query_device` limits as the `mthca` driver reports them, its PCI identity, and the
/// sizes of its work-queue and completion entries. Processing times inside the chip are not
/// published; the defaults are assumptions (marked) to be calibrated against measurements.
public struct HCAConfiguration: Sendable {
    /// Physical ports (InfiniHost: 2).
    public var portCount = 1
    /// `vendor_id`: Mellanox's IEEE OUI 0x02c9.
    public var vendorID: UInt32 = 0x02c9
    /// `vendor_part_id`: 23108 (PCI device 0x5a44, MT23108 InfiniHost), as `mthca` reports.
    public var vendorPartID: UInt32 = 23108
    /// Device limits (`ibv_device_attr`). [assumption: rounded mthca-class limits]
    public var maxQueuePairs = 65_536
    public var maxQueuePairWorkRequests = 16_384
    public var maxScatterGatherElements = 27
    public var maxCompletionQueues = 65_536
    public var maxCompletionQueueEntries = 131_071
    public var maxMemoryRegions = 131_056
    public var maxProtectionDomains = 32_764
    public var maxMemoryRegionSize: UInt64 = 1 << 40
    public var maxReadAtomic = 4
    public var maxInlineData = 256
    public var maxAddressHandles = 65_536

    /// Bytes the HCA fetches per work-queue entry. mthca's send WQE is a 16-byte next/control
    /// segment pair, a 16-byte RDMA segment and 16 bytes per scatter-gather entry: 64 bytes
    /// for one SGE, the common case. [from the mthca WQE layout; fixed, not per SGE]
    public var workQueueEntryBytes = 64
    /// Bytes the HCA writes per completion-queue entry (`struct mthca_cqe`: 32 bytes).
    public var completionEntryBytes = 32
    /// Bytes of a doorbell: one 64-bit PIO write by the host CPU.
    public var doorbellBytes = 8

    /// Time from a packet's arrival at a port to the transport's decision on it (header
    /// checks, QP context lookup). [assumption: 200 ns, to be calibrated against perftest
    /// latencies, REFERENCE.md C.3]
    public var receiveProcessingTime: TimeSpan = .nanoseconds(200)
    /// Packets one QP may have sent and not yet had acknowledged. IBA sets no window for RC;
    /// HCAs bound it by their own resources. [assumption]
    public var maxOutstandingPackets = 256
    /// A requester asks for an acknowledgement on the last packet of every message and on
    /// every this-many packets of a long one. [assumption; rxe asks on every packet it paces]
    public var ackRequestInterval = 16
    /// Packets the transmit engine of a port may have between "being read from host memory"
    /// and "handed to the network". [assumption: enough to keep a bus and a link busy]
    public var transmitPipelineDepth = 8

    public init() {}
}
