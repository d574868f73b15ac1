import Hardware
import SimCore
import SimHardware
import Testing

/// Records timer callbacks with the virtual time they arrived at.
final class TimerLog: TimerHandler {
    let runtime: any NodeRuntime
    var fired: [(token: UInt64, at: Instant)] = []
    init(runtime: any NodeRuntime) { self.runtime = runtime }
    func timerFired(_ token: UInt64) { fired.append((token, runtime.now)) }
}

@Suite("SimNodeRuntime")
struct SimNodeRuntimeTests {
    @Test("timers fire at their time, in order, ties in scheduling order, never re-entrantly")
    func timersFireInOrder() {
        let simulator = Simulator(seed: 3)
        let runtime = SimNodeRuntime(nodeName: "red", simulator: simulator)
        let log = TimerLog(runtime: runtime)
        runtime.scheduleTimer(after: .microseconds(7), handler: log, token: 1)
        runtime.scheduleTimer(after: .microseconds(2), handler: log, token: 2)
        runtime.scheduleTimer(after: .microseconds(7), handler: log, token: 3)
        runtime.scheduleTimer(after: .zero, handler: log, token: 4)
        #expect(log.fired.isEmpty, "a zero-delay timer must not fire inside scheduleTimer")
        simulator.run()
        #expect(log.fired.map(\.token) == [4, 2, 1, 3])
        let expected: [Int64] = [0, 2, 7, 7]
        #expect(log.fired.map { $0.at.picoseconds / 1_000_000 } == expected)
    }

    @Test("a cancelled timer does not fire; cancelling twice, or after firing, returns false")
    func cancellation() {
        let simulator = Simulator(seed: 3)
        let runtime = SimNodeRuntime(nodeName: "red", simulator: simulator)
        let log = TimerLog(runtime: runtime)
        let doomed = runtime.scheduleTimer(after: .milliseconds(1), handler: log, token: 1)
        let kept = runtime.scheduleTimer(after: .milliseconds(2), handler: log, token: 2)
        #expect(runtime.cancelTimer(doomed))
        #expect(!runtime.cancelTimer(doomed))
        simulator.run()
        #expect(log.fired.map(\.token) == [2])
        #expect(!runtime.cancelTimer(kept))
        // The freed slot is reused; the stale handle must not cancel the new timer.
        _ = runtime.scheduleTimer(after: .milliseconds(1), handler: log, token: 3)
        #expect(!runtime.cancelTimer(doomed))
        simulator.run()
        #expect(log.fired.map(\.token) == [2, 3])
    }

    @Test("random streams are per node and per name, and repeat with the seed")
    func randomStreams() {
        let simulator = Simulator(seed: 9)
        let red = SimNodeRuntime(nodeName: "red", simulator: simulator)
        let blue = SimNodeRuntime(nodeName: "blue", simulator: simulator)
        var a = red.randomStream(named: "monitor")
        var b = blue.randomStream(named: "monitor")
        var again = SimNodeRuntime(nodeName: "red", simulator: Simulator(seed: 9)).randomStream(named: "monitor")
        let first = a.next()
        #expect(first != b.next())
        #expect(first == again.next())
    }
}
