import Agents
import Hardware
import RealHardware
import Reports
import Timebase

/// A client process of real mode: the simulator's ``ClientInitiator`` on the selected RDMA
/// port (its TTS chosen by ``AgentFactory``), connected to the target whose endpoint the
/// bootstrap folder gives, driving the granted LUNs with the same ``DiskLoadGenerator`` and
/// integrity oracle as simulated block workloads; first (``RealTopology/Client/zeroFirst``)
/// zeroing the working set through the target (``RealZeroFill``).
///
/// Phases: connecting → zeroing → loading (for the client's duration) → draining (the
/// outstanding I/Os complete) → finished; or failed, with the reason.
public final class RealClient: ClientInitiatorDelegate, DiskLoadObserver {
    public enum Phase: Hashable, Sendable {
        case idle, connecting, zeroing, loading, draining, finished
        case failed(String)
    }

    public let definition: RealTopology.Client
    public let runtime: RealNodeRuntime
    public let initiator: ClientInitiator
    public let portLabel: String
    public private(set) var phase = Phase.idle
    private let transport: any TargetTransport & InitiatorTransport
    private var zeroFill: RealZeroFill?
    private var generator: DiskLoadGenerator?
    private var loadStart: Instant = .zero
    private var lastCompletion: Instant = .zero
    private var readLatency = LatencyHistogram()
    private var writeLatency = LatencyHistogram()
    private var bytesZeroed: Int64 = 0
    private var zeroSeconds = 0.0
    private var pollArmed = false

    /// Opens the RDMA device and assembles the initiator (nothing runs yet).
    public init(definition: RealTopology.Client, selection: RealDeviceSelection, runtime: RealNodeRuntime) throws(RealModeError) {
        self.definition = definition
        self.runtime = runtime
        let port = try RealPort.open(selection, runtime: runtime)
        portLabel = port.label
        // A cluster's client has a second address (the partner): 3 unanswered management
        // tries (600 ms) are enough to move on to it instead of 10 at a dead target.
        transport = port.transport(
            name: definition.name + ".tts", runtime: runtime, managementRetries: definition.target == nil ? 10 : 3)
        // ClientSession's sizing: a device slot per outstanding I/O, each holding one I/O (and
        // here also one zeroing write).
        let slotBytes = max(RealZeroFill.chunkBytes, (definition.blockSize + 4095) / 4096 * 4096)
        let configuration = InitiatorConfiguration(
            bufferBytes: 0, deviceSlots: 64, deviceSlotBytes: slotBytes, maxOutstanding: 64,
            requestTimeout: definition.timeout, livenessInterval: Self.livenessInterval)
        initiator = ClientInitiator(
            name: definition.name + ".initiator", runtime: runtime, transport: transport, configuration: configuration)
        initiator.delegate = self
    }

    /// How long a target with requests outstanding may stay silent before the initiator probes
    /// it. [assumption: 1 s; the initiator's default is open-iscsi's 5 s, the simulator's
    /// 100 ms would probe needlessly under the emulated VM's scheduling]
    static let livenessInterval = TimeSpan.seconds(1)

    /// Starts the initiator and connects to `target`.
    public func start(target: ServiceAddress) {
        start(targets: [target])
    }

    /// Starts the initiator and connects to the target reachable at `targets` (a cluster
    /// system's own address first, then its partner's). With several, a lost connection is a
    /// failover (the initiator reconnects and re-issues), not a failure.
    public func start(targets: [ServiceAddress]) {
        do throws(TransportError) {
            try initiator.start()
        } catch {
            phase = .failed("\(initiator.name) did not start: \(error)")
            return
        }
        phase = .connecting
        self.targets = targets
        initiator.connect(to: targets, luns: definition.luns ?? [])
    }

    /// Until when a first connect that failed at every address is tried again (nil: never):
    /// a cluster client's target may be slow to answer while its partner boots.
    public var connectRetryUntil: Instant?
    private var targets: [ServiceAddress] = []

