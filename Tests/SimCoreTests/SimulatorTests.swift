import SimCore
import Testing
import Timebase

@Suite("Simulator")
struct SimulatorTests {
    let tick = EventKind(rawValue: 1)

    /// A simulator with one registered ``Recorder``.
    func recorderRig() -> (Simulator, Recorder, ComponentID) {
        let simulator = Simulator(seed: 1)
        let recorder = Recorder()
        return (simulator, recorder, simulator.register(recorder, name: "recorder"))
    }

    @Test("events at equal times run in scheduling order (FIFO ties)")
    func fifoOnTies() {
        let (simulator, recorder, id) = recorderRig()
        // Interleave two times; within each time the payloads must come out in push order.
        for payload in 0..<200 as Range<UInt64> {
            let time = Instant(picoseconds: payload % 2 == 0 ? 500 : 100)
            simulator.schedule(tick, for: id, at: time, payload: payload)
        }
        #expect(simulator.run() == .idle)
        let odd = recorder.entries.prefix(100).map(\.payload)
        let even = recorder.entries.suffix(100).map(\.payload)
        #expect(odd == Array(stride(from: 1, to: 200, by: 2)))
        #expect(even == Array(stride(from: 0, to: 200, by: 2)))
        #expect(simulator.executedEvents == 200)
    }

    @Test("an event scheduled with zero delay runs after those already due now")
    func zeroDelayRunsAfterPendingTies() {
        let (simulator, recorder, id) = recorderRig()
        recorder.onEvent = { event, simulator in
            if event.payload == 0 { simulator.schedule(EventKind(rawValue: 1), for: id, after: .zero, payload: 99) }
        }
        simulator.schedule(tick, for: id, at: Instant(picoseconds: 10), payload: 0)
        simulator.schedule(tick, for: id, at: Instant(picoseconds: 10), payload: 1)
        simulator.run()
        #expect(recorder.entries.map(\.payload) == [0, 1, 99])
    }

    @Test("cancelled timers never fire; a fired or cancelled timer cannot be cancelled again")
    func timerCancellation() {
        let (simulator, recorder, id) = recorderRig()
        let kept = simulator.startTimer(tick, for: id, after: .microseconds(5), payload: 1)
        let cancelled = simulator.startTimer(tick, for: id, after: .microseconds(3), payload: 2)
        #expect(simulator.isPending(cancelled))
        #expect(simulator.cancel(cancelled))
        #expect(!simulator.isPending(cancelled))
        #expect(!simulator.cancel(cancelled), "second cancel must report false")
        #expect(simulator.run() == .idle)
        #expect(recorder.entries == [.init(time: .zero + .microseconds(5), kind: 1, payload: 1)])
        #expect(!simulator.cancel(kept), "a fired timer cannot be cancelled")
        #expect(simulator.executedEvents == 1, "a cancelled timer is not an executed event")
    }

    @Test("a stale timer handle cannot cancel a later timer that reuses its slot")
    func staleHandleDoesNotCancelReusedSlot() {
        let (simulator, recorder, id) = recorderRig()
        let first = simulator.startTimer(tick, for: id, after: .nanoseconds(1), payload: 1)
        simulator.run()
        let second = simulator.startTimer(tick, for: id, after: .nanoseconds(1), payload: 2)
        #expect(!simulator.cancel(first))
        #expect(simulator.isPending(second))
        simulator.run()
        #expect(recorder.entries.map(\.payload) == [1, 2])
    }

    @Test("many cancelled timers are compacted out of the queue; the rest fire in order")
    func cancelledTimersAreCompacted() {
        let (simulator, recorder, id) = recorderRig()
        var timers: [TimerID] = []
        for index in 0..<20_000 as Range<Int64> {
            timers.append(simulator.startTimer(tick, for: id, after: .nanoseconds(index + 1), payload: UInt64(index)))
        }
        for (index, timer) in timers.enumerated() where index % 10 != 0 {
            simulator.cancel(timer)
        }
        #expect(simulator.pendingEvents < 20_000 / 2, "stale timers must not stay queued without bound")
        simulator.run()
        #expect(recorder.entries.map(\.payload) == Array(stride(from: 0, to: 20_000, by: 10)))
    }

    @Test("run(until:) stops before later events and advances the clock to the limit")
    func runUntilTime() {
        let (simulator, recorder, id) = recorderRig()
        for microseconds in [1, 2, 3, 10] as [Int64] {
            simulator.schedule(tick, for: id, at: .zero + .microseconds(microseconds))
        }
        #expect(simulator.run(until: .zero + .microseconds(5)) == .reachedTimeLimit)
        #expect(recorder.entries.count == 3)
        #expect(simulator.now == .zero + .microseconds(5))
        #expect(simulator.nextEventTime == .zero + .microseconds(10))
        #expect(simulator.run(until: .zero + .microseconds(20)) == .idle)
        #expect(simulator.now == .zero + .microseconds(20))
    }

    @Test("an event at exactly the limit runs")
    func runUntilIncludesTheLimit() {
        let (simulator, recorder, id) = recorderRig()
        simulator.schedule(tick, for: id, at: .zero + .microseconds(5))
        #expect(simulator.run(until: .zero + .microseconds(5)) == .idle)
        #expect(recorder.entries.count == 1)
    }

    @Test("a livelock ends with budgetExhausted, not a hang")
    func eventBudgetEndsALivelock() {
        let (simulator, recorder, id) = recorderRig()
        recorder.onEvent = { _, simulator in
            simulator.schedule(EventKind(rawValue: 1), for: id, after: .zero)  // never advances time
        }
        simulator.schedule(tick, for: id, at: .zero)
        #expect(simulator.run(eventBudget: 10_000) == .budgetExhausted)
        #expect(simulator.executedEvents == 10_000)
        #expect(simulator.now == .zero)
    }

    @Test("run(stopWhen:) stops right after the event that satisfies the predicate")
    func stopCondition() {
        let (simulator, recorder, id) = recorderRig()
        for payload in 0..<10 as Range<UInt64> {
            simulator.schedule(tick, for: id, at: Instant(picoseconds: Int64(payload)), payload: payload)
        }
        let outcome = simulator.run(stopWhen: { _ in recorder.entries.last?.payload == 4 })
        #expect(outcome == .stopConditionMet)
        #expect(recorder.entries.count == 5)
        #expect(simulator.pendingEvents == 5)
    }

    @Test("component names must be unique and map back to their ids")
    func registration() {
        let simulator = Simulator(seed: 1)
        let a = simulator.register(Recorder(), name: "a")
        let b = simulator.register(Recorder(), name: "b")
        #expect(a.index == 0 && b.index == 1)
        #expect(simulator.component(named: "b") == b)
        #expect(simulator.name(of: a) == "a")
        #expect(simulator.component(named: "c") == nil)
    }
}
