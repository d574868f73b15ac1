import Hardware

/// Where a request is in the RTA. Reads go waitingForBuffers → readingDevice → writingHost →
/// awaitingTransferDone; writes go waitingForBuffers → awaitingData → readingHost →
/// writingDevice; flushes go straight to flushing. Any of them may end in draining: the request
/// failed or was aborted while DMA was still outstanding, and ends when the last one completes.
enum RTAPhase: Hashable {
    case waitingForBuffers
    case readingDevice
    /// DMA writes of the read data into the host's buffers.
    case writingHost
    /// `dataReady` sent; the CTA moves the data and says `transferDone`.
    case awaitingTransferDone
    /// `buffersReady` sent; the CTA places the client's data and says `dataPlaced`.
    case awaitingData
    /// DMA reads of the written data out of the host's buffers.
    case readingHost
    case writingDevice
    case flushing
    /// Waiting for outstanding DMA before ending with `status` (sent to the host when `notify`).
    case draining(status: IOStatus, notify: Bool)
}

/// One DMA transfer of a request: at most the channel's maximum transfer, inside one segment.
struct RTADMAChunk {
    var address: BusAddress
    /// Where its bytes sit in the request's data.
    var offset: Int
    var length: Int
    var attempts = 0
    var done = false
}

/// A request the RTA is working on: one entry of the transaction store table.
struct RTATransaction {
    let request: RTARequest
    let arrival: Instant
    /// The request's bytes (blocks × the device's block length); 0 for a flush.
    let length: Int
    var phase: RTAPhase
    /// Buffer segments held, and the pool generation they belong to.
    var segments: [Int] = []
    var poolGeneration: UInt32 = 0
    /// A read's data from the device, or a write's data from the host.
    var data: [UInt8] = []
    var diskTime: TimeSpan = .zero
    /// The tag of the device operation issued for it (0 before).
    var deviceTag: UInt64 = 0
    var chunks: [RTADMAChunk] = []
    /// Chunks to issue (first issue or retry), in order.
    var chunksToIssue: [Int] = []
    var dmaOutstanding = 0

    init(request: RTARequest, arrival: Instant, length: Int, phase: RTAPhase) {
        self.request = request
        self.arrival = arrival
        self.length = length
        self.phase = phase
    }

    var allChunksDone: Bool { chunks.allSatisfy(\.done) }
}
