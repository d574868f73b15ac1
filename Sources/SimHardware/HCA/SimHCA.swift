import Hardware
import SimCore

/// A simulated host channel adapter: the verbs objects of ``SimVerbsContext`` run on it, its
/// ports attach to a network (InfiniBand or Ethernet/RoCE v2, through ``NetworkAttachment``),
/// and it reaches host memory by DMA across the host's PCI bus (``HostInterface``).
///
/// What takes time, and where:
/// - **Doorbell**: posting a send rings a doorbell, a PIO write by the host CPU across the bus.
/// - **WQE fetch**: the HCA reads each send WQE from host memory by DMA before acting on it.
/// - **Payload**: each packet's payload is read from host memory by DMA just before it is
///   handed to the network; arriving payload is written to host memory by DMA, and the
///   packet's input-buffer space is released (credits return) only when that write is done,
///   so a slow bus back-pressures the network.
/// - **CQE**: every completion is a DMA write of a CQE before the application can poll it.
/// - **Receive processing**: ``HCAConfiguration/receiveProcessingTime`` per arriving packet.
///
/// DMA transactions of one HCA complete in the order issued (one bus master, FIFO), which is
/// what keeps data, completions and acknowledgements in order.
public final class SimHCA: SimComponent {
    /// The device name agents see, e.g. `red.hca0`.
    public let name: String
    /// The node GUID; port GUIDs are derived from it (`guid + port`).
    public let guid: GUID
    public let configuration: HCAConfiguration
    let simulator: Simulator
    private(set) var id = ComponentID(index: 0)
    let host: HostInterface
    private var dmaMaster: PCIMasterID?
    private var doorbellMaster: PCIMasterID?
    private var doorbellReceiver: (any PCIMaster)?
    private(set) var ports: [HCAPort] = []

    /// Failed by a fault: ports are down, nothing moves, verbs calls fail.
    public private(set) var failed = false
    /// The verbs context is closed (or the device failed): calls throw ``VerbsError/deviceClosed``.
    var contextClosed: Bool { failed || contextIsClosed }
    /// How many times the device came back with ``restart()``: verbs objects remember the
    /// incarnation they were made in and are dead in any other.
    public private(set) var incarnation = 0
    /// Whether objects made in `incarnation` are unusable: the device failed, the context was
    /// closed, or the device restarted since.
    func isClosed(for incarnation: Int) -> Bool { contextClosed || incarnation != self.incarnation }
    var contextIsClosed = false
    weak var asyncHandler: (any VerbsAsyncEventHandler)?

    // Resources. Slots are indexed by key index / QPN offset; never iterate a dictionary.
    private var regions: [SimMemoryRegion?] = [nil]
    private var regionGenerations: [UInt8] = [0]
    private var freeRegionSlots: [Int] = []
    private var nextRegionAddress: UInt64 = SimHCA.firstRegionAddress
    private(set) var liveRegions = 0
    var queuePairs: [SimQueuePair?] = []
    /// The first QP number handed out on a fresh (or restarted) HCA; QPNs 0 and 1 are the
    /// special QPs (SMI, GSI). QPNs are then allocated in creation order, so a program that
    /// creates its QPs in a fixed order on a fresh device knows their numbers in advance (the
    /// cluster's predetermined slam-connect endpoint relies on it).
    public static let firstQueuePairNumber: UInt32 = 0x48
    /// The key (lkey = rkey) of the first memory region registered on a fresh (or restarted)
    /// HCA: key index 1 (index 0 is never used), generation 0.
    public static let firstRegionKey: UInt32 = 1 << 8
    /// The address of the first memory region registered on a fresh (or restarted) HCA;
    /// later regions follow at page-aligned addresses.
    public static let firstRegionAddress: UInt64 = 0x0000_1000_0000_0000
    var completionQueueCount = 0
    var protectionDomainCount = 0

