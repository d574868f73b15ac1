import Hardware
import SimCore

/// One FC-AL arbitrated loop in virtual time: a ring of NL_Ports — initiator ports (I/O
/// controllers) and device ports (the A or B ports of the disks in a shelf) — that share its
/// bandwidth, one circuit at a time.
///
/// A port that wins arbitration owns the loop for a *tenancy*: it opens one *circuit* per
/// message it had queued when it won (a command with its write data, or a response with its
/// read data), one after the other without arbitrating again, then gives the loop up. Timed
/// in transmission characters (``FibreChannelLoopConfiguration``):
///
///     arbitration   ARB(x) goes once round the loop (once per tenancy)  R = ports × latency words
///     OPN           one word
///     frames        command: FCP_CMND (+ for a write: R for FCP_XFER_RDY to come back,
///                   the XFER_RDY frame, the FCP_DATA frames)
///                   response: FCP_DATA frames + FCP_RSP
///                   (each frame: payload + 36 + 6 idle words)
///     delivery      the last byte reaches the destination (hops × latency words later)
///     close         CLS, the destination's CLS back round the loop: 2 words + R
///
/// Simplifications (assumptions): one message per circuit; arbitration is not hidden behind
/// the previous tenancy (pessimistic by at most R per tenancy); frames flow without waiting
/// for R_RDY (the login's BB_Credit covers a message).
///
/// **Arbitration.** Among the ports with something to send, the lowest AL_PA wins. With
/// ``FibreChannelLoopConfiguration/fairness`` on, a port that won may not win again until
/// every other port that is arbitrating has had its turn (the access fairness window: when
/// only ports that already won are arbitrating, the window resets). With it off, the lowest
/// AL_PA wins every time it arbitrates.
///
/// **Bypassed devices.** A port whose device is pulled (``bypass(_:)``, or the device's own
/// ``LoopDevice/isPresent`` false) is out of the ring. A command addressed to it costs an
/// arbitration and an OPN that comes back round the loop unanswered, and the initiator is
/// told at once (``FibreChannelLoopInitiator/loop(_:couldNotOpen:for:)``), as a failed
/// PLOGI/ADISC would tell a real one. Responses from it are lost.
///
/// **Failure.** ``fail()``: everything queued or in flight is lost, nothing new crosses, and
/// every initiator learns that the loop is down from an event. ``repair()``: the loop comes
/// back after ``FibreChannelLoopConfiguration/initialisationTime``.
public final class FibreChannelLoop: SimComponent {
    /// The loop's name, e.g. `"red.shelf0.A"`.
    public let name: String
    public let configuration: FibreChannelLoopConfiguration
    let simulator: Simulator
    private(set) var id = ComponentID(index: 0)

    enum Role {
        case initiator(any FibreChannelLoopInitiator, InitiatorID)
        case device(any LoopDevice, DrivePort)
    }

    enum Message {
        case command(DriveCommand)
        case response(DriveResponse)
    }

    struct Outgoing {
        var message: Message
        var destination: Int
    }

    struct Port {
        var role: Role
        /// The presence signal of a `.device` port's device, which `inRing` reads for every
        /// port at each arbitration. Unretained (the device keeps it): asking the device
        /// through its protocol cost a retain and a release per port, 10 % of a disk-load run.
        var presence: Unmanaged<PresenceSignal>?
        var address: ArbitratedLoopPhysicalAddress
        var label: String
        var bypassed = false
        var queue: [Outgoing] = []
        var head = 0
        /// The access fairness window: false once the port has won, until the window resets.
        var windowOpen = true
        var hasWork: Bool { head < queue.count }
        var isInitiator: Bool {
            if case .initiator = role { return true }
            return false
        }
    }

    struct Tenancy {
        var source: Int
        var destination: Int
        /// The message on the circuit; nil once delivered (moved out, so that neither the
        /// delivery nor the release copies it: a copy retains the command's buffers).
        var message: Message?
        var start: Instant
        var freeAt: Instant
        var wireBytes: Int
        /// False when the OPN came back unanswered.
        var opened: Bool
    }

