import Hardware

/// The remote transport agent: the software of one storage node, between the host storage node
/// (UMA and CTA, across the bus) and the node's devices (through their ``DeviceDriver``s).
///
/// - Connection manager: which connections may use which devices (`connectionAdd` / `connectionRemove`).
/// - Transaction store table, keyed by the CTA's transaction number: a request seen again while
///   it runs, or after it finished (among the last ``RTAConfiguration/finishedTransactionMemory``),
///   is never executed twice; it is counted in ``RTAStatistics/duplicateRequests``, and a
///   finished one is answered with its final message again. The final message of a read that
///   ended normally (with `transferDone`) is `ioComplete(.good)`; of an aborted request,
///   `ioComplete(.rejected(.unavailable))`.
/// - I/O converter: ``RTARequest`` ⇄ ``DeviceDriver`` calls, ``DeviceResult`` → ``IOStatus``;
///   refuses (`ioComplete(.rejected(_))`) an unknown connection (`unknownConnection`), a device
///   not granted to it (`lunNotGranted`), a device index with no driver or not identified by
///   `discover`, or before `attach` (`unavailable`), and a read or write of zero blocks, past
///   the device's end or longer than ``RTAConfiguration/maxTransferBytes`` or the buffers
///   (`invalidRange`).
/// - DMA manager: the buffer window of `attach` cut into segments; a read or write waits in
///   FIFO order until enough are free (never fails for that); data crosses the bus in DMA
///   transfers of at most the channel's maximum, each retried up to
///   ``RTAConfiguration/maxDMAAttempts`` times before the request ends in `transferFailed`.
///   Buffers are released on `transferDone`, at a write's completion, on failure, and when the
///   connection is removed (once the DMA already issued has completed).
/// - CTA interface / I/O interface: a ``ResidualMessageStore`` on the bus channel; the host is
///   whoever sent `attach`.
///
/// - Reservations: the UMA's `reservation` messages run through the device's DDM and are
///   answered `reservationDone`; a RELEASE first waits until no request of any connection and
///   no driver operation is in flight on the device (a giveback must not let a late write of
///   the taker reach the disk after it let go).
/// - Partner devices (``init(name:runtime:channel:drivers:partnerDrivers:configuration:)``):
///   reached through a B loop; reported with ``DeviceProfile/partner``.
///
/// Messages, completions and timers all arrive on the runtime's loop; nothing blocks.
public final class RemoteTransportAgent {
    public let name: String
    public let configuration: RTAConfiguration
    public internal(set) var statistics = RTAStatistics()
    /// The host endpoint: the sender of the last `attach`.
    public internal(set) var host: BusEndpoint?

    let runtime: any NodeRuntime
    let channel: any BusChannel
    /// The primary drivers, then the partner drivers (indices ``primaryDeviceCount`` and up).
    let drivers: [any DeviceDriver]
    /// Drivers below this index reach this system's own shelf; the others a partner's disk.
    public let primaryDeviceCount: Int
    var store: ResidualMessageStore?

    // Connection manager: lookups only, never iterated.
    var grants: [ConnectionID: Set<UInt16>] = [:]
    // Devices as the last identify of each found them (index = position in `drivers`).
    var identities: [DeviceIdentity?]
    var discovery: (generation: UInt32, remaining: Int, found: [DeviceIdentity?])?

    // Transaction store table.
    var transactions: [UInt64: RTATransaction] = [:]
    var finished: RTAFinishedTransactions

    // DMA manager.
    var pool: RTABufferPool?
    var poolGeneration: UInt32 = 0
    /// Transactions waiting for buffers, first come first served.
    var bufferQueue: [UInt64] = []
    var bufferQueueHead = 0
    /// Transactions with DMA the channel refused (queue full), to issue again.
    var dmaBlocked: [UInt64] = []
    var dmaRetryTimer: TimerHandle?
    /// Set while aborting a batch of transactions.
    var servingBuffersSuspended = false

    var nextTag: UInt64 = 1
    var deviceOperations: [UInt64: RTADeviceOperation] = [:]
    /// Driver operations outstanding per device (requests, identifies, reservations).
    var deviceBusy: [Int]
    /// Reservation transactions of the UMA being worked on (lookups only).
    var activeReservations: Set<UInt64> = []
    /// RELEASEs waiting for their device to go idle, in arrival order.
    var heldReleases: [(transaction: UInt64, device: Int, request: ReservationRequest)] = []
    var dmaOperations: [UInt64: (transaction: UInt64, chunk: Int)] = [:]

