import Hardware

/// The failover monitor of one node of an HA pair: a cluster connection client
/// (``clusterClientName`` `"failover-monitor"`) that exchanges hellos and heartbeats with its
/// counterpart on the partner over every cluster interconnect, declares the partner failed when
/// it falls silent, and sequences the takeover, the split-brain fence and the giveback through
/// its node's ``FailoverActions``.
///
/// - Heartbeats go out every ``FailoverMonitorConfiguration/heartbeatInterval`` on every up
///   connection. The partner is declared failed when nothing arrived from it on any connection
///   for ``FailoverMonitorConfiguration/failureTimeout``: losing one of several interconnects
///   never triggers a takeover.
/// - Every connection starts with a hello carrying ``FailoverActions/localConfiguration``; the
///   partner's last one is kept for a takeover.
/// - The states and their legal moves are ``FailoverMonitorState``; see there for the diagram.
///
/// Runs on its node's ``NodeRuntime``: every method must be called from that runtime's loop.
public final class FailoverMonitor: ClusterConnectionClient, TimerHandler {
    /// Its name on the node, e.g. `"failover-monitor"`; names its random stream.
    public let name: String
    public let clusterClientName = "failover-monitor"
    public let configuration: FailoverMonitorConfiguration
    /// This boot's identity, sent in every message (drawn from the random stream and the start
    /// time, so a rebooted node differs from its previous life).
    public let incarnation: UInt64
    public private(set) var state: FailoverMonitorState = .stopped
    public internal(set) var statistics = FailoverMonitorStatistics()
    /// Told of every ``FailoverReport``.
    public weak var observer: (any FailoverMonitorObserver)?
    /// The configuration in the partner's last hello (nil before the first).
    public internal(set) var partnerConfiguration: [UInt8]?
    /// When the partner was last heard from, on any connection.
    public internal(set) var partnerLastHeard: Instant?
    /// When the partner was last declared failed (nil once it is back).
    public internal(set) var partnerFailedAt: Instant?
    /// The takeover under way (or done) is a double failure's: the partner failed while it held
    /// this node's shelf, so this node takes both shelves.
    public internal(set) var takingOverBothShelves = false
    /// What the partner's newest message said of its NVRAM log: in sync in this node's mirror
    /// half (false before its first message and at each new incarnation). A failed partner is
    /// taken over only when true.
    public internal(set) var partnerMirrorInSync = false
    /// The partner asked for its shelf while this node's log was not in sync in its mirror: the
    /// giveback starts when it is.
    var givebackDeferred = false

    let runtime: any NodeRuntime
    let actions: any FailoverActions
    /// The up connections, in the order they came up.
    var connections: [any ClusterConnection] = []
    /// The partner's incarnation, its highest message sequence seen, and its state in that message.
    var partnerIncarnation: UInt64?
    var partnerSequence: UInt64 = 0
    var partnerState: FailoverMonitorState?
    var nextSequence: UInt64 = 1
    /// Something arrived from the partner since the last heartbeat tick.
    var heardSinceTick = false

    var heartbeatTimer: TimerHandle?
    var deadlineTimer: TimerHandle?
    var bootTimer: TimerHandle?

    enum Timer: UInt64 {
        case heartbeat = 1
        case partnerDeadline = 2
        case bootWait = 3
    }

    /// Creates a stopped monitor; register it with the cluster connection manager, then ``start()``.
    public init(name: String, runtime: any NodeRuntime, actions: any FailoverActions,
                configuration: FailoverMonitorConfiguration = FailoverMonitorConfiguration()) {
        self.name = name
        self.runtime = runtime
        self.actions = actions
        self.configuration = configuration
        var random = runtime.randomStream(named: name)
        incarnation = StableHash.mix64(random.next() ^ UInt64(bitPattern: runtime.now.picoseconds))
    }

    public var clusterNeeds: ClusterClientNeeds {
        ClusterClientNeeds(maxMessageBytes: FailoverMessage.maxEncodedLength, maxOutstanding: configuration.maxOutstanding)
    }

    /// The interconnects with an up connection, in the order they came up.
    public var upInterconnects: [Int] { connections.map(\.interconnect) }

    /// Boots: the node serves nothing until the monitor asks it to. Hellos go out on the
    /// connections already up, and the boot wait starts: when it ends before anything valid
    /// arrived from the partner (no connection came up, or one did but the partner stayed
    /// silent), the monitor asks its node to check its own shelf.
    public func start() {
        transition(to: .booting)
        heartbeatTimer = runtime.scheduleTimer(after: configuration.heartbeatInterval, handler: self, token: Timer.heartbeat.rawValue)
        for connection in connections { send(.hello(configuration: actions.localConfiguration), on: connection) }
        armBootWait()
    }

    /// The node's configuration changed (its UMA finished discovering its LUNs after the
    /// connections came up): a new hello on every connection, so the partner takes over with
    /// the current LUN map.
    public func announceConfiguration() {
        guard state != .stopped else { return }
        for connection in connections { send(.hello(configuration: actions.localConfiguration), on: connection) }
    }

    /// This node's NVRAM log became in sync in the partner's mirror half (the mirror's re-send
    /// completed; see ``FailoverActions/localMirrorInSync``): a heartbeat on every connection now,
    /// so the partner need not wait for the next interval to know it may take this node over;
    /// and a giveback deferred for it starts.
    public func localMirrorSyncChanged() {
        guard state != .stopped, state != .fencedOut else { return }
        statistics.syncAnnouncements += 1
        broadcast(.heartbeat)
        if givebackDeferred { startGiveback() }
    }