    // DMA: continuations in issue order.
    private var dmaQueue: [DMAWork] = []
    private var dmaHead = 0
    private var nextDMATag: UInt64 = 0
    /// DMA tags below this were issued before the last restart: their completions are ignored.
    private var dmaTagFloor: UInt64 = 0

    // Work deferred to the next turn of the loop (flush completions of a failed device,
    // asynchronous events), in order.
    private var deferred: [Deferred] = []
    private var deferredScheduled = false

    /// Counters for reports and tests.
    public private(set) var statistics = HCAStatistics()

    static let dmaDone = EventKind(rawValue: 1)
    static let receiveProcessed = EventKind(rawValue: 2)
    static let deferredWork = EventKind(rawValue: 3)
    static let ackTimeout = EventKind(rawValue: 4)
    static let rnrWaitOver = EventKind(rawValue: 5)
    static let doorbell = EventKind(rawValue: 6)
    static let failure = EventKind(rawValue: 7)

    /// Creates the HCA and registers it with `simulator` under `name`. Attach each port to a
    /// network with ``attach(port:to:)`` before the simulation runs.
    public init(
        name: String, guid: GUID, host: HostInterface, configuration: HCAConfiguration = HCAConfiguration(),
        simulator: Simulator
    ) {
        precondition(configuration.portCount >= 1, "an HCA has at least one port")
        self.name = name
        self.guid = guid
        self.configuration = configuration
        self.host = host
        self.simulator = simulator
        id = simulator.register(self, name: name)
        ports = (1...configuration.portCount).map { HCAPort(hca: self, number: UInt8($0)) }
        if case .pci(let bus) = host {
            dmaMaster = bus.attachMaster(named: name, handler: self)
            let receiver = DoorbellReceiver(hca: self)
            doorbellReceiver = receiver
            doorbellMaster = bus.attachMaster(named: name + ".doorbell", handler: receiver)
        }
    }

    /// The GUID of port `number` (1-based).
    public func portGUID(_ number: UInt8) -> GUID { GUID(rawValue: guid.rawValue &+ UInt64(number)) }

    /// The network endpoint of port `number` (1-based), to hand to a fabric's attach call.
    public func endpoint(port number: UInt8) -> any NetworkEndpoint { ports[Int(number) - 1] }

    /// Connects port `number` to the network through `attachment`.
    public func attach(port number: UInt8, to attachment: any NetworkAttachment) {
        ports[Int(number) - 1].attachment = attachment
    }

    /// The device as a verbs provider lists it.
    public var deviceInfo: VerbsDeviceInfo { VerbsDeviceInfo(name: name, guid: guid, nodeType: .channelAdapter) }

    // MARK: Faults

    /// The HCA fails: its ports go down, every outstanding work request completes in error
    /// (flushed; the driver generates these, the dead device writes no CQE), and the
    /// application gets a device-fatal event. Verbs calls then fail with
    /// ``VerbsError/deviceClosed``.
    public func fail() {
        guard !failed else { return }
        failed = true
        statistics.failures += 1
        for port in ports { port.attachment?.setEndpointFailed(true) }
        for case let qp? in queuePairs { qp.enterError(failing: nil, status: .workRequestFlushed) }
        dmaQueue.removeAll()
        dmaHead = 0
        raise(VerbsAsyncEvent(type: .deviceFatal, element: .device))
    }

    /// Schedules ``fail()`` at `time` (a fault from a scenario's schedule): the HCA applies it
    /// itself when the simulator reaches that time.
    public func scheduleFailure(at time: Instant) {
        precondition(time >= simulator.now, "HCA failure scheduled in the past")
        simulator.schedule(Self.failure, for: id, at: time)
    }

