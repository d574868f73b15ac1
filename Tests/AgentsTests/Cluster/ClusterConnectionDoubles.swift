import Agents
import Hardware
import SimCore
import SimHardware

/// A node's runtime that can crash: a view onto a ``SimNodeRuntime`` whose timers, once
/// ``crash()`` is called, never reach their handlers again (the node's agents are dead). A
/// rebooted node gets a new one over the same simulated runtime.
final class CrashableRuntime: NodeRuntime, TimerHandler {
    let inner: SimNodeRuntime
    private(set) var isCrashed = false
    private struct Pending {
        var handler: any TimerHandler
        var token: UInt64
        var handle: TimerHandle
    }
    /// Keyed by this runtime's own timer number (lookups only: no order decides anything).
    private var pending: [UInt64: Pending] = [:]
    private var numbers: [TimerHandle: UInt64] = [:]
    private var nextNumber: UInt64 = 1

    init(_ inner: SimNodeRuntime) { self.inner = inner }

    var nodeName: String { inner.nodeName }
    var now: Instant { inner.now }

    func crash() { isCrashed = true }

    @discardableResult
    func scheduleTimer(after delay: TimeSpan, handler: any TimerHandler, token: UInt64) -> TimerHandle {
        let number = nextNumber
        nextNumber += 1
        let handle = inner.scheduleTimer(after: delay, handler: self, token: number)
        pending[number] = Pending(handler: handler, token: token, handle: handle)
        numbers[handle] = number
        return handle
    }

    @discardableResult
    func cancelTimer(_ timer: TimerHandle) -> Bool {
        guard let number = numbers.removeValue(forKey: timer) else { return false }
        pending[number] = nil
        return inner.cancelTimer(timer)
    }

    func randomStream(named name: String) -> RandomStream { inner.randomStream(named: name) }

    func timerFired(_ number: UInt64) {
        guard let entry = pending.removeValue(forKey: number) else { return }
        numbers[entry.handle] = nil
        guard !isCrashed else { return }
        entry.handler.timerFired(entry.token)
    }
}

/// One side's end of a ``ClusterLinkDouble``: a ``ClusterConnection`` that only sends messages.
final class ConnectionDouble: ClusterConnection {
    unowned let link: ClusterLinkDouble
    let side: Int
    private(set) var isUp = true
    /// Tags posted and not completed, in post order.
    var outstanding: [UInt64] = []
    let maxMessageBytes: Int
    let maxOutstanding: Int

    init(link: ClusterLinkDouble, side: Int, needs: ClusterClientNeeds) {
        self.link = link
        self.side = side
        maxMessageBytes = needs.maxMessageBytes
        maxOutstanding = needs.maxOutstanding
    }

    var interconnect: Int { link.interconnect }
    var remoteMemoryLength: Int { 0 }

    func send(_ message: [UInt8], tag: UInt64) throws(ClusterConnectionError) {
        guard isUp else { throw .down }
        guard message.count <= maxMessageBytes else { throw .outOfBounds }
        guard outstanding.count < maxOutstanding else { throw .queueFull }
        outstanding.append(tag)
        link.carry(message, tag: tag, from: self)
    }

    func write(sourceOffset: Int, count: Int, remoteOffset: Int, tag: UInt64) throws(ClusterConnectionError) {
        throw .outOfBounds  // the failover monitor exposes no memory
    }

    func markDown() { isUp = false }
}

/// One cluster interconnect between two clients (side 0 and side 1), in memory: messages arrive
/// `delay` after they are sent and complete at the sender one more `delay` later (the ack), in
/// order, through simulator events. A test can ``cut()`` it (messages in flight are lost; after
/// `failureDelay`, the time RC retries take to give up, each side's outstanding sends fail and
/// its connection goes down), ``crash(side:)`` a side (its partner's connection fails the same
/// way; the dead side hears nothing more), and ``connect()`` it again (a new connection pair,
/// up on both sides after `delay`).
final class ClusterLinkDouble: SimComponent {
    let interconnect: Int
    let delay: TimeSpan
    let failureDelay: TimeSpan
    private(set) var clients: [any ClusterConnectionClient]
    private(set) var isCut = true
    private(set) var endpoints: [ConnectionDouble?] = [nil, nil]
    private var crashed = [false, false]
    /// Messages handed to each side's client.
    private(set) var delivered = [0, 0]
    private let simulator: Simulator
    private var id = ComponentID(index: 0)