    // MARK: Timers

    public func timerFired(_ token: UInt64) {
        guard let timer = Timer(rawValue: token) else { preconditionFailure("unknown failover monitor timer \(token)") }
        switch timer {
        case .heartbeat: heartbeatTick()
        case .partnerDeadline: partnerDeadlineReached()
        case .bootWait: bootWaitExpired()
        }
    }

    private func heartbeatTick() {
        heartbeatTimer = nil
        guard state != .fencedOut else { return }
        if state == .normal && partnerLastHeard != nil && !heardSinceTick { statistics.missedHeartbeats += 1 }
        heardSinceTick = false
        for connection in connections { send(.heartbeat, on: connection) }
        heartbeatTimer = runtime.scheduleTimer(after: configuration.heartbeatInterval, handler: self, token: Timer.heartbeat.rawValue)
    }

    /// Arms the partner deadline at `partnerLastHeard + failureTimeout` unless it is armed
    /// (it re-arms itself when it finds the partner heard since).
    func armPartnerDeadline() {
        guard state == .normal || state == .waitingForGiveback, deadlineTimer == nil, let lastHeard = partnerLastHeard else { return }
        let due = lastHeard + configuration.failureTimeout
        deadlineTimer = runtime.scheduleTimer(
            after: due > runtime.now ? due - runtime.now : .zero, handler: self, token: Timer.partnerDeadline.rawValue)
    }

    private func partnerDeadlineReached() {
        deadlineTimer = nil
        guard state == .normal || state == .waitingForGiveback, let lastHeard = partnerLastHeard else { return }
        guard runtime.now - lastHeard >= configuration.failureTimeout else {
            armPartnerDeadline()
            return
        }
        declarePartnerFailed(lastHeard: lastHeard)
    }

    func armBootWait() {
        guard bootTimer == nil else { return }
        bootTimer = runtime.scheduleTimer(after: configuration.bootPartnerWait, handler: self, token: Timer.bootWait.rawValue)
    }

    func cancelBootWait() {
        if let timer = bootTimer { runtime.cancelTimer(timer) }
        bootTimer = nil
    }

    private func bootWaitExpired() {
        bootTimer = nil
        guard state == .booting, partnerState == nil else { return }
        transition(to: .checkingOwnShelf)
        actions.checkOwnShelf()
    }

    // MARK: Moves

    /// Moves to `next`, which must be one of the current state's successors (and, into a state
    /// that ``FailoverMonitorState/requiresPartnerLogInSync``, with the partner's configuration
    /// known and its log in sync here).
    func transition(to next: FailoverMonitorState) {
        precondition(state.successors.contains(next), "failover monitor \(name): illegal move \(state) -> \(next)")
        precondition(!next.requiresPartnerLogInSync || (partnerConfiguration != nil && partnerMirrorInSync),
                     "failover monitor \(name): \(state) -> \(next) without the partner's configuration and log in sync")
        state = next
    }

    private func declarePartnerFailed(lastHeard: Instant) {
        statistics.partnerDeclaredFailed += 1
        partnerFailedAt = runtime.now
        // Why the partner cannot be taken over, if it cannot: no configuration (never heard a
        // hello), or its NVRAM log not in sync here (its last word said a resync was under way,
        // or it never completed one): replaying an incomplete copy would lose acknowledged writes.
        let skip: TakeoverSkipReason? =
            partnerConfiguration == nil ? .noPartnerConfiguration : (partnerMirrorInSync ? nil : .partnerLogNotMirrored)
        // Double failure: the partner died holding our shelf. With its configuration and its log,
        // take both shelves (known to the observer at the report); without, wait as at boot.
        takingOverBothShelves = state == .waitingForGiveback && skip == nil
        report(.partnerFailed(at: runtime.now, lastHeard: lastHeard))
        if let skip {
            statistics.takeoversSkipped += 1
            if skip.isRefusal { statistics.takeoversRefused += 1 }
            if state == .waitingForGiveback {
                report(.takeoverSkipped(at: runtime.now, reason: skip))
                transition(to: .booting)
                partnerState = nil
                armBootWait()
            } else {
                transition(to: .partnerFailed)
                report(.takeoverSkipped(at: runtime.now, reason: skip))
            }
            return
        }
        transition(to: .fencing)
        actions.fencePartner()
    }

    func report(_ report: FailoverReport) {
        observer?.failoverMonitor(self, reported: report)
    }

    // MARK: Sending

    /// Sends `body` on `connection` with the next sequence number; a refusal is counted (the
    /// connection's failure arrives separately).
    func send(_ body: FailoverMessageBody, on connection: any ClusterConnection) {
        let message = FailoverMessage(
            incarnation: incarnation, sequence: nextSequence, state: state, mirrorInSync: actions.localMirrorInSync, body: body)
        nextSequence += 1
        let isHeartbeat = body == .heartbeat
        do {
            try connection.send(message.encoded(), tag: message.sequence)
            statistics.update(connection.interconnect) {
                $0.messagesSent += 1
                if isHeartbeat { $0.heartbeatsSent += 1 }
            }
        } catch {
            statistics.update(connection.interconnect) { $0.sendFailures += 1 }
        }
    }

    /// Sends `body` on every up connection.
    func broadcast(_ body: FailoverMessageBody) {
        for connection in connections { send(body, on: connection) }
    }
}
