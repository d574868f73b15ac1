import Hardware
import SimCore

/// A storage node's I/O controller in virtual time: a bus master on the node's ``PCIBus``,
/// with one or more initiator ports, each on one ``FibreChannelLoop``. It hands out a
/// ``SimSCSIDevice`` (the `SCSIGenericDevice` agents see) per device reachable through each
/// port.
///
/// The data path of one request, in time:
///
///     submit ─ firmware (commandOverhead, one processor for all commands)
///            ─ write: PCI DMA memory read of the data-out, one transaction per 4 KiB
///            ─ loop: FCP_CMND (+ data) to the device ─ device ─ loop: data + FCP_RSP back
///            ─ read: PCI DMA memory write of the data-in
///            ─ firmware (completionOverhead) ─ completion, from a simulator event
///
/// Errors, with their Linux equivalents (`host_status`):
/// - a PCI DMA that ends in master or target abort: `DID_ERROR`; a parity error: `DID_PARITY`;
/// - no answer within `request.timeout`: `DID_TIME_OUT`; a late answer is discarded;
/// - the port's loop goes down, the device leaves the loop, or its OPN comes back unanswered:
///   `DID_NO_CONNECT` (what the `SCSIGenericDevice` contract says of a device that is gone;
///   Linux's FC transport reports `DID_NO_CONNECT` once the remote port is deleted). New
///   submits on such a path throw ``SCSIGenericError/deviceGone`` until the loop is back.
/// Errors complete at once (no completion firmware time), on a later event.
public final class IOController: SimComponent {
    /// The controller's name, e.g. `"red.hba0"`.
    public let name: String
    public let configuration: IOControllerConfiguration
    let simulator: Simulator
    let bus: PCIBus
    private(set) var id = ComponentID(index: 0)
    private(set) var dmaMaster = PCIMasterID(index: 0)

    struct Port {
        var loop: FibreChannelLoop
        var loopPort: LoopPortID
        var name: String
        var initiator: InitiatorID
        /// The paths handed out, in the order created.
        var devices: [SimSCSIDevice] = []
    }

    enum Phase {
        case firmware, dataOut, onLoop, dataIn, completing
    }

    /// One command in flight. A class: the data path updates a slot's fields in place many
    /// times per command, and a struct in `slots` was copied (with its request, handler and
    /// response references: retains and releases) on most of those accesses.
    final class Slot {
        let exchange: UInt64
        let device: SimSCSIDevice
        let request: SCSIRequest
        let handler: any SCSICompletionHandler
        let submitted: Instant
        let timer: TimerID
        var phase: Phase = .firmware
        var dmaPending = 0
        var dmaFailure: PCITransactionStatus?
        var dmaStarted = Instant.zero
        var response: DriveResponse?

        init(exchange: UInt64, device: SimSCSIDevice, request: SCSIRequest, handler: any SCSICompletionHandler,
             submitted: Instant, timer: TimerID) {
            self.exchange = exchange
            self.device = device
            self.request = request
            self.handler = handler
            self.submitted = submitted
            self.timer = timer
        }
    }

    var ports: [Port] = []
    var slots: [Slot?] = []
    /// The exchange of each live slot (nil when free), beside `slots`: the hot paths ask whether
    /// a slot is live, and which exchange it holds, without touching (retaining) the slot.
    var exchanges: [UInt64?] = []
    var freeSlots: [Int] = []
    var serial: UInt64 = 0
    var firmwareFreeAt = Instant.zero
    /// Completions decided, waiting for the delivery event, in order.
    var ready: [(handler: any SCSICompletionHandler, completion: SCSICompletion)] = []
    var deliveryScheduled = false
    /// What the controller has done so far.
    public internal(set) var statistics = IOControllerStatistics()

    static let firmwareDone = EventKind(rawValue: 1)
    static let completionDone = EventKind(rawValue: 2)
    static let deliver = EventKind(rawValue: 3)
    static let timeout = EventKind(rawValue: 4)
    static let slotBits: UInt64 = 20

    /// A controller registered with `simulator` as `name` and attached to `bus` as a master.
    public init(name: String, configuration: IOControllerConfiguration, bus: PCIBus, simulator: Simulator) {
        self.name = name
        self.configuration = configuration
        self.bus = bus
        self.simulator = simulator
        id = simulator.register(self, name: name)
        dmaMaster = bus.attachMaster(named: name, handler: self)
    }

    // MARK: Ports and paths

    /// Attaches a new initiator port, named `portName` (e.g. `"portA"`), with world-wide port
    /// name `initiator`, to `loop` at `address`. Returns the port's index.
    @discardableResult
    public func attach(
        to loop: FibreChannelLoop, portName: String, initiator: InitiatorID,
        address: ArbitratedLoopPhysicalAddress = .highestPriority
    ) -> Int {
        precondition(!ports.contains { $0.loop === loop }, "\(name) has a port on \(loop.name) already")
        let loopPort = loop.attachInitiator(self, id: initiator, address: address, label: portName)
        ports.append(Port(loop: loop, loopPort: loopPort, name: portName, initiator: initiator))
        return ports.count - 1
    }

    /// The path through port `port` to the device at `devicePort` on that port's loop.
    public func scsiDevice(port: Int, devicePort: LoopPortID) -> SimSCSIDevice {
        if let existing = ports[port].devices.first(where: { $0.devicePort == devicePort }) { return existing }
        let loop = ports[port].loop
        precondition(loop.device(at: devicePort) != nil, "\(devicePort) on \(loop.name) is not a device")
        let device = SimSCSIDevice(
            name: name + "." + ports[port].name + "." + loop.label(of: devicePort), queueDepth: configuration.queueDepth,
            controller: self, controllerPort: port, devicePort: devicePort)
        ports[port].devices.append(device)
        return device
    }