    private enum Pending {
        case up(ConnectionDouble)
        case deliver([UInt8], to: ConnectionDouble)
        case complete(tag: UInt64, ConnectionDouble)
        case fail(ConnectionDouble)
    }
    private var slots: [Pending?] = []
    private var freeSlots: [Int] = []
    private static let due = EventKind(rawValue: 1)

    init(interconnect: Int, between first: any ClusterConnectionClient, and second: any ClusterConnectionClient,
         delay: TimeSpan, failureDelay: TimeSpan, simulator: Simulator) {
        self.interconnect = interconnect
        self.delay = delay
        self.failureDelay = failureDelay
        self.simulator = simulator
        clients = [first, second]
        id = simulator.register(self, name: "cluster-link\(interconnect)")
    }

    /// A new connection pair (the slam connect succeeded): up on both live sides after `delay`.
    func connect() {
        precondition(endpoints.allSatisfy { $0?.isUp != true } || isCut, "connect while connected")
        isCut = false
        for side in 0..<2 {
            let endpoint = ConnectionDouble(link: self, side: side, needs: clients[side].clusterNeeds)
            endpoints[side] = endpoint
            if !crashed[side] { schedule(.up(endpoint), after: delay) }
        }
    }

    /// The cable is cut: nothing crosses any more; each live side's connection fails after `failureDelay`.
    func cut() {
        isCut = true
        for side in 0..<2 where !crashed[side] {
            if let endpoint = endpoints[side], endpoint.isUp { schedule(.fail(endpoint), after: failureDelay) }
        }
    }

    /// `side`'s node dies: its client hears nothing more; the other side's connection fails after `failureDelay`.
    func crash(side: Int) {
        crashed[side] = true
        endpoints[side]?.markDown()
        if let other = endpoints[1 - side], other.isUp, !isCut { schedule(.fail(other), after: failureDelay) }
    }

    /// `side`'s node rebooted with a new client; ``connect()`` when its slam connect succeeds.
    func revive(side: Int, client: any ClusterConnectionClient) {
        crashed[side] = false
        clients[side] = client
    }

    func carry(_ message: [UInt8], tag: UInt64, from sender: ConnectionDouble) {
        guard !isCut, !crashed[1 - sender.side], let receiver = endpoints[1 - sender.side] else { return }
        schedule(.deliver(message, to: receiver), after: delay)
        schedule(.complete(tag: tag, sender), after: delay + delay)
    }

    private func schedule(_ pending: Pending, after delay: TimeSpan) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = pending
        } else {
            slot = slots.count
            slots.append(pending)
        }
        simulator.schedule(Self.due, for: id, after: delay, payload: UInt64(slot))
    }

    func handle(_ event: Event, in simulator: Simulator) {
        let slot = Int(event.payload)
        guard let pending = slots[slot] else { preconditionFailure("empty link slot") }
        slots[slot] = nil
        freeSlots.append(slot)
        switch pending {
        case .up(let endpoint):
            guard endpoint.isUp, !crashed[endpoint.side], endpoints[endpoint.side] === endpoint else { return }
            clients[endpoint.side].clusterConnectionUp(endpoint)
        case .deliver(let message, let receiver):
            guard receiver.isUp, !isCut, !crashed[receiver.side], endpoints[receiver.side] === receiver else { return }
            delivered[receiver.side] += 1
            clients[receiver.side].clusterMessageReceived(message, on: receiver)
        case .complete(let tag, let sender):
            guard sender.isUp, !isCut, !crashed[sender.side], !crashed[1 - sender.side], sender.outstanding.first == tag else {
                return
            }
            sender.outstanding.removeFirst()
            clients[sender.side].clusterOperationCompleted(tag: tag, on: sender, success: true)
        case .fail(let endpoint):
            guard endpoint.isUp, !crashed[endpoint.side] else { return }
            endpoint.markDown()
            let tags = endpoint.outstanding
            endpoint.outstanding = []
            let client = clients[endpoint.side]
            for tag in tags { client.clusterOperationCompleted(tag: tag, on: endpoint, success: false) }
            client.clusterConnectionDown(endpoint)
        }
    }
}

