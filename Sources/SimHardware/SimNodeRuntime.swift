import Hardware
import SimCore

/// The ``NodeRuntime`` of one simulated node: a view onto the shared ``Simulator``.
///
/// Every node of a simulated topology gets one; its agents see virtual time through it and
/// arm timers on it exactly as they would on the real-time loop. Timers become simulator
/// timers addressed to this component, so they are ordered, digested and cancelled by the
/// kernel like every other event.
///
/// The handler of a pending timer is kept in a slot of this runtime (and so kept alive)
/// until the timer fires or is cancelled; a ``TimerHandle`` names the slot and its
/// generation, so a stale handle can never cancel a later timer.
public final class SimNodeRuntime: NodeRuntime, SimComponent {
    public let nodeName: String
    private let simulator: Simulator
    private var id = ComponentID(index: 0)

    private struct Slot {
        var kernelTimer: TimerID?
        var handler: (any TimerHandler)?
        var token: UInt64 = 0
        var generation: UInt32 = 0
    }
    private var slots: [Slot] = []
    private var freeSlots: [UInt32] = []
    /// The node has crashed: no timer fires until ``resume()``.
    public private(set) var isHalted = false

    private static let timerFired = EventKind(rawValue: 1)

    /// Creates the runtime of `nodeName` and registers it with `simulator` as
    /// `"<nodeName>.runtime"`.
    public init(nodeName: String, simulator: Simulator) {
        self.nodeName = nodeName
        self.simulator = simulator
        id = simulator.register(self, name: nodeName + ".runtime")
    }

    public var now: Instant { simulator.now }

    @discardableResult
    public func scheduleTimer(after delay: TimeSpan, handler: any TimerHandler, token: UInt64) -> TimerHandle {
        precondition(delay >= .zero, "timer scheduled with a negative delay")
        // A crashed node's code may still be unwinding (a completion delivered as the node
        // died): whatever it arms never fires.
        guard !isHalted else { return TimerHandle(rawValue: UInt64.max) }
        let slot: UInt32
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            slot = UInt32(slots.count)
            slots.append(Slot())
        }
        let index = Int(slot)
        assert(slots[index].handler == nil, "free timer slot in use")
        slots[index].handler = handler
        slots[index].token = token
        slots[index].kernelTimer = simulator.startTimer(Self.timerFired, for: id, after: delay, payload: UInt64(slot))
        return TimerHandle(rawValue: UInt64(slot) << 32 | UInt64(slots[index].generation))
    }

    @discardableResult
    public func cancelTimer(_ timer: TimerHandle) -> Bool {
        let index = Int(timer.rawValue >> 32)
        guard index < slots.count, slots[index].generation == UInt32(truncatingIfNeeded: timer.rawValue),
            let kernelTimer = slots[index].kernelTimer
        else { return false }
        let cancelled = simulator.cancel(kernelTimer)
        assert(cancelled, "a runtime timer slot outlived its kernel timer")
        release(index)
        return true
    }

    /// The node crashes: every pending timer is cancelled and none armed from now on fires, so
    /// the agents on this node never run again (their devices are stopped by the caller). Their
    /// objects stay allocated until released; a reboot starts new agents after ``resume()``.
    public func halt() {
        precondition(!isHalted, "\(nodeName): halted twice")
        isHalted = true
        for index in slots.indices where slots[index].handler != nil {
            let cancelled = simulator.cancel(slots[index].kernelTimer!)
            assert(cancelled, "a runtime timer slot outlived its kernel timer")
            release(index)
        }
    }

    /// The node boots again: timers work as before (a fresh set of agents arms them).
    public func resume() {
        precondition(isHalted, "\(nodeName): resumed while running")
        isHalted = false
    }

    public func randomStream(named name: String) -> RandomStream {
        simulator.randomStream(for: nodeName + "." + name)
    }

    public func handle(_ event: Event, in simulator: Simulator) {
        precondition(event.kind == Self.timerFired, "unexpected event for a node runtime")
        let index = Int(event.payload)
        guard let handler = slots[index].handler else {
            preconditionFailure("timer fired for an empty slot")
        }
        let token = slots[index].token
        release(index)
        handler.timerFired(token)
    }

    private func release(_ index: Int) {
        slots[index] = Slot(generation: slots[index].generation &+ 1)
        freeSlots.append(UInt32(index))
    }
}
