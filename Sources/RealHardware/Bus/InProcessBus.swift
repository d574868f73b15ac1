import Hardware

/// The node bus in real mode when the host storage node's CTA and its RTAs run in one process:
/// messages and DMA are memory copies, completions and deliveries run on the endpoints'
/// ``NodeRuntime`` loops.
///
/// An operation takes effect when it is issued — a DMA write's bytes are copied into the
/// window, a DMA read's bytes copied out, a message put in the destination's inbound queue —
/// and its completion is delivered on a later turn of the issuer's loop (a zero-delay timer),
/// after the completions of that endpoint's earlier operations. So PCI ordering holds as the
/// ``BusChannel`` contract states: a message sent after a DMA write is received after the bytes
/// are in place, a DMA read sees the earlier writes. Each received message is handed to the
/// destination's receiver on its own turn of the destination's loop.
///
/// Outcomes decided at issue, as on the simulated bus: no window, or an unknown or failed
/// destination, master-aborts; a window without the needed access, a range past its end, or a
/// destination without a receiver target-aborts; nothing is touched. A message whose receiver
/// went away (or whose endpoint failed) before its delivery turn is dropped and counted.
///
/// - Warning: Not thread-safe. Every endpoint's runtime must run on one thread (one
///   ``RealNodeRuntime`` per process, typically shared by all endpoints); the cross-process
///   shared-memory channel is another type.
public final class InProcessBus {
    public let name: String
    public let configuration: InProcessBusConfiguration

    /// One operation waiting for its completion turn.
    struct PendingCompletion {
        var completion: BusCompletion
        var handler: any BusCompletionHandler
    }

    struct Endpoint {
        let name: String
        let runtime: any NodeRuntime
        var receiver: (any BusMessageReceiver)?
        var failed = false
        /// Completions not yet delivered, in issue order from `completionHead`.
        var completions: [PendingCompletion] = []
        var completionHead = 0
        var completionPosted = false
        /// Received messages not yet delivered, from `inboundHead`.
        var inbound: [(message: [UInt8], source: BusEndpoint)] = []
        var inboundHead = 0
        var statistics = InProcessBusStatistics()

        var outstanding: Int { completions.count - completionHead }
    }

    var endpoints: [Endpoint] = []
    var addressSpace: BusAddressSpace<any ProcessMemory>

    /// A bus named `name` (e.g. `"host0.bus"`).
    public init(name: String, configuration: InProcessBusConfiguration = InProcessBusConfiguration()) {
        self.name = name
        self.configuration = configuration
        addressSpace = BusAddressSpace(
            base: configuration.windowBase, limit: configuration.addressLimit, alignment: configuration.windowAlignment)
    }

    /// Attaches an endpoint (the host storage node, a storage node) whose completions and
    /// received messages run on `runtime`, and returns its channel. Endpoints are numbered 1, 2,
    /// 3… in attach order.
    public func attach(endpoint name: String, runtime: any NodeRuntime) -> InProcessBusChannel {
        precondition(endpoints.count < Int(UInt16.max), "\(self.name): too many bus endpoints")
        endpoints.append(Endpoint(name: name, runtime: runtime))
        return InProcessBusChannel(bus: self, index: endpoints.count - 1)
    }

    /// Every attached endpoint, ascending.
    public var attachedEndpoints: [BusEndpoint] {
        endpoints.indices.map { BusEndpoint(rawValue: UInt16($0 + 1)) }
    }

    func index(of endpoint: BusEndpoint) -> Int? {
        let index = Int(endpoint.rawValue) - 1
        return endpoints.indices.contains(index) ? index : nil
    }

    private func attachedIndex(_ endpoint: BusEndpoint) -> Int {
        guard let index = index(of: endpoint) else { preconditionFailure("\(name): no endpoint \(endpoint)") }
        return index
    }