    var ports: [Port] = []
    private var deviceIndex: [ObjectIdentifier: Int] = [:]  // look-up only; never iterated
    private var initiatorIndex: [InitiatorID: Int] = [:]  // look-up only; never iterated
    /// The circuit in progress.
    var tenancy: Tenancy?
    /// The port that owns the loop (won arbitration), and the circuits it may still open.
    var owner: Int?
    var ownerBudget = 0
    var arbitrationPending = false
    /// Bumped by each failure: events of an earlier generation are stale.
    var generation: UInt64 = 0
    /// Whether the loop carries traffic.
    public internal(set) var isUp = true
    /// A repair is in progress (loop initialisation).
    var initialising = false
    /// What the loop has carried so far.
    public internal(set) var statistics = FibreChannelLoopStatistics()

    static let arbitrate = EventKind(rawValue: 1)
    static let delivered = EventKind(rawValue: 2)
    static let released = EventKind(rawValue: 3)
    static let announceDown = EventKind(rawValue: 4)
    static let announcePresence = EventKind(rawValue: 5)
    static let scheduledFailure = EventKind(rawValue: 6)
    static let scheduledRepair = EventKind(rawValue: 7)
    static let initialised = EventKind(rawValue: 8)

    /// A loop registered with `simulator` as `name`; traps if `configuration` is invalid.
    public init(name: String, configuration: FibreChannelLoopConfiguration = FibreChannelLoopConfiguration(), simulator: Simulator) {
        let errors = configuration.validationErrors()
        precondition(errors.isEmpty, "FC loop \(name): \(errors.joined(separator: "; "))")
        self.name = name
        self.configuration = configuration
        self.simulator = simulator
        id = simulator.register(self, name: name)
    }

    // MARK: Building the loop

    /// Attaches an initiator port (an I/O controller's) with world-wide port name `initiatorID`
    /// at `address`; `label` names the port in device paths (e.g. `"portA"`).
    public func attachInitiator(
        _ initiator: any FibreChannelLoopInitiator, id initiatorID: InitiatorID,
        address: ArbitratedLoopPhysicalAddress = .highestPriority, label: String
    ) -> LoopPortID {
        precondition(initiatorIndex[initiatorID] == nil, "\(initiatorID) is already on loop \(name)")
        let port = append(Port(role: .initiator(initiator, initiatorID), presence: nil, address: address, label: label))
        initiatorIndex[initiatorID] = port.index
        return port
    }

    /// Attaches `device`'s port `drivePort` at `address` and connects that port to this loop
    /// (``LoopDevice/connect(_:to:)``); `label` names it in paths (e.g. `"bay3"`).
    public func attachDevice(
        _ device: any LoopDevice, port drivePort: DrivePort, address: ArbitratedLoopPhysicalAddress, label: String
    ) -> LoopPortID {
        let key = ObjectIdentifier(device)
        precondition(deviceIndex[key] == nil, "\(device.name) has a port on loop \(name) already")
        let port = append(Port(role: .device(device, drivePort), presence: Unmanaged.passUnretained(device.presence), address: address, label: label))
        deviceIndex[key] = port.index
        device.connect(drivePort, to: self)
        return port
    }

    private func append(_ port: Port) -> LoopPortID {
        precondition(ports.count < 126, "an arbitrated loop has at most 126 NL_Ports")
        precondition(!ports.contains { $0.address == port.address }, "\(port.address) is taken on loop \(name)")
        ports.append(port)
        statistics.arbitrationWins.append(0)
        statistics.dataBytesSent.append(0)
        return LoopPortID(index: ports.count - 1)
    }

    // MARK: Queries

    /// The ports attached, in ring order.
    public var portCount: Int { ports.count }

    /// The device ports, in ring order.
    public var devicePorts: [LoopPortID] {
        ports.indices.filter { !ports[$0].isInitiator }.map { LoopPortID(index: $0) }
    }

    /// The AL_PA of `port`.
    public func address(of port: LoopPortID) -> ArbitratedLoopPhysicalAddress { ports[port.index].address }

    /// The label `port` was attached with.
    public func label(of port: LoopPortID) -> String { ports[port.index].label }

