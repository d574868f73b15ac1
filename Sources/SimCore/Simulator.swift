import Timebase

/// Why ``Simulator/run(until:eventBudget:stopWhen:)`` returned.
public enum RunOutcome: Equatable, Sendable {
    /// No event is left: the system is quiescent.
    case idle
    /// The next event lies after the time limit; the clock was advanced to the limit.
    case reachedTimeLimit
    /// The stop condition returned true after an event.
    case stopConditionMet
    /// The run executed its whole event budget with events still pending. Outside of
    /// benchmarks that count events on purpose, this is a liveness failure (a livelock or
    /// a runaway model), to be reported, not waited out.
    case budgetExhausted
}

/// The discrete-event kernel: virtual time, the event queue, dispatch to components,
/// timers, run control, seeded random streams and the event-trace digest.
///
/// One `Simulator` runs one simulation on one thread. Every node's agents and every device
/// model of a topology share it; nothing else may advance time. Its behaviour is a pure
/// function of the set-up, the seed and the events scheduled: same inputs, same sequence of
/// executed events (``traceDigest``), in any process on any machine.
///
/// The run loop, in pseudo-code:
///
///     while let next = queue.min, next.time <= limit, budget > 0:
///         pop next; skip it if it is a cancelled timer
///         now = next.time; digest (time, component, kind)
///         components[next.target].handle(next)
///
/// - Warning: Not thread-safe. ``run(until:eventBudget:stopWhen:)`` is not re-entrant.
public final class Simulator {
    /// The seed of the run; every component's random stream derives from it.
    public let seed: UInt64

    /// The current virtual time: the time of the event being handled, or of the last one.
    public private(set) var now: Instant = .zero

    /// Events executed so far (cancelled timers are not executed and not counted).
    public private(set) var executedEvents: UInt64 = 0

    // Private, and reached from other modules only through the non-inlinable methods below:
    // that lets the optimiser prove exclusive access and drop the dynamic exclusivity checks
    // from the hot loop (they cost 13 % of a PHOLD run when these were `@usableFromInline`).
    private var queue = EventQueue()
    private var nextSequence: UInt64 = 0
    private var timers = TimerTable()
    private var digest = StableDigest()
    private var components: ContiguousArray<any SimComponent> = []
    /// Stable hash of each component's name, folded into the trace digest.
    private var componentKeys: ContiguousArray<UInt64> = []
    private var componentNames: [String] = []
    private var idsByName: [String: ComponentID] = [:]  // look-up only; never iterated
    private var running = false

    /// A simulator for a run seeded with `seed`.
    public init(seed: UInt64) {
        self.seed = seed
    }

    // MARK: Components

    /// Registers `component` under `name`, unique within the simulation.
    ///
    /// The name is part of the trace digest and derives the component's random stream, so
    /// choose names that are stable across versions (`"pci0"`, `"hca.host0"`).
    @discardableResult
    public func register(_ component: any SimComponent, name: String) -> ComponentID {
        precondition(idsByName[name] == nil, "component name '\(name)' registered twice")
        precondition(components.count < Int(UInt32.max), "too many components")
        let id = ComponentID(index: UInt32(components.count))
        components.append(component)
        componentKeys.append(StableHash.fnv1a64(name))
        componentNames.append(name)
        idsByName[name] = id
        return id
    }

    /// The number of registered components.
    public var componentCount: Int { components.count }

    /// The name `id` was registered under.
    public func name(of id: ComponentID) -> String { componentNames[Int(id.index)] }

    /// The component registered under `name`, if any.
    public func component(named name: String) -> ComponentID? { idsByName[name] }

    /// The seeded random stream of the component called `name` (see ``RandomStream/init(seed:name:)``).
    public func randomStream(for name: String) -> RandomStream {
        RandomStream(seed: seed, name: name)
    }

    // MARK: Scheduling

    /// Schedules `kind` for `target` at `time`, which must not be in the past.
    public func schedule(_ kind: EventKind, for target: ComponentID, at time: Instant, payload: UInt64 = 0) {
        enqueue(storedKind: kind.rawValue, target: target, time: time, payload: payload)
    }

    /// Schedules `kind` for `target` after `delay` (zero runs after the events already
    /// scheduled for now).
    public func schedule(_ kind: EventKind, for target: ComponentID, after delay: TimeSpan, payload: UInt64 = 0) {
        enqueue(storedKind: kind.rawValue, target: target, time: now + delay, payload: payload)
    }

