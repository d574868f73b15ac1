import Hardware
import SimCore

/// One PCI Local Bus 2.2 segment in virtual time: masters arbitrate for it, and each
/// tenure (one burst) costs address phase + turnaround + target initial wait + one clock per
/// data phase (``PCIBusConfiguration``).
///
/// The bus is shared: every master's transactions queue in order behind its own earlier ones
/// and compete with the other masters' at each arbitration. Arbitration is hidden (overlapped
/// with the previous tenure), so tenures run back to back while anyone is waiting.
///
/// **Latency timer.** A burst runs to the end of its transaction (or to the target's
/// disconnect limit) while no other master wants the bus. Once another master requests, the
/// burst ends when the latency timer (counted from FRAME#) has expired, after the data phase
/// in progress, and the rest of the transaction waits for its next grant.
///
/// **Faults** (``PCIFaultRule``) are decided once per transaction at its first tenure, from
/// the bus's own seeded stream: master abort (6 clocks: address + 5 without DEVSEL#, nothing
/// moves), target abort (overhead + 1 clock, nothing moves), parity error (the data moves,
/// the initiator is told it is bad).
public final class PCIBus: SimComponent {
    public let name: String
    public let configuration: PCIBusConfiguration
    private let simulator: Simulator
    private var id = ComponentID(index: 0)
    private var random: RandomStream

    private struct Request {
        var transaction: PCITransaction
        var tag: UInt64
        /// Told when the transaction ends, instead of the master's own handler (a bridge
        /// acting for a master on the far side).
        var notify: (any PCIMaster)?
        var remainingBytes: Int
        var fault: PCITransactionStatus?
        var started = false
    }

    private struct Master {
        var name: String
        var handler: any PCIMaster
        var queue: [Request] = []
        var head = 0
        var statistics = PCIMasterStatistics()
        var hasWork: Bool { head < queue.count }
    }

    private struct Tenure {
        var master: Int
        var startClock: Int64
        var endClock: Int64
        /// The first clock at which a competing request may end the burst.
        var earliestPreemptedEnd: Int64
        var preemptible: Bool
        var timer: TimerID
    }

    private var masters: [Master] = []
    private var tenure: Tenure?
    private var lastGranted = -1
    private var faults: [PCIFaultRule] = []
    public private(set) var busyClocks: Int64 = 0

    private static let tenureEnd = EventKind(rawValue: 1)
    private static let faultsChange = EventKind(rawValue: 2)

    /// A bus registered with `simulator` as `name`; traps if `configuration` breaks the spec.
    public init(name: String, configuration: PCIBusConfiguration = .pci32at33, simulator: Simulator) {
        let errors = configuration.validationErrors()
        precondition(errors.isEmpty, "PCI bus \(name): \(errors.joined(separator: "; "))")
        self.name = name
        self.configuration = configuration
        self.simulator = simulator
        random = simulator.randomStream(for: name)
        id = simulator.register(self, name: name)
    }

    /// Attaches a bus master; arbitration priority (for `.fixedPriority`) is attachment order.
    public func attachMaster(named masterName: String, handler: any PCIMaster) -> PCIMasterID {
        masters.append(Master(name: masterName, handler: handler))
        return PCIMasterID(index: masters.count - 1)
    }

    /// Replaces the fault rules (an empty list heals the bus).
    public func setFaults(_ rules: [PCIFaultRule]) {
        faults = rules
    }

    /// Replaces the fault rules at `time` (a fault from a scenario's schedule: a PCI error
    /// storm that starts, or ends with an empty list); the bus applies it itself then.
    public func scheduleFaults(_ rules: [PCIFaultRule], at time: Instant) {
        precondition(time >= simulator.now, "PCI faults scheduled in the past")
        scheduledFaults.append(rules)
        simulator.schedule(Self.faultsChange, for: id, at: time, payload: UInt64(scheduledFaults.count - 1))
    }
    private var scheduledFaults: [[PCIFaultRule]] = []

    /// Queues `transaction` for `master`; its end is reported with `tag` to `notify`, or to
    /// the master's own handler when `notify` is nil.
    public func request(_ transaction: PCITransaction, from master: PCIMasterID, tag: UInt64, notify: (any PCIMaster)? = nil) {
        masters[master.index].queue.append(
            Request(transaction: transaction, tag: tag, notify: notify, remainingBytes: transaction.bytes))
        if let current = tenure {
            if current.master != master.index { preempt(current) }
        } else {
            grantNext(atClock: configuration.clock(atOrAfter: simulator.now))
        }
    }

    /// What each master has done so far.
    public func statistics(of master: PCIMasterID) -> PCIMasterStatistics { masters[master.index].statistics }

    /// Fraction of the clocks from zero to now that carried a tenure.
    public var utilization: Double {
        let clocks = configuration.clock(atOrAfter: simulator.now)
        return clocks == 0 ? 0 : Double(busyClocks) / Double(clocks)
    }

    // MARK: Arbitration and tenures