    /// What `endpoint` has done so far.
    public func statistics(of endpoint: BusEndpoint) -> InProcessBusStatistics {
        endpoints[attachedIndex(endpoint)].statistics
    }

    /// Operations `endpoint` issued whose completion has not been delivered yet.
    public func outstandingOperations(of endpoint: BusEndpoint) -> Int { endpoints[attachedIndex(endpoint)].outstanding }

    /// Windows currently exposed.
    public var windowCount: Int { addressSpace.liveWindowCount }

    /// `endpoint` stops answering (its agents stopped): operations to its messages or windows
    /// master-abort, its own channel throws ``BusChannelError/channelClosed``, messages waiting
    /// for it are dropped. Completions it is owed are still delivered.
    public func fail(endpoint: BusEndpoint) { endpoints[attachedIndex(endpoint)].failed = true }

    /// `endpoint` answers again, with the windows and receiver it had.
    public func repair(endpoint: BusEndpoint) { endpoints[attachedIndex(endpoint)].failed = false }

    // MARK: Operations (for the channels)

    func checkIssuer(_ index: Int) throws(BusChannelError) {
        if endpoints[index].failed { throw .channelClosed }
        if endpoints[index].outstanding >= configuration.maxOutstandingOperations { throw .queueFull }
    }

    func send(_ message: [UInt8], from source: Int, to destination: BusEndpoint, tag: UInt64,
              handler: any BusCompletionHandler) throws(BusChannelError) {
        try checkIssuer(source)
        guard message.count <= configuration.maxMessageSize else { throw .messageTooLarge(message.count) }
        let status: BusStatus
        if let target = index(of: destination), !endpoints[target].failed {
            if endpoints[target].receiver == nil {
                status = .targetAbort
            } else {
                endpoints[target].inbound.append((message, BusEndpoint(rawValue: UInt16(source + 1))))
                endpoints[target].runtime.scheduleTimer(after: .zero, handler: self, token: Self.token(.deliver, target))
                status = .ok
            }
        } else {
            status = .masterAbort
        }
        if status == .ok {
            endpoints[source].statistics.messagesSent += 1
            endpoints[source].statistics.messageBytesSent += message.count
        }
        enqueue(BusCompletion(tag: tag, operation: .send, status: status), handler: handler, for: source)
    }

    func dma(_ kind: BusOperation, from source: Int, address: BusAddress, count: Int, bytes: [UInt8], tag: UInt64,
             handler: any BusCompletionHandler) throws(BusChannelError) {
        precondition(kind != .send)
        try checkIssuer(source)
        guard count > 0, count <= configuration.maxTransferSize else { throw .invalidTransferLength(count) }
        var completion = BusCompletion(tag: tag, operation: kind, status: .ok)
        if let found = addressSpace.resolve(address), !endpoints[found.owner].failed {
            let needed: BusWindowAccess = kind == .dmaWrite ? .write : .read
            if !found.window.access.contains(needed) || !found.window.contains(address, count: count) {
                completion.status = .targetAbort
            } else {
                let offset = found.offset + Int(address.rawValue - found.window.address.rawValue)
                if kind == .dmaWrite {
                    found.memory.write(bytes, at: offset)
                    endpoints[source].statistics.dmaBytesWritten += count
                } else {
                    completion.data = found.memory.read(offset: offset, count: count)
                    endpoints[source].statistics.dmaBytesRead += count
                }
            }
        } else {
            completion.status = .masterAbort
        }
        enqueue(completion, handler: handler, for: source)
    }

    private func enqueue(_ completion: BusCompletion, handler: any BusCompletionHandler, for index: Int) {
        endpoints[index].statistics.record(completion.status)
        endpoints[index].completions.append(PendingCompletion(completion: completion, handler: handler))
        guard !endpoints[index].completionPosted else { return }
        endpoints[index].completionPosted = true
        endpoints[index].runtime.scheduleTimer(after: .zero, handler: self, token: Self.token(.complete, index))
    }