    /// The device at `port`, or nil for an initiator port.
    public func device(at port: LoopPortID) -> (any LoopDevice)? {
        if case .device(let device, _) = ports[port.index].role { return device }
        return nil
    }

    /// Whether a command sent now to `port` could be delivered: the loop is up and the port
    /// is in the ring with its device present.
    public func isReachable(_ port: LoopPortID) -> Bool {
        isUp && inRing(port.index)
    }

    func inRing(_ index: Int) -> Bool {
        // Fields read in place: copying the whole port (label, queue) costs retains per call,
        // and arbitration asks this of every port.
        if ports[index].bypassed { return false }
        if let presence = ports[index].presence { return presence._withUnsafeGuaranteedRef { $0.isPresent } }
        return true
    }

    /// Fraction of the time from zero to now the loop was owned by a circuit.
    public var utilisation: Double { statistics.utilisation(over: simulator.now - .zero) }

    // MARK: Traffic

    /// Queues `command` from the initiator port `source` to the device port `destination`.
    /// Returns false, and the command is lost, when the loop is down.
    @discardableResult
    public func send(_ command: DriveCommand, from source: LoopPortID, to destination: LoopPortID) -> Bool {
        precondition(ports[source.index].isInitiator, "commands start at an initiator port")
        precondition(!ports[destination.index].isInitiator, "commands go to a device port")
        guard isUp else {
            statistics.lostMessages += 1
            return false
        }
        enqueue(Outgoing(message: .command(command), destination: destination.index), at: source.index)
        return true
    }

    func enqueue(_ outgoing: Outgoing, at source: Int) {
        ports[source].queue.append(outgoing)
        kick()
    }

    /// Schedules an arbitration now if the loop is free and someone is waiting.
    func kick() {
        guard isUp, tenancy == nil, !arbitrationPending, ports.contains(where: { $0.hasWork }) else { return }
        arbitrationPending = true
        simulator.schedule(Self.arbitrate, for: id, after: .zero, payload: generation)
    }

    // MARK: Events

    public func handle(_ event: Event, in simulator: Simulator) {
        switch event.kind {
        case Self.arbitrate:
            guard event.payload == generation else { return }
            arbitrationPending = false
            startTenancy()
        case Self.delivered:
            guard event.payload == generation, tenancy != nil, let message = tenancy!.message.take() else { return }
            deliver(message, from: tenancy!.source, to: tenancy!.destination)
        case Self.released:
            guard event.payload == generation, let current = tenancy.take() else { return }
            release(current)
        case Self.announceDown:
            forEachInitiator { $0.loop(self, stateChanged: false) }
        case Self.announcePresence:
            let port = LoopPortID(index: Int(event.payload >> 1))
            forEachInitiator { $0.loop(self, device: port, presenceChanged: event.payload & 1 == 1) }
        case Self.scheduledFailure:
            fail()
        case Self.scheduledRepair:
            repair()
        case Self.initialised:
            guard event.payload == generation, initialising else { return }
            finishInitialisation()
        default:
            preconditionFailure("unexpected event for FC loop \(name)")
        }
    }

    func forEachInitiator(_ body: (any FibreChannelLoopInitiator) -> Void) {
        for port in ports {
            if case .initiator(let initiator, _) = port.role { body(initiator) }
        }
    }
}

// MARK: - DriveResponsePath

extension FibreChannelLoop: DriveResponsePath {
    /// Queues a device's response for the initiator that sent the command. Lost (counted in
    /// ``FibreChannelLoopStatistics/lostMessages``) when the loop is down, the device's port is
    /// out of the ring, or the initiator is not on this loop.
    public func send(_ response: DriveResponse, from device: any LoopDevice) {
        guard let source = deviceIndex[ObjectIdentifier(device)] else {
            preconditionFailure("\(device.name) answered on loop \(name), which it is not on")
        }
        guard isUp, inRing(source), let destination = initiatorIndex[response.initiator] else {
            statistics.lostMessages += 1
            simulator.recordDecision(UInt64(source) << 32 | 0xD0)
            return
        }
        enqueue(Outgoing(message: .response(response), destination: destination), at: source)
    }
}
