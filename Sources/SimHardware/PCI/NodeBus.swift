import Hardware
import SimCore

/// The node bus in simulation: the PCI data bus between a host storage node and its storage
/// nodes, with the shared bus address space and the endpoints' ``SimBusChannel``s.
///
/// Every bus operation is a ``PCITransaction`` of its real byte count on the issuing
/// endpoint's own PCI master of ``pciBus``, so bus contention, the latency timer and
/// ``PCIFaultRule``s apply to it:
/// - a message is a memory write of its length into the destination's inbound queue
///   (``NodeBusConfiguration/messagePort(of:)``);
/// - a DMA write is a memory write, a DMA read a memory read, at the window's bus address.
///
/// Effects happen when the transaction ends: a completed message enters the destination's
/// inbound queue (its receiver is called on a later turn of the destination's loop), a
/// completed DMA write copies its bytes into the window's memory, a completed DMA read copies
/// them out. An aborted transaction, or one with a parity error, changes nothing. Checks
/// decided at issue time (no window, wrong access, unknown or failed destination, no receiver)
/// put no transaction on the bus; their completion waits behind the endpoint's earlier
/// operations, so every endpoint's completions arrive in issue order.
///
/// Completions and deliveries each run as their own event: on the endpoint's ``NodeRuntime``
/// (a zero-delay timer) when it was attached with one, else as an event of this component.
///
/// - Note: A failed endpoint (``fail(endpoint:)``) stops answering: operations addressed to
///   its messages or windows master-abort, and its own channel throws
///   ``BusChannelError/channelClosed``. Its operations already on the bus finish. Its windows
///   and receiver stay as they were, so ``repair(endpoint:)`` models a node that stopped and
///   resumed; a reboot is the agents' business (they remove windows and set the receiver again).
public final class NodeBus: SimComponent {
    public let name: String
    /// The PCI bus the operations run on.
    public let pciBus: PCIBus
    public let configuration: NodeBusConfiguration
    let simulator: Simulator
    private var id = ComponentID(index: 0)
    var endpoints: [NodeBusEndpoint] = []
    var addressSpace: BusAddressSpace<any MemoryBuffer>

    /// A turn of an endpoint's loop; the payload is a ``LoopWork`` token.
    static let loopWork = EventKind(rawValue: 1)

    /// A bus over `pciBus`, registered with `simulator` as `name` (e.g. `"red.nodebus"`).
    public init(
        name: String, pciBus: PCIBus, configuration: NodeBusConfiguration = NodeBusConfiguration(),
        simulator: Simulator
    ) {
        self.name = name
        self.pciBus = pciBus
        self.configuration = configuration
        self.simulator = simulator
        addressSpace = BusAddressSpace(
            base: configuration.windowBase, limit: configuration.addressLimit, alignment: configuration.windowAlignment)
        id = simulator.register(self, name: name)
    }

    // MARK: Endpoints

    /// Attaches an endpoint (the host storage node, a storage node) and returns its channel.
    ///
    /// Endpoints are numbered 1, 2, 3… in attach order; each is one PCI master of ``pciBus``,
    /// named `<bus name>.<endpoint name>`.
    ///
    /// - Parameter runtime: the endpoint node's loop, on which its completions and received
    ///   messages are delivered; it must run on this bus's simulator. Nil: the bus's own events.
    public func attach(endpoint name: String, runtime: (any NodeRuntime)?) -> SimBusChannel {
        precondition(endpoints.count < Int(UInt16.max), "too many bus endpoints")
        var endpoint = NodeBusEndpoint(name: name, runtime: runtime)
        endpoint.master = pciBus.attachMaster(named: self.name + "." + name, handler: self)
        endpoints.append(endpoint)
        return SimBusChannel(bus: self, endpoint: BusEndpoint(rawValue: UInt16(endpoints.count)))
    }

    /// Every attached endpoint, ascending.
    public var attachedEndpoints: [BusEndpoint] {
        endpoints.indices.map { BusEndpoint(rawValue: UInt16($0 + 1)) }
    }

