/// A handle to a timer started with ``Simulator/startTimer(_:for:after:payload:)``.
///
/// A handle names a slot and the slot's generation when the timer started, so a handle
/// kept after its timer fired or was cancelled can never cancel a later timer in the same slot.
@frozen
public struct TimerID: Hashable, Sendable {
    @usableFromInline
    var slot: UInt32
    @usableFromInline
    var generation: UInt32

    @inlinable
    init(slot: UInt32, generation: UInt32) {
        self.slot = slot
        self.generation = generation
    }

    @inlinable
    init(packed: UInt64) {
        slot = UInt32(truncatingIfNeeded: packed >> 32)
        generation = UInt32(truncatingIfNeeded: packed)
    }

    @inlinable
    var packed: UInt64 { UInt64(slot) << 32 | UInt64(generation) }

    /// The handle as one integer, for adapters that keep handles in their own types.
    public var rawValue: UInt64 { packed }

    /// The handle `rawValue` encodes (from ``rawValue`` of a handle of the same simulator).
    public init(rawValue: UInt64) {
        self.init(packed: rawValue)
    }
}

/// The armed timers of a simulation, in reusable slots.
///
/// A timer is an ordinary event whose payload is its ``TimerID``; the user's payload waits
/// in the slot. Cancelling only disarms the slot (O(1)); the event stays queued and is
/// dropped, unexecuted and undigested, when it reaches the front. ``Simulator`` compacts
/// the queue when such stale events outnumber the live ones.
@usableFromInline
struct TimerTable {
    @usableFromInline var generations: [UInt32] = []
    @usableFromInline var payloads: [UInt64] = []
    @usableFromInline var armed: [Bool] = []
    @usableFromInline var freeSlots: [UInt32] = []
    /// Timers cancelled whose events are still queued.
    @usableFromInline var staleQueued = 0

    @usableFromInline
    init() {}

    @usableFromInline
    mutating func arm(payload: UInt64) -> TimerID {
        let slot: UInt32
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            precondition(generations.count < Int(UInt32.max), "too many timers")
            slot = UInt32(generations.count)
            generations.append(0)
            payloads.append(0)
            armed.append(false)
        }
        let index = Int(slot)
        assert(!armed[index], "free slot is armed")
        armed[index] = true
        payloads[index] = payload
        return TimerID(slot: slot, generation: generations[index])
    }

    /// Disarms `timer`; false if it already fired or was cancelled.
    @usableFromInline
    mutating func cancel(_ timer: TimerID) -> Bool {
        let index = Int(timer.slot)
        guard index < generations.count, generations[index] == timer.generation, armed[index] else { return false }
        release(index)
        staleQueued += 1
        return true
    }

    /// Whether `timer` is armed (started, not yet fired or cancelled).
    @usableFromInline
    func isArmed(_ timer: TimerID) -> Bool {
        let index = Int(timer.slot)
        return index < generations.count && generations[index] == timer.generation && armed[index]
    }

    /// Fires `timer` if it is still armed: returns the user's payload and frees the slot.
    @inlinable
    mutating func fire(_ timer: TimerID) -> UInt64? {
        let index = Int(timer.slot)
        guard generations[index] == timer.generation, armed[index] else {
            staleQueued -= 1
            assert(staleQueued >= 0)
            return nil
        }
        let payload = payloads[index]
        release(index)
        return payload
    }

    @usableFromInline
    mutating func release(_ index: Int) {
        armed[index] = false
        generations[index] &+= 1
        freeSlots.append(UInt32(index))
    }
}