    // MARK: Loop turns

    /// What a turn of an endpoint's loop does.
    enum LoopWork: UInt64 {
        /// Deliver the completions issued before this turn, in issue order.
        case complete = 1
        /// Hand the oldest inbound message to the receiver.
        case deliver = 2
    }

    static func token(_ work: LoopWork, _ index: Int) -> UInt64 { work.rawValue << 32 | UInt64(index) }

    /// Delivers the completions of endpoint `index` issued before this turn; those its handlers
    /// issue meanwhile wait for the next turn, so a handler retrying at once cannot spin here.
    private func completeReady(of index: Int) {
        endpoints[index].completionPosted = false
        let end = endpoints[index].completions.count
        while endpoints[index].completionHead < end {
            let pending = endpoints[index].completions[endpoints[index].completionHead]
            endpoints[index].completionHead += 1
            pending.handler.busOperationCompleted(pending.completion)
        }
        compactCompletions(of: index)
        if endpoints[index].outstanding > 0, !endpoints[index].completionPosted {
            endpoints[index].completionPosted = true
            endpoints[index].runtime.scheduleTimer(after: .zero, handler: self, token: Self.token(.complete, index))
        }
    }

    private func compactCompletions(of index: Int) {
        let head = endpoints[index].completionHead
        guard head > 0, head == endpoints[index].completions.count || head >= 64 && head * 2 >= endpoints[index].completions.count
        else { return }
        endpoints[index].completions.removeFirst(head)
        endpoints[index].completionHead = 0
    }

    private func deliverNext(to index: Int) {
        let head = endpoints[index].inboundHead
        precondition(head < endpoints[index].inbound.count, "\(name): delivery with an empty inbound queue")
        let (message, source) = endpoints[index].inbound[head]
        endpoints[index].inboundHead += 1
        if endpoints[index].inboundHead == endpoints[index].inbound.count
            || endpoints[index].inboundHead >= 64 && endpoints[index].inboundHead * 2 >= endpoints[index].inbound.count
        {
            endpoints[index].inbound.removeFirst(endpoints[index].inboundHead)
            endpoints[index].inboundHead = 0
        }
        guard !endpoints[index].failed, let receiver = endpoints[index].receiver else {
            endpoints[index].statistics.messagesLost += 1
            return
        }
        endpoints[index].statistics.messagesReceived += 1
        receiver.busMessageReceived(message, from: source)
    }
}

extension InProcessBus: TimerHandler {
    /// A turn of an endpoint's loop that the bus scheduled (for the runtimes only).
    public func timerFired(_ token: UInt64) {
        let index = Int(token & 0xFFFF_FFFF)
        switch LoopWork(rawValue: token >> 32) {
        case .complete?: completeReady(of: index)
        case .deliver?: deliverNext(to: index)
        case nil: preconditionFailure("\(name): unknown loop work \(token)")
        }
    }
}

/// What one endpoint of an ``InProcessBus`` has done.
public struct InProcessBusStatistics: Hashable, Sendable {
    /// Messages accepted for delivery, and their bytes.
    public var messagesSent = 0
    public var messageBytesSent = 0
    /// Messages handed to this endpoint's receiver.
    public var messagesReceived = 0
    /// Messages for this endpoint dropped because it failed or had no receiver at delivery.
    public var messagesLost = 0
    /// Bytes moved by this endpoint's successful DMA.
    public var dmaBytesWritten = 0
    public var dmaBytesRead = 0
    /// Completions of this endpoint's operations, by outcome.
    public var completedOK = 0
    public var masterAborts = 0
    public var targetAborts = 0

    mutating func record(_ status: BusStatus) {
        switch status {
        case .ok: completedOK += 1
        case .masterAbort: masterAborts += 1
        case .targetAbort: targetAborts += 1
        case .parityError: preconditionFailure("an in-process copy has no parity error")
        }
    }
}