    private func othersWaiting(besides master: Int) -> Bool {
        masters.indices.contains { $0 != master && masters[$0].hasWork }
    }

    private func arbitrate() -> Int? {
        switch configuration.arbitration {
        case .fixedPriority:
            return masters.indices.first { masters[$0].hasWork }
        case .roundRobin:
            for offset in 1...max(masters.count, 1) {
                let candidate = (lastGranted + offset) % masters.count
                if masters[candidate].hasWork { return candidate }
            }
            return nil
        }
    }

    private func grantNext(atClock start: Int64) {
        precondition(tenure == nil, "grant while the bus is busy")
        guard let master = arbitrate() else { return }
        lastGranted = master
        var request = masters[master].queue[masters[master].head]
        if !request.started {
            request.started = true
            request.fault = drawFault(for: master, kind: request.transaction.kind)
            masters[master].statistics.transactions += 1
        }
        masters[master].queue[masters[master].head] = request
        masters[master].statistics.grants += 1

        let config = configuration
        let end: Int64
        var preemptible = false
        switch request.fault {
        case .masterAbort?:
            end = start + Int64(config.addressClocks) + 5
        case .targetAbort?:
            end = start + Int64(config.burstOverheadClocks) + 1
        default:
            var phases = (request.remainingBytes + config.widthBytes - 1) / config.widthBytes
            if let limit = config.targetBurstLimitBytes { phases = min(phases, limit / config.widthBytes) }
            end = start + Int64(config.burstOverheadClocks + phases)
            preemptible = true
        }
        let earliest = start + Int64(max(config.latencyTimerClocks, config.burstOverheadClocks + 1))
        // With others already waiting, the latency timer ends the burst from the start.
        let plannedEnd = preemptible && othersWaiting(besides: master) ? min(end, earliest) : end
        tenure = Tenure(
            master: master, startClock: start, endClock: plannedEnd, earliestPreemptedEnd: earliest,
            preemptible: preemptible, timer: startEndTimer(atClock: plannedEnd))
    }

    private func startEndTimer(atClock clock: Int64) -> TimerID {
        simulator.startTimer(Self.tenureEnd, for: id, after: configuration.instant(ofClock: clock) - simulator.now)
    }

    /// Another master wants the bus: end the current burst once the latency timer allows.
    private func preempt(_ current: Tenure) {
        guard current.preemptible else { return }
        let requestClock = configuration.clock(atOrAfter: simulator.now)
        let newEnd = max(current.earliestPreemptedEnd, requestClock + 1)
        guard newEnd < current.endClock else { return }
        simulator.cancel(current.timer)
        var shortened = current
        shortened.endClock = newEnd
        shortened.timer = startEndTimer(atClock: newEnd)
        tenure = shortened
    }

    private func drawFault(for master: Int, kind: PCITransaction.Kind) -> PCITransactionStatus? {
        for rule in faults where rule.master == nil || rule.master?.index == master {
            if random.chance(rule.numerator, outOf: rule.denominator) { return rule.status }
        }
        return nil
    }

    public func handle(_ event: Event, in simulator: Simulator) {
        if event.kind == Self.faultsChange {
            faults = scheduledFaults[Int(event.payload)]
            return
        }
        precondition(event.kind == Self.tenureEnd, "unexpected event for a PCI bus")
        guard let finished = tenure else { preconditionFailure("tenure end with an idle bus") }
        tenure = nil
        busyClocks += finished.endClock - finished.startClock
        let master = finished.master
        var request = masters[master].queue[masters[master].head]
        let config = configuration
        var ended: PCITransactionStatus? = nil
        if let fault = request.fault, fault != .parityError {
            ended = fault
        } else {
            let phases = finished.endClock - finished.startClock - Int64(config.burstOverheadClocks)
            precondition(phases >= 1, "a data tenure without a data phase")
            let moved = min(request.remainingBytes, Int(phases) * config.widthBytes)
            request.remainingBytes -= moved
            masters[master].statistics.bytes += moved
            if request.remainingBytes == 0 { ended = request.fault ?? .completed }
        }
        if let status = ended {
            masters[master].head += 1
            compact(master)
            if status != .completed { masters[master].statistics.errors += 1 }
            (request.notify ?? masters[master].handler).pciTransactionEnded(tag: request.tag, status: status)
        } else {
            masters[master].queue[masters[master].head] = request
        }
        if tenure == nil { grantNext(atClock: finished.endClock) }
    }

    private func compact(_ master: Int) {
        if masters[master].head == masters[master].queue.count {
            masters[master].queue.removeAll(keepingCapacity: true)
            masters[master].head = 0
        }
    }
}

/// What one master has done on a bus.
public struct PCIMasterStatistics: Sendable, Equatable {
    /// Transactions started (including those that ended in error).
    public var transactions = 0
    /// Tenures granted.
    public var grants = 0
    /// Data bytes moved.
    public var bytes = 0
    /// Transactions that ended in error.
    public var errors = 0
}