/// The persistent reservations of both shelves as the fence sees them, reduced to what decides a
/// split brain: the first node to fence its partner wins, and removes the partner's key, so the
/// partner's own fence then fails. A node registers again when it serves its own shelf.
final class FenceArbiter {
    /// Nodes whose reservation key is registered.
    private(set) var registered: [String] = []
    /// Per fence, in order: who fenced and whether it won.
    private(set) var fences: [(node: String, won: Bool)] = []

    func register(_ node: String) {
        if !registered.contains(node) { registered.append(node) }
    }

    func fence(by node: String, partner: String) -> Bool {
        let won = registered.contains(node)
        if won { registered.removeAll { $0 == partner } }
        fences.append((node, won))
        return won
    }

    func isRegistered(_ node: String) -> Bool { registered.contains(node) }
}

/// A coordinator double: records every ``FailoverActions`` call with its time and answers it
/// `answerDelay` later on the node's runtime (so a crashed node never answers), or, with a zero
/// delay, from inside the call.
final class FailoverActionsDouble: FailoverActions, TimerHandler {
    enum Call: Hashable {
        case serveOwnShelf, checkOwnShelf, fencePartner, takeOver([UInt8]), stopServing, releasePartnerShelf, reclaimOwnShelf
    }

    let node: String
    let partner: String
    let runtime: any NodeRuntime
    let localConfiguration: [UInt8]
    let arbiter: FenceArbiter
    let answerDelay: TimeSpan
    weak var monitor: FailoverMonitor?
    private(set) var calls: [(call: Call, at: Instant)] = []
    /// What ``checkOwnShelf()`` answers.
    var ownShelfHeldByPartner = false
    /// What the node's messages say of its NVRAM log in the partner's mirror (a test flips it,
    /// then calls ``FailoverMonitor/localMirrorSyncChanged()`` as the coordinator would).
    var localMirrorInSync = true
    /// What the node serves now, as its coordinator would.
    private(set) var servesOwnShelf = false
    private(set) var servesPartnerShelf = false
    private var awaiting: [Call] = []

    init(node: String, partner: String, runtime: any NodeRuntime, arbiter: FenceArbiter, answerDelay: TimeSpan) {
        self.node = node
        self.partner = partner
        self.runtime = runtime
        self.arbiter = arbiter
        self.answerDelay = answerDelay
        localConfiguration = Array("luns of \(node)".utf8)
    }

    var callNames: [Call] { calls.map(\.call) }

    private func request(_ call: Call) {
        calls.append((call, runtime.now))
        awaiting.append(call)
        if answerDelay == .zero {
            timerFired(0)  // answer from inside the call
        } else {
            runtime.scheduleTimer(after: answerDelay, handler: self, token: 0)
        }
    }

    func serveOwnShelf() { request(.serveOwnShelf) }
    func checkOwnShelf() { request(.checkOwnShelf) }
    func fencePartner() { request(.fencePartner) }
    func takeOver(partnerConfiguration: [UInt8]) { request(.takeOver(partnerConfiguration)) }
    func releasePartnerShelf() { request(.releasePartnerShelf) }
    func reclaimOwnShelf() { request(.reclaimOwnShelf) }

    func stopServing() {
        calls.append((.stopServing, runtime.now))
        servesOwnShelf = false
        servesPartnerShelf = false
    }

    func timerFired(_ token: UInt64) {
        let call = awaiting.removeFirst()
        guard let monitor else { return }
        switch call {
        case .serveOwnShelf, .reclaimOwnShelf:
            arbiter.register(node)
            servesOwnShelf = true
            monitor.ownShelfServing()
        case .checkOwnShelf:
            monitor.ownShelfChecked(heldByPartner: ownShelfHeldByPartner)
        case .fencePartner:
            monitor.fenceCompleted(won: arbiter.fence(by: node, partner: partner))
        case .takeOver:
            servesPartnerShelf = true
            monitor.takeoverCompleted()
        case .releasePartnerShelf:
            servesPartnerShelf = false
            monitor.partnerShelfReleased()
        case .stopServing:
            preconditionFailure("stopServing is not answered")
        }
    }
}