    /// The device comes back as a fresh one (a power cycle or a driver reset after ``fail()``,
    /// or a reset of a running device, which first fails it): no queue pairs, no regions, no
    /// domains or completion queues, QPN and key allocation from the start
    /// (``firstQueuePairNumber``, ``firstRegionKey``, ``firstRegionAddress``), ports back on
    /// their network (the link retrains; on InfiniBand the subnet manager sweeps the port
    /// again and, by its GUID-to-LID cache, gives it the same LID). Counters are kept.
    ///
    /// Verbs contexts and objects made before the restart stay dead: their calls throw
    /// ``VerbsError/deviceClosed``; open the device again.
    public func restart() {
        if !failed { fail() }
        for case let qp? in queuePairs { qp.destroyed = true }
        queuePairs = []
        regions = [nil]
        regionGenerations = [0]
        freeRegionSlots = []
        nextRegionAddress = Self.firstRegionAddress
        liveRegions = 0
        completionQueueCount = 0
        protectionDomainCount = 0
        dmaQueue.removeAll()
        dmaHead = 0
        dmaTagFloor = nextDMATag
        for port in ports { port.restart() }
        asyncHandler = nil
        contextIsClosed = true
        incarnation += 1
        failed = false
        statistics.restarts += 1
        for port in ports { port.attachment?.setEndpointFailed(false) }
    }

    // MARK: Resources

    func makeRegion(memory: any MemoryBuffer, access: MemoryAccess, domain: SimProtectionDomain) throws(VerbsError)
        -> SimMemoryRegion
    {
        guard liveRegions < configuration.maxMemoryRegions else { throw .resourceExhausted("memory regions") }
        let slot: Int
        if let reused = freeRegionSlots.popLast() {
            slot = reused
        } else {
            slot = regions.count
            regions.append(nil)
            regionGenerations.append(0)
        }
        let key = UInt32(slot) << 8 | UInt32(regionGenerations[slot])
        let region = SimMemoryRegion(
            address: nextRegionAddress, key: key, access: access, memory: memory, domain: domain)
        nextRegionAddress += (UInt64(memory.length) + 0xfff) & ~0xfff
        regions[slot] = region
        liveRegions += 1
        return region
    }

    func releaseRegion(_ region: SimMemoryRegion) {
        let slot = Int(region.lkey >> 8)
        precondition(regions[slot] === region, "released a region the HCA does not hold")
        regions[slot] = nil
        regionGenerations[slot] &+= 1
        freeRegionSlots.append(slot)
        liveRegions -= 1
    }

    /// The live region with this key, if any.
    @inline(__always)
    func region(forKey key: UInt32) -> SimMemoryRegion? {
        let slot = Int(key >> 8)
        guard slot < regions.count, let region = regions[slot], region.lkey == key else { return nil }
        return region
    }

    /// The live region containing `[address, address + count)`: a scan, for the rare inline
    /// send whose SGE names no key.
    func region(containing address: UInt64, count: Int) -> SimMemoryRegion? {
        for case let region? in regions where region.offset(of: address, count: count) != nil { return region }
        return nil
    }

    func count(_ counter: WritableKeyPath<HCAStatistics, Int>, by amount: Int = 1) {
        statistics[keyPath: counter] += amount
    }

    func makeQueuePair(
        type: QueuePairType, domain: SimProtectionDomain, sendQueue: SimCompletionQueue,
        receiveQueue: SimCompletionQueue, capabilities: QueuePairCapabilities, signalAllSends: Bool
    ) throws(VerbsError) -> SimQueuePair {
        guard queuePairs.count < configuration.maxQueuePairs else { throw .resourceExhausted("queue pairs") }
        let qpn = Self.firstQueuePairNumber + UInt32(queuePairs.count)
        let qp = SimQueuePair(
            hca: self, number: qpn, type: type, domain: domain, sendQueue: sendQueue, receiveQueue: receiveQueue,
            capabilities: capabilities, signalAllSends: signalAllSends)
        queuePairs.append(qp)
        sendQueue.users += 1
        receiveQueue.users += 1
        return qp
    }

    func forget(_ qp: SimQueuePair) {
        let index = Int(qp.queuePairNumber - Self.firstQueuePairNumber)
        queuePairs[index] = nil
        qp.sendCQ.users -= 1
        qp.receiveCQ.users -= 1
    }