    /// What the client command prints once the load began (after zeroing).
    public static let loadStartedLine = "load started"

    /// When the load began issuing, if it has.
    public var loadStarted: Instant? { generator == nil ? nil : loadStart }

    /// Tries the first connect again, after ``connectRetryDelay``, if ``connectRetryUntil`` allows.
    private func retryConnect(_ reason: String) -> Bool {
        guard phase == .connecting, let until = connectRetryUntil, runtime.now + Self.connectRetryDelay < until else { return false }
        runtime.scheduleTimer(after: Self.connectRetryDelay, handler: RetryTimer(client: self), token: 0)
        return true
    }

    fileprivate func connectAgain() {
        guard phase == .connecting, initiator.phase == .idle || initiator.phase == .failed else { return }
        initiator.connect(to: targets, luns: definition.luns ?? [])
    }

    /// [assumption: 200 ms, the management timeout of RealPort's TTS]
    static let connectRetryDelay = TimeSpan.milliseconds(200)

    /// The failovers so far (a cluster client's reconnections to the partner), with their
    /// times in seconds of the process's runtime: lost, reconnected, first good response.
    public var failovers: [InitiatorFailoverRecord] {
        initiator.failovers + (initiator.currentFailover.map { [$0] } ?? [])
    }

    /// Whether the run is over (finished or failed).
    public var isDone: Bool {
        switch phase {
        case .finished, .failed: true
        default: false
        }
    }

    /// Ends the run as failed with `reason` (the process's deadline passed), unless it is done.
    public func abandon(_ reason: String) {
        if !isDone { phase = .failed(reason) }
    }

    /// The phase's name, for messages.
    public var phaseName: String {
        switch phase {
        case .idle: "idle"
        case .connecting: "connecting"
        case .zeroing: "zeroing the working set"
        case .loading: "loading"
        case .draining: "draining"
        case .finished: "finished"
        case .failed: "failed"
        }
    }

    // MARK: Phases

    private func beginLoad() {
        phase = .loading
        loadStart = runtime.now
        lastCompletion = runtime.now
        // The start a moment ahead: real time passes between reading the clock here and the
        // generator arming its start timer, and a timer cannot be armed in the past.
        loadStart = runtime.now + Self.startMargin
        let generator = DiskLoadGenerator(
            name: initiator.name + ".load", runtime: runtime, devices: initiator.devices, load: definition.load(start: loadStart),
            observer: self)
        self.generator = generator
        generator.start()
        watch()
    }

    /// Checks the phase every ``pollInterval``: the zeroing's end, the load's drain.
    private func watch() {
        guard !pollArmed else { return }
        pollArmed = true
        runtime.scheduleTimer(after: Self.pollInterval, handler: PollTimer(client: self), token: 0)
    }

    /// [assumption: 100 ms; between reading the clock and arming the timer the process may be
    /// descheduled (1 ms was not enough in the emulated VM), and `RealNodeRuntime` refuses a
    /// timer in the past]
    static let startMargin = TimeSpan.milliseconds(100)

    /// [assumption: 10 ms; phase changes need no finer timing than that]
    static let pollInterval = TimeSpan.milliseconds(10)

    fileprivate func poll() {
        pollArmed = false
        switch phase {
        case .zeroing:
            guard let zeroFill, zeroFill.finished else { break }
            if let problem = zeroFill.problem {
                phase = .failed(problem)
                return
            }
            bytesZeroed = zeroFill.bytesZeroed
            zeroSeconds = (runtime.now - loadStart).seconds
            self.zeroFill = nil
            beginLoad()
            return
        case .loading:
            if runtime.now >= loadStart + definition.duration { phase = .draining }
        case .draining:
            if initiator.devices.allSatisfy({ $0.outstandingCount == 0 }) {
                phase = .finished
                return
            }
        default:
            return
        }
        watch()
    }

    // MARK: ClientInitiatorDelegate