    /// The index of `endpoint` in `endpoints`, if it is attached.
    func index(of endpoint: BusEndpoint) -> Int? {
        let index = Int(endpoint.rawValue) - 1
        return endpoints.indices.contains(index) ? index : nil
    }

    private func attachedIndex(_ endpoint: BusEndpoint) -> Int {
        guard let index = index(of: endpoint) else { preconditionFailure("\(name): no endpoint \(endpoint)") }
        return index
    }

    /// The name `endpoint` was attached under.
    public func name(of endpoint: BusEndpoint) -> String { endpoints[attachedIndex(endpoint)].name }

    /// The PCI master carrying `endpoint`'s transactions, to aim ``PCIFaultRule``s at them.
    public func masterID(of endpoint: BusEndpoint) -> PCIMasterID { endpoints[attachedIndex(endpoint)].master }

    /// What `endpoint` has done so far.
    public func statistics(of endpoint: BusEndpoint) -> NodeBusEndpointStatistics {
        endpoints[attachedIndex(endpoint)].statistics
    }

    /// Operations `endpoint` has issued and not yet seen complete.
    public func outstandingOperations(of endpoint: BusEndpoint) -> Int { endpoints[attachedIndex(endpoint)].outstanding }

    /// Windows currently exposed on the bus.
    public var windowCount: Int { addressSpace.liveWindowCount }

    // MARK: Faults

    /// `endpoint` stops answering (its node crashed or hung): see the type's note.
    public func fail(endpoint: BusEndpoint) {
        endpoints[attachedIndex(endpoint)].failed = true
    }

    /// `endpoint` answers again, with the windows and receiver it had.
    public func repair(endpoint: BusEndpoint) {
        endpoints[attachedIndex(endpoint)].failed = false
    }

    /// Whether `endpoint` is failed.
    /// The node behind `endpoint` rebooted: its operations in flight and the messages waiting
    /// for it are forgotten (nothing more is delivered to the agents it had), its windows are
    /// withdrawn, it has no receiver, and it works again. Its number stays the same.
    public func reset(endpoint: BusEndpoint) {
        let index = attachedIndex(endpoint)
        var fresh = NodeBusEndpoint(name: endpoints[index].name, runtime: endpoints[index].runtime)
        fresh.master = endpoints[index].master
        fresh.statistics = endpoints[index].statistics
        fresh.firstSequence = endpoints[index].nextSequence
        endpoints[index] = fresh
        addressSpace.removeAll(owner: index)
    }

    public func isFailed(_ endpoint: BusEndpoint) -> Bool { endpoints[attachedIndex(endpoint)].failed }

    // MARK: Loop turns

    /// What a turn of an endpoint's loop does.
    enum LoopWork: UInt64 {
        /// Deliver the endpoint's completions that are ready, in issue order.
        case complete = 1
        /// Hand the oldest message of the endpoint's inbound queue to its receiver.
        case deliver = 2
    }

    /// Schedules `work` for endpoint `index` as its own zero-delay event, on the endpoint's
    /// runtime if it has one.
    func post(_ work: LoopWork, for index: Int) {
        let token = work.rawValue << 32 | UInt64(index)
        if let runtime = endpoints[index].runtime {
            runtime.scheduleTimer(after: .zero, handler: self, token: token)
        } else {
            simulator.schedule(Self.loopWork, for: id, after: .zero, payload: token)
        }
    }

    private func perform(_ token: UInt64) {
        let index = Int(token & 0xFFFF_FFFF)
        switch LoopWork(rawValue: token >> 32) {
        case .complete?: completeReady(of: index)
        case .deliver?: deliverNext(to: index)
        case nil: preconditionFailure("\(name): unknown loop work \(token)")
        }
    }

    public func handle(_ event: Event, in simulator: Simulator) {
        precondition(event.kind == Self.loopWork, "unexpected event for a node bus")
        perform(event.payload)
    }
}

extension NodeBus: TimerHandler {
    /// A turn of an endpoint's runtime that the bus scheduled (for the runtimes only).
    public func timerFired(_ token: UInt64) { perform(token) }
}