    @inline(__always)
    func queuePair(number: UInt32) -> SimQueuePair? {
        guard number >= Self.firstQueuePairNumber else { return nil }
        let index = Int(number - Self.firstQueuePairNumber)
        return index < queuePairs.count ? queuePairs[index] : nil
    }

    // MARK: Packets

    /// A packet has been through receive processing on `port`: hand it to its QP.
    func receive(_ packet: TransportPacket, receipt: ReceiveReceipt, on port: HCAPort) {
        statistics.packetsReceived += 1
        statistics.payloadBytesReceived += packet.payloadLength
        guard !failed, let qp = queuePair(number: packet.destinationQP), qp.portNumber == port.number else {
            statistics.discardedPackets += 1
            port.release(receipt)
            return
        }
        qp.receive(packet, receipt: receipt, port: port)
    }

    func countSent(_ packet: TransportPacket) {
        statistics.packetsSent += 1
        statistics.payloadBytesSent += packet.payloadLength
    }

    // MARK: Doorbells and DMA

    /// The host CPU rings `qp`'s send doorbell: a PIO write across the bus, after which the
    /// HCA fetches the new WQEs.
    func ringDoorbell(for qp: SimQueuePair) {
        statistics.doorbells += 1
        switch host {
        case .pci(let bus):
            bus.request(
                PCITransaction(.memoryWrite, bytes: configuration.doorbellBytes), from: doorbellMaster!,
                tag: UInt64(qp.queuePairNumber))
        case .ideal:
            simulator.schedule(Self.doorbell, for: id, after: .zero, payload: UInt64(qp.queuePairNumber))
        }
    }

    /// Moves `bytes` between the HCA and host memory; `work` runs when the transfer is done.
    func dma(_ kind: PCITransaction.Kind, bytes: Int, then work: DMAWork) {
        dmaQueue.append(work)
        switch host {
        case .pci(let bus):
            bus.request(PCITransaction(kind, bytes: max(bytes, 1)), from: dmaMaster!, tag: nextDMATag)
        case .ideal(let latency):
            simulator.schedule(Self.dmaDone, for: id, after: latency, payload: nextDMATag)
        }
        nextDMATag &+= 1
        if kind == .memoryRead { statistics.dmaReadBytes += bytes } else { statistics.dmaWriteBytes += bytes }
    }

    private func dmaFinished(tag: UInt64, ok: Bool) {
        guard !failed, tag >= dmaTagFloor else { return }
        precondition(dmaHead < dmaQueue.count, "DMA completion with nothing outstanding")
        let work = dmaQueue[dmaHead]
        dmaQueue[dmaHead] = .none
        dmaHead += 1
        if dmaHead == dmaQueue.count {
            dmaQueue.removeAll(keepingCapacity: true)
            dmaHead = 0
        }
        if !ok { statistics.dmaErrors += 1 }
        perform(work, ok: ok)
    }

    private func perform(_ work: DMAWork, ok: Bool) {
        switch work {
        case .none:
            break
        case .wqeFetched(let qp):
            qp.sendWQEFetched(ok: ok)
        case .gathered(let port, let slot):
            ports[port].gathered(slot: slot, ok: ok)
        case .placed(let qp, let placement):
            qp.placed(placement, ok: ok)
        case .completionWritten(let cq, let completion, let solicited):
            cq.add(completion, solicited: solicited)
        }
    }

    // MARK: Deferred work

    func raise(_ event: VerbsAsyncEvent) {
        statistics.asyncEvents += 1
        postpone(.asyncEvent(event))
    }

    func postpone(_ work: Deferred) {
        deferred.append(work)
        if !deferredScheduled {
            deferredScheduled = true
            simulator.schedule(Self.deferredWork, for: id, after: .zero)
        }
    }

    private func runDeferred() {
        deferredScheduled = false
        let work = deferred
        deferred.removeAll(keepingCapacity: true)
        for item in work {
            switch item {
            case .asyncEvent(let event):
                if !contextIsClosed { asyncHandler?.verbsAsyncEvent(event) }
            case .completion(let cq, let completion):
                cq.add(completion, solicited: false)
            }
        }
    }

