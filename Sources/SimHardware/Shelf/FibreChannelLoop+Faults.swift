import SimCore
import Timebase

/// Loop failure and repair, and ports leaving and joining the ring.
extension FibreChannelLoop {
    /// Fails the loop now: every queued and in-flight message is lost, nothing new crosses,
    /// and the initiators learn it from an event (at once: loss of signal is seen within words).
    public func fail() {
        guard isUp || initialising else { return }
        isUp = false
        initialising = false
        generation += 1
        arbitrationPending = false
        owner = nil
        ownerBudget = 0
        if let current = tenancy {
            statistics.busyTime += simulator.now - current.start
            statistics.lostMessages += 1
            tenancy = nil
        }
        for index in ports.indices { dropQueue(of: index) }
        simulator.schedule(Self.announceDown, for: id, after: .zero)
    }

    /// Starts loop initialisation; the loop carries traffic again after
    /// ``FibreChannelLoopConfiguration/initialisationTime``, when the initiators are told.
    public func repair() {
        guard !isUp, !initialising else { return }
        initialising = true
        simulator.schedule(Self.initialised, for: id, after: configuration.initialisationTime, payload: generation)
    }

    /// Fails the loop at `time` (a fault from a scenario's schedule).
    public func scheduleFailure(at time: Instant) {
        simulator.schedule(Self.scheduledFailure, for: id, at: time)
    }

    /// Starts the repair at `time`.
    public func scheduleRepair(at time: Instant) {
        simulator.schedule(Self.scheduledRepair, for: id, at: time)
    }

    func finishInitialisation() {
        initialising = false
        isUp = true
        for index in ports.indices { ports[index].windowOpen = true }
        forEachInitiator { $0.loop(self, stateChanged: true) }
        kick()
    }

    /// Takes the device port `port` out of the ring (its bay was pulled: the port bypass
    /// circuit closes). Its queued responses are lost; the initiators are told from an event.
    public func bypass(_ port: LoopPortID) {
        precondition(!ports[port.index].isInitiator, "only device ports are bypassed")
        guard !ports[port.index].bypassed else { return }
        ports[port.index].bypassed = true
        dropQueue(of: port.index)
        simulator.schedule(Self.announcePresence, for: id, after: .zero, payload: UInt64(port.index) << 1)
    }

    /// Puts the device port `port` back in the ring (a device inserted in its bay).
    public func restore(_ port: LoopPortID) {
        guard ports[port.index].bypassed else { return }
        ports[port.index].bypassed = false
        ports[port.index].windowOpen = true
        simulator.schedule(Self.announcePresence, for: id, after: .zero, payload: UInt64(port.index) << 1 | 1)
    }

    /// Whether `port` is bypassed by a pull.
    public func isBypassed(_ port: LoopPortID) -> Bool { ports[port.index].bypassed }
}