    public func initiator(_ initiator: ClientInitiator, connected connection: ConnectionID, grant: ConnectionGrant) {
        guard phase == .connecting else { return }
        guard !initiator.devices.isEmpty else {
            phase = .failed("\(initiator.name): connected, but granted no LUN")
            return
        }
        if definition.zeroFirst {
            phase = .zeroing
            loadStart = runtime.now
            let fill = RealZeroFill(
                devices: initiator.devices, blockSize: definition.blockSize, workingSet: definition.workingSet,
                timeout: definition.timeout)
            zeroFill = fill
            fill.start()
            watch()
        } else {
            beginLoad()
        }
    }

    public func initiator(_ initiator: ClientInitiator, connectFailed reason: ConnectFailure) {
        if phase == .connecting && !retryConnect("\(reason)") { phase = .failed("\(initiator.name) could not connect: \(reason)") }
    }

    public func initiator(_ initiator: ClientInitiator, discoveryFailedAt target: ServiceAddress) {
        // With several addresses or retries the initiator goes on (connectFailed ends it).
        if phase == .connecting && initiator.addresses.count < 2 && connectRetryUntil == nil {
            phase = .failed("\(initiator.name) found no target at \(target)")
        }
    }

    public func initiator(_ initiator: ClientInitiator, connectionLost connection: ConnectionID, reason: ConnectionCloseReason) {
        // With a partner to reconnect to, the initiator fails over; alone it has nowhere to go.
        if !isDone && initiator.addresses.count < 2 { phase = .failed("\(initiator.name) lost its connection: \(reason)") }
    }

    public func initiator(_ initiator: ClientInitiator, gaveUpAfter attempts: Int) {
        if !isDone { phase = .failed("\(initiator.name) gave up reconnecting after \(attempts) attempts") }
    }

    // MARK: DiskLoadObserver

    public func diskIOCompleted(_ record: DiskIORecord) {
        lastCompletion = runtime.now
        guard record.outcome == .success else { return }
        if record.isRead { readLatency.record(record.latency) } else { writeLatency.record(record.latency) }
    }

    // MARK: Result

    /// `instant` of this runtime on CLOCK_MONOTONIC (shared by the machine's processes).
    private func monotonic(_ instant: Instant) -> UInt64 {
        let now = RealClock.monotonicNanoseconds()
        let ago = (runtime.now - instant).picoseconds / 1000
        return ago > 0 ? now - UInt64(ago) : now + UInt64(-ago)
    }

    /// What the client did, once done (or when it gave up).
    public var result: RealClientResult {
        let totals = generator?.totals ?? DiskLoadTotals()
        var problem: String?
        if case .failed(let reason) = phase { problem = reason }
        return RealClientResult(
            name: definition.name, port: portLabel, luns: initiator.devices.count, blockSize: definition.blockSize,
            queueDepth: definition.queueDepth, readPercent: definition.readPercent,
            pattern: definition.pattern == .random ? "random" : "sequential", verify: definition.verify,
            seconds: generator == nil ? 0 : max((lastCompletion - loadStart).seconds, 1e-9), totals: totals,
            readLatency: readLatency, writeLatency: writeLatency, bytesZeroed: bytesZeroed, zeroSeconds: zeroSeconds,
            problem: problem, failovers: failovers.map { record in
                RealClientResult.Failover(
                    lostAtMonotonic: monotonic(record.lost), reconnectedAtMonotonic: record.reconnected.map(monotonic),
                    firstGoodResponseAtMonotonic: record.firstGoodResponse.map(monotonic), attempts: record.attempts,
                    requestsReissued: record.requestsReissued, servedBy: record.servedByIndex)
            })
    }
}

/// The first connect's retry timer.
private final class RetryTimer: TimerHandler {
    weak var client: RealClient?
    init(client: RealClient) { self.client = client }
    func timerFired(_ token: UInt64) { client?.connectAgain() }
}

/// The client's poll timer (a separate handler so the client's own timer tokens stay free).
private final class PollTimer: TimerHandler {
    weak var client: RealClient?
    init(client: RealClient) { self.client = client }
    func timerFired(_ token: UInt64) { client?.poll() }
}