/// Keeps every report of one monitor, in order.
final class ReportRecorder: FailoverMonitorObserver {
    private(set) var reports: [FailoverReport] = []

    func failoverMonitor(_ monitor: FailoverMonitor, reported report: FailoverReport) {
        reports.append(report)
    }
}

/// Two failover monitors, Red (side 0) and Blue (side 1), each on its own crashable runtime
/// with an actions double, joined by `interconnects` link doubles, on one simulator. Nothing
/// runs until the test starts the monitors and connects the links.
final class MonitorPair {
    static let names = ["red", "blue"]
    let simulator: Simulator
    let configuration: FailoverMonitorConfiguration
    let linkDelay: TimeSpan
    let failureDelay: TimeSpan
    let answerDelay: TimeSpan
    let arbiter = FenceArbiter()
    private let simulated: [SimNodeRuntime]
    private(set) var runtimes: [CrashableRuntime] = []
    private(set) var actions: [FailoverActionsDouble] = []
    private(set) var monitors: [FailoverMonitor] = []
    private(set) var recorders: [ReportRecorder] = []
    private(set) var links: [ClusterLinkDouble] = []

    init(interconnects: Int = 1, configuration: FailoverMonitorConfiguration = FailoverMonitorConfiguration(),
         linkDelay: TimeSpan = .microseconds(5), failureDelay: TimeSpan = .milliseconds(20),
         answerDelay: TimeSpan = .milliseconds(3), seed: UInt64 = 1) {
        let simulator = Simulator(seed: seed)
        self.simulator = simulator
        self.configuration = configuration
        self.linkDelay = linkDelay
        self.failureDelay = failureDelay
        self.answerDelay = answerDelay
        simulated = Self.names.map { SimNodeRuntime(nodeName: $0, simulator: simulator) }
        for side in 0..<2 {
            let (runtime, actions, monitor, recorder) = makeNode(side)
            runtimes.append(runtime)
            self.actions.append(actions)
            monitors.append(monitor)
            recorders.append(recorder)
        }
        links = (0..<interconnects).map {
            ClusterLinkDouble(interconnect: $0, between: monitors[0], and: monitors[1], delay: linkDelay,
                              failureDelay: failureDelay, simulator: simulator)
        }
    }

    private func makeNode(_ side: Int) -> (CrashableRuntime, FailoverActionsDouble, FailoverMonitor, ReportRecorder) {
        let runtime = CrashableRuntime(simulated[side])
        let actions = FailoverActionsDouble(
            node: Self.names[side], partner: Self.names[1 - side], runtime: runtime, arbiter: arbiter, answerDelay: answerDelay)
        let monitor = FailoverMonitor(name: "failover-monitor", runtime: runtime, actions: actions, configuration: configuration)
        let recorder = ReportRecorder()
        actions.monitor = monitor
        monitor.observer = recorder
        return (runtime, actions, monitor, recorder)
    }

    var now: Instant { simulator.now }

    func run(until instant: Instant) { simulator.run(until: instant) }

    func start(_ side: Int) { monitors[side].start() }

    func connectAll() { for link in links { link.connect() } }

    /// `side`'s node dies: its timers stop and every interconnect sees it gone.
    func crash(_ side: Int) {
        runtimes[side].crash()
        for link in links { link.crash(side: side) }
    }

    /// `side`'s node boots again (a new monitor, started); the links connect when the test says.
    func reboot(_ side: Int) {
        let (runtime, actions, monitor, recorder) = makeNode(side)
        runtimes[side] = runtime
        self.actions[side] = actions
        monitors[side] = monitor
        recorders[side] = recorder
        for link in links { link.revive(side: side, client: monitor) }
        monitor.start()
    }
}
