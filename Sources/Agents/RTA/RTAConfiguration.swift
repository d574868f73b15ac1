import Hardware

/// Tunables of a ``RemoteTransportAgent``.
public struct RTAConfiguration: Hashable, Sendable {
    /// The residual message store the RTA keeps on its bus channel.
    public var residualStore = ResidualStoreConfiguration()
    /// The longest request, in bytes. Assumption: 1 MiB (2048 blocks of 512 bytes), far above
    /// the 4–64 KiB requests of the workloads, and a bound on one request's share of the buffers.
    public var maxTransferBytes = 1 << 20
    /// Issues of one DMA transfer before the request fails with ``IOStatus/transferFailed``.
    /// Assumption: bus errors are rare and independent, so four in a row on one transfer means
    /// the path is broken, not unlucky.
    public var maxDMAAttempts = 4
    /// How many finished transactions the transaction store remembers, to answer a retransmitted
    /// request with its final message instead of executing it again. The oldest is forgotten
    /// first. Assumption: a CTA retransmits a request only while it waits for its answer, and
    /// 4096 exceeds any connection's queue depth (tens) times the connections of one RTA.
    public var finishedTransactionMemory = 4096
    /// How long to wait before issuing DMA again after the channel refused with
    /// ``BusChannelError/queueFull`` (sooner when a DMA of the RTA completes). Assumption:
    /// 2 µs, about a 256-byte transfer at 128 MB/s (REFERENCE.md C.1).
    public var busyRetryDelay: TimeSpan = .microseconds(2)

    public init() {}
}

/// Counters of a ``RemoteTransportAgent``.
public struct RTAStatistics: Hashable, Sendable {
    /// Distinct I/O requests received (retransmissions not included).
    public var requests = 0
    /// Device operations issued for requests (each request at most once).
    public var executed = 0
    /// Requests seen again while running or after they finished, and not executed again.
    public var duplicateRequests = 0
    /// Requests refused before execution (``IOStatus/rejected(_:)``).
    public var rejected = 0
    /// Requests answered with their final message: any outcome but an abort.
    public var completed = 0
    /// Requests abandoned because their connection was removed or the host went away.
    public var aborted = 0
    /// DMA transfers issued again after completing with a bus error.
    public var dmaRetries = 0
    /// Requests that failed with ``IOStatus/transferFailed`` after the DMA retries.
    public var transferFailures = 0
    /// Requests that had to wait for free buffer segments.
    public var bufferWaits = 0
    /// Segments in use now.
    public var buffersInUse = 0
    /// The most segments in use at once.
    public var peakBuffersInUse = 0
    /// Messages that failed to decode (counted and dropped).
    public var malformedMessages = 0
    /// Messages that make no sense now: from a peer that is not the host, of a kind the RTA
    /// does not receive, or naming a transaction not in the state they need.
    public var unexpectedMessages = 0
    /// Times the residual message store declared the host unreachable.
    public var hostUnreachable = 0
    /// Identified devices left out of a `resources` message that would not fit the bus's
    /// message size.
    public var devicesNotReported = 0
    /// Reservation operations received from the UMA (retransmissions not included).
    public var reservations = 0
    /// Reservation operations the device refused with RESERVATION CONFLICT.
    public var reservationConflicts = 0

    public init() {}
}