    @inline(__always)
    private func enqueue(storedKind: UInt32, target: ComponentID, time: Instant, payload: UInt64) {
        precondition(time >= now, "event scheduled in the past")
        assert(Int(target.index) < components.count, "event for an unregistered component")
        queue.push(Event(time: time, sequence: nextSequence, target: target, storedKind: storedKind, payload: payload))
        nextSequence &+= 1
    }

    // MARK: Timers

    /// Starts a timer: unless cancelled first, `target` handles `kind` with `payload` after `delay`.
    @discardableResult
    public func startTimer(_ kind: EventKind, for target: ComponentID, after delay: TimeSpan, payload: UInt64 = 0)
        -> TimerID
    {
        let timer = timers.arm(payload: payload)
        enqueue(storedKind: kind.rawValue | EventKind.timerBit, target: target, time: now + delay, payload: timer.packed)
        return timer
    }

    /// Cancels `timer`. Returns false if it already fired or was cancelled (never an error:
    /// a completion racing its timeout is normal).
    @discardableResult
    public func cancel(_ timer: TimerID) -> Bool {
        guard timers.cancel(timer) else { return false }
        compactIfMostlyStale()
        return true
    }

    /// Whether `timer` is still pending.
    public func isPending(_ timer: TimerID) -> Bool { timers.isArmed(timer) }

    /// Drops cancelled timers' events once they are the majority of a large queue, so a model
    /// that re-arms a long timeout per packet cannot grow the queue without bound.
    private func compactIfMostlyStale() {
        guard timers.staleQueued > 4096, timers.staleQueued * 2 > queue.count else { return }
        let table = timers
        queue.removeAll { event in
            event.isTimer && !table.isArmed(TimerID(packed: event.payload))
        }
        timers.staleQueued = 0
    }

    // MARK: Running

    /// Events scheduled and not yet executed (including cancelled timers not yet dropped).
    public var pendingEvents: Int { queue.count }

    /// The time of the next pending event, if any.
    public var nextEventTime: Instant? { queue.min?.time }

    /// The digest of every executed event's (time, component name, kind), in order.
    ///
    /// Two runs executed the same events in the same order if and only if (up to a 2⁻⁶⁴
    /// collision) their digests are equal: the determinism check of the whole project.
    public var traceDigest: StableDigest { digest }

    /// Folds a model's decision into the trace digest: an outcome that changes no event's
    /// time or kind (which packet a full buffer dropped, which frame a fault corrupted) would
    /// otherwise leave two different runs with the same digest.
    public func recordDecision(_ value: UInt64) {
        digest.combine(value ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// Runs events in order until one of the limits is reached.
    ///
    /// - Parameters:
    ///   - limit: run events at or before this time; when the next one is later, the clock
    ///     advances to `limit` and the run returns ``RunOutcome/reachedTimeLimit``.
    ///   - eventBudget: execute at most this many events (``RunOutcome/budgetExhausted``).
    ///   - stopWhen: checked after every event; returning true stops the run.
    /// - Returns: why the run stopped; ``RunOutcome/idle`` when no event is left.
    @discardableResult
    public func run(
        until limit: Instant = .distantFuture,
        eventBudget: UInt64 = .max,
        stopWhen stop: ((Simulator) -> Bool)? = nil
    ) -> RunOutcome {
        precondition(!running, "Simulator.run is not re-entrant")
        running = true
        defer { running = false }
        var remaining = eventBudget
        while let next = queue.min {
            if next.time > limit {
                now = limit
                return .reachedTimeLimit
            }
            if remaining == 0 { return .budgetExhausted }
            var event = queue.popMin()
            if event.isTimer {
                guard let payload = timers.fire(TimerID(packed: event.payload)) else { continue }
                event.payload = payload
            }
            now = event.time
            let target = Int(event.target.index)
            digest.combine(UInt64(bitPattern: event.time.picoseconds))
            digest.combine(componentKeys[target] ^ UInt64(event.storedKind & ~EventKind.timerBit))
            executedEvents &+= 1
            remaining -= 1
            components[target].handle(event, in: self)
            if let stop, stop(self) { return .stopConditionMet }
        }
        if limit != .distantFuture, limit > now { now = limit }
        return .idle
    }
}