    /// The paths through port `port` to every device on its loop, in ring order.
    public func scsiDevices(port: Int) -> [SimSCSIDevice] {
        ports[port].loop.devicePorts.map { scsiDevice(port: port, devicePort: $0) }
    }

    /// The name of port `port`.
    public func portName(_ port: Int) -> String { ports[port].name }

    func isReachable(_ device: SimSCSIDevice) -> Bool {
        ports[device.controllerPort].loop.isReachable(device.devicePort)
    }

    // MARK: Host reset

    /// The host behind the controller crashed and the adapter is reset: every command in flight
    /// is forgotten and no completion is delivered (the agents that submitted them are gone).
    /// Commands already on a loop still reach their disks, which execute them; their answers are
    /// discarded as late. The controller then takes new commands as before.
    public func resetForHostCrash() {
        for index in slots.indices {
            guard let slot = slots[index] else { continue }
            simulator.cancel(slot.timer)
            slot.device.outstandingCount -= 1
            slots[index] = nil
            exchanges[index] = nil
            freeSlots.append(index)
        }
        ready.removeAll()
        firmwareFreeAt = max(firmwareFreeAt, simulator.now)
    }

    // MARK: Submission

    func submit(_ request: SCSIRequest, handler: any SCSICompletionHandler, on device: SimSCSIDevice)
        throws(SCSIGenericError)
    {
        guard isReachable(device) else { throw .deviceGone }
        guard device.outstandingCount < device.queueDepth else { throw .queueFull }
        let index = freeSlots.popLast() ?? appendSlot()
        serial += 1
        let exchange = serial << Self.slotBits | UInt64(index)
        let timer = simulator.startTimer(Self.timeout, for: id, after: request.timeout, payload: exchange)
        slots[index] = Slot(
            exchange: exchange, device: device, request: request, handler: handler, submitted: simulator.now,
            timer: timer)
        exchanges[index] = exchange
        device.outstandingCount += 1
        statistics.commandsSubmitted += 1
        runFirmware(configuration.commandOverhead, then: Self.firmwareDone, exchange: exchange)
    }

    private func appendSlot() -> Int {
        precondition(slots.count < 1 << Self.slotBits, "too many outstanding commands")
        slots.append(nil)
        exchanges.append(nil)
        return slots.count - 1
    }

    /// Queues `work` on the controller's one firmware processor.
    func runFirmware(_ work: TimeSpan, then kind: EventKind, exchange: UInt64) {
        let start = max(simulator.now, firmwareFreeAt)
        firmwareFreeAt = start + work
        simulator.schedule(kind, for: id, at: firmwareFreeAt, payload: exchange)
    }

    /// The live slot of `exchange`, or nil when that command has completed already.
    func slotIndex(of exchange: UInt64) -> Int? {
        let index = Int(exchange & (1 << Self.slotBits - 1))
        guard index < exchanges.count, exchanges[index] == exchange else { return nil }
        return index
    }

    // MARK: Events

    public func handle(_ event: Event, in simulator: Simulator) {
        switch event.kind {
        case Self.firmwareDone:
            guard let index = slotIndex(of: event.payload) else { return }
            commandReady(index)
        case Self.completionDone:
            guard let index = slotIndex(of: event.payload) else { return }
            complete(index)
        case Self.timeout:
            guard let index = slotIndex(of: event.payload) else { return }
            statistics.timeouts += 1
            fail(index, .timeOut)
        case Self.deliver:
            deliveryScheduled = false
            let batch = ready
            ready.removeAll(keepingCapacity: true)
            for (handler, completion) in batch { handler.scsiRequestCompleted(completion) }
        default:
            preconditionFailure("unexpected event for I/O controller \(name)")
        }
    }

    /// Ends slot `index` with `completion`: frees it and delivers the completion, at once when
    /// `now` (the end of the completion firmware: an interrupt, with nothing of the submitter's
    /// on the stack) and nothing is waiting to be delivered before it; otherwise from a
    /// delivery event, in order (failures decided in the middle of other work: a loop going
    /// down fails every command on it).
    func finish(_ index: Int, _ completion: SCSICompletion, now: Bool = false) {
        guard let slot = slots[index] else { preconditionFailure("finishing a free slot") }
        simulator.cancel(slot.timer)
        slots[index] = nil
        exchanges[index] = nil
        freeSlots.append(index)
        slot.device.outstandingCount -= 1
        assert(slot.device.outstandingCount >= 0)
        statistics.commandsCompleted += 1
        if completion.hostStatus != .ok { statistics.hostErrors += 1 }
        if now && !deliveryScheduled {
            slot.handler.scsiRequestCompleted(completion)
            return
        }
        ready.append((slot.handler, completion))
        if !deliveryScheduled {
            deliveryScheduled = true
            simulator.schedule(Self.deliver, for: id, after: .zero)
        }
    }

    /// Ends slot `index` with host status `status` (no target status).
    func fail(_ index: Int, _ status: SCSIHostStatus) {
        guard let slot = slots[index] else { return }
        simulator.recordDecision(UInt64(status.rawValue) << 48 | slot.exchange)
        finish(index, SCSICompletion(
            tag: slot.request.tag, status: .good, hostStatus: status, residual: slot.request.dataTransfer.byteCount,
            duration: simulator.now - slot.submitted))
    }
}