    // MARK: Events

    public func handle(_ event: Event, in simulator: Simulator) {
        switch event.kind {
        case Self.dmaDone:
            dmaFinished(tag: event.payload, ok: true)
        case Self.receiveProcessed:
            ports[Int(event.payload)].processNextArrival()
        case Self.deferredWork:
            runDeferred()
        case Self.ackTimeout:
            queuePair(number: UInt32(event.payload >> 32))?.ackTimerFired(generation: UInt32(truncatingIfNeeded: event.payload))
        case Self.rnrWaitOver:
            queuePair(number: UInt32(event.payload >> 32))?.rnrWaitOver(generation: UInt32(truncatingIfNeeded: event.payload))
        case Self.failure:
            fail()
        case Self.doorbell:
            if !failed { queuePair(number: UInt32(event.payload))?.doorbellArrived() }
        default:
            preconditionFailure("unexpected event \(event.kind) for HCA \(name)")
        }
    }

    /// Arms a QP timer (ACK timeout or RNR wait) as a kernel timer on this component.
    func startTimer(_ kind: EventKind, for qp: SimQueuePair, generation: UInt32, after delay: TimeSpan) -> TimerID {
        simulator.startTimer(kind, for: id, after: delay, payload: UInt64(qp.queuePairNumber) << 32 | UInt64(generation))
    }

    func scheduleReceiveProcessing(port: Int) {
        simulator.schedule(Self.receiveProcessed, for: id, after: configuration.receiveProcessingTime, payload: UInt64(port))
    }
}

extension SimHCA: PCIMaster {
    public func pciTransactionEnded(tag: UInt64, status: PCITransactionStatus) {
        guard !failed else { return }
        dmaFinished(tag: tag, ok: status == .completed)
    }
}

/// The doorbell side of an HCA on a PCI bus: the host CPU's PIO writes, reported per QP number.
private final class DoorbellReceiver: PCIMaster {
    unowned let hca: SimHCA
    init(hca: SimHCA) { self.hca = hca }

    func pciTransactionEnded(tag: UInt64, status: PCITransactionStatus) {
        // A doorbell write that fails is lost, as a PIO write with a master abort is: the
        // WQEs wait for the next doorbell of that QP.
        guard !hca.failed, status == .completed else { return }
        hca.queuePair(number: UInt32(tag))?.doorbellArrived()
    }
}

/// What to do when a DMA transfer is done.
enum DMAWork {
    case none
    /// A send WQE of this QP is in the HCA.
    case wqeFetched(SimQueuePair)
    /// The payload of a packet waiting in a port's transmit pipeline has been read.
    case gathered(port: Int, slot: Int)
    /// Received data (or nothing, for a packet without payload that must stay in order) is in
    /// host memory.
    case placed(SimQueuePair, Placement)
    /// A CQE is in host memory: the completion becomes visible to polling.
    case completionWritten(SimCompletionQueue, WorkCompletion, solicited: Bool)
}

/// Work for the next turn of the loop.
enum Deferred {
    case asyncEvent(VerbsAsyncEvent)
    case completion(SimCompletionQueue, WorkCompletion)
}

/// Counters of one HCA.
public struct HCAStatistics: Sendable, Equatable {
    public var doorbells = 0
    public var packetsSent = 0
    public var packetsReceived = 0
    public var payloadBytesSent = 0
    public var payloadBytesReceived = 0
    public var dmaReadBytes = 0
    public var dmaWriteBytes = 0
    public var dmaErrors = 0
    public var retransmittedPackets = 0
    public var timeouts = 0
    public var naksSent = 0
    public var rnrNaksSent = 0
    public var duplicatesReceived = 0
    public var discardedPackets = 0
    public var asyncEvents = 0
    public var failures = 0
    /// Times the device came back (``SimHCA/restart()``).
    public var restarts = 0
}