    /// An RTA driving `drivers` (this system's own shelf) and `partnerDrivers` (a cluster
    /// partner's disks reached through a B loop; their device indices follow the primary ones,
    /// and their profiles say ``DeviceProfile/partner``).
    public init(name: String, runtime: any NodeRuntime, channel: any BusChannel, drivers: [any DeviceDriver],
                partnerDrivers: [any DeviceDriver] = [], configuration: RTAConfiguration = RTAConfiguration()) {
        let drivers = drivers + partnerDrivers
        precondition(drivers.count <= AgentMessage.maxProfiles, "\(name): more drivers than a resources message lists")
        precondition(configuration.maxDMAAttempts >= 1 && configuration.maxTransferBytes >= 1, "bad RTA configuration")
        self.name = name
        self.runtime = runtime
        self.channel = channel
        self.drivers = drivers
        primaryDeviceCount = drivers.count - partnerDrivers.count
        deviceBusy = Array(repeating: 0, count: drivers.count)
        self.configuration = configuration
        identities = Array(repeating: nil, count: drivers.count)
        finished = RTAFinishedTransactions(limit: configuration.finishedTransactionMemory)
    }

    /// Starts the agent: it becomes its channel's message receiver and its drivers' delegate.
    public func start() {
        precondition(store == nil, "\(name) started twice")
        let store = ResidualMessageStore(name: name + ".rms", channel: channel, runtime: runtime,
                                         configuration: configuration.residualStore)
        store.delegate = self
        self.store = store
        for driver in drivers { driver.delegate = self }
    }

    /// The residual message store's counters.
    public var messageStoreStatistics: ResidualStoreStatistics { store?.statistics ?? ResidualStoreStatistics() }

    /// Requests in the transaction store that have not finished.
    public var activeTransactions: Int { transactions.count }

    /// Segments of the attached buffer window, in use or free.
    public var bufferSegments: Int { pool?.count ?? 0 }

    func makeTag() -> UInt64 {
        defer { nextTag &+= 1 }
        return nextTag
    }

    func send(_ message: AgentMessage) {
        guard let host, let store else { return }
        store.send(message.encoded(), to: host)
    }

    // MARK: - Messages

    func handle(_ message: AgentMessage, from peer: BusEndpoint) {
        if case .attach(let buffers, let segmentSize) = message {
            attach(buffers, segmentSize: segmentSize, from: peer)
            return
        }
        guard peer == host else {
            statistics.unexpectedMessages += 1
            return
        }
        switch message {
        case .attach:
            preconditionFailure("handled above")
        case .discover(let generation):
            discover(generation)
        case .connectionAdd(let connection, let devices):
            grants[connection, default: []].formUnion(devices)
        case .connectionRemove(let connection):
            grants[connection] = nil
            abortTransactions { $0.request.connection == connection }
        case .ioRequest(let request):
            received(request)
        case .dataPlaced(let transaction):
            dataPlaced(transaction)
        case .transferDone(let transaction):
            transferDone(transaction)
        case .reservation(let transaction, let device, let request):
            reservationReceived(transaction, device: device, request)
        case .resources, .buffersReady, .dataReady, .ioComplete, .reservationDone:
            statistics.unexpectedMessages += 1
        }
    }

    /// Takes the buffer window; a second attach (the host restarted) abandons everything of
    /// the previous one: transactions, grants, and messages still unacknowledged.
    private func attach(_ buffers: BusSegment, segmentSize: UInt32, from peer: BusEndpoint) {
        guard segmentSize > 0, buffers.length >= segmentSize,
            buffers.address.rawValue <= UInt64.max - UInt64(buffers.length)
        else {
            statistics.unexpectedMessages += 1
            return
        }
        if let previous = host, pool != nil {
            abortTransactions { _ in true }
            grants = [:]
            heldReleases = []
            activeReservations = []
            store?.discardPending(to: previous)
        }
        host = peer
        poolGeneration &+= 1
        pool = RTABufferPool(window: buffers, segmentSize: segmentSize, generation: poolGeneration)
        statistics.buffersInUse = 0
    }

    /// The longest message the store carries.
    var maxMessagePayload: Int { store?.maxPayloadSize ?? 0 }

    /// The most segments one request may hold: the pool, and what a `dataReady` can list.
    var maxSegmentsPerRequest: Int {
        guard let pool else { return 0 }
        let fitting = (maxMessagePayload - AgentMessage.headerSize - 8 - 2 - 16) / 12
        return min(pool.count, AgentMessage.maxSegments, fitting)
    }
}

/// What a device operation's tag stands for.
enum RTADeviceOperation {
    case identify(generation: UInt32, index: Int)
    case request(transaction: UInt64, device: Int)
    case reservation(transaction: UInt64, device: Int)

    var device: Int {
        switch self {
        case .identify(_, let index): index
        case .request(_, let device), .reservation(_, let device): device
        }
    }
}

extension RemoteTransportAgent: ResidualMessageStoreDelegate {
    public func residualStore(_ store: ResidualMessageStore, received payload: [UInt8], from peer: BusEndpoint) {
        let message: AgentMessage
        do {
            message = try AgentMessage(decoding: payload)
        } catch {
            statistics.malformedMessages += 1
            return
        }
        handle(message, from: peer)
    }

    public func residualStore(_ store: ResidualMessageStore, peerUnreachable peer: BusEndpoint) {
        guard peer == host else { return }
        statistics.hostUnreachable += 1
        abortTransactions { _ in true }
    }
}
