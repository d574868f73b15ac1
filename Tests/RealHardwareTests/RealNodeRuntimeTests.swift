import Foundation
import Hardware
import Testing

@testable import RealHardware

/// Records the timers that fire: their tokens, and when they were scheduled and fired.
final class RuntimeTimerLog: TimerHandler {
    let runtime: RealNodeRuntime
    var fired: [UInt64] = []
    var scheduledAt: [UInt64: (at: Instant, delay: TimeSpan)] = [:]
    var firedAt: [UInt64: Instant] = [:]
    var firedInTurn: [UInt64: UInt64] = [:]
    var insideSchedule = false
    var reentrantFirings = 0
    /// Called for each timer after it is recorded.
    var onFire: ((UInt64) -> Void)?

    init(runtime: RealNodeRuntime) { self.runtime = runtime }

    @discardableResult
    func schedule(_ token: UInt64, after delay: TimeSpan) -> TimerHandle {
        scheduledAt[token] = (runtime.now, delay)
        insideSchedule = true
        defer { insideSchedule = false }
        return runtime.scheduleTimer(after: delay, handler: self, token: token)
    }

    func timerFired(_ token: UInt64) {
        if insideSchedule { reentrantFirings += 1 }
        fired.append(token)
        firedAt[token] = runtime.now
        firedInTurn[token] = runtime.statistics.turns
        onFire?(token)
    }
}

/// Generous bound for things expected within milliseconds: a loaded 2-core machine must
/// never make a correct runtime miss it. Assumption, not a measured figure.
let runtimeTestDeadline = TimeSpan.seconds(20)

@Suite("Real node runtime")
struct RealNodeRuntimeTests {
    @Test("timers fire in due order; equal delays fire in scheduling order")
    func dueOrder() throws {
        let runtime = try RealNodeRuntime(nodeName: "t", seed: 1)
        let log = RuntimeTimerLog(runtime: runtime)
        // Delays 40, 10, 30, 20 ms: due order 1, 3, 2, 0 (milliseconds apart, far above the
        // microseconds between the calls).
        for (token, milliseconds) in [40, 10, 30, 20].enumerated() {
            log.schedule(UInt64(token), after: .milliseconds(Int64(milliseconds)))
        }
        // Fifty timers with one delay: due in scheduling order (the clock never goes back),
        // ties broken by the sequence.
        for token in 100..<150 as Range<UInt64> { log.schedule(token, after: .milliseconds(5)) }
        let outcome = runtime.run(until: { log.fired.count == 54 }, deadline: runtime.now + runtimeTestDeadline)
        #expect(outcome == .conditionMet)
        #expect(log.fired.filter { $0 < 100 } == [1, 3, 2, 0])
        #expect(log.fired.filter { $0 >= 100 } == Array(100..<150))
        #expect(log.reentrantFirings == 0)
        #expect(runtime.pendingTimers == 0)
    }

    @Test("the heap breaks ties of one due instant by sequence (scheduling order)")
    func heapTieBreak() {
        var heap = RealTimerHeap()
        let due = Instant(picoseconds: 1_000)
        // Sequences inserted out of order, all due at once, plus one earlier and one later.
        for sequence in [7, 3, 9, 1, 5] as [UInt64] {
            heap.insert(.init(due: due, sequence: sequence, slot: 0, generation: 0))
        }
        heap.insert(.init(due: Instant(picoseconds: 2_000), sequence: 0, slot: 0, generation: 0))
        heap.insert(.init(due: Instant(picoseconds: 500), sequence: 99, slot: 0, generation: 0))
        var order: [UInt64] = []
        while !heap.isEmpty { order.append(heap.removeFirst().sequence) }
        #expect(order == [99, 1, 3, 5, 7, 9, 0])
    }

    @Test("a cancelled timer never fires; cancelling twice, or after firing, returns false")
    func cancellation() throws {
        let runtime = try RealNodeRuntime(nodeName: "t", seed: 1)
        let log = RuntimeTimerLog(runtime: runtime)
        let doomed = log.schedule(1, after: .milliseconds(10))
        let early = log.schedule(2, after: .milliseconds(1))
        log.schedule(3, after: .milliseconds(60))
        #expect(runtime.cancelTimer(doomed))
        #expect(!runtime.cancelTimer(doomed))
        // Many cancelled timers exercise the heap's compaction; none may fire.
        let many = (1000..<1200 as Range<UInt64>).map { log.schedule($0, after: .milliseconds(2)) }
        for handle in many { #expect(runtime.cancelTimer(handle)) }
        runtime.run(until: { log.fired.contains(3) }, deadline: runtime.now + runtimeTestDeadline)
        #expect(log.fired == [2, 3])
        #expect(!runtime.cancelTimer(early))
        #expect(runtime.statistics.timersCancelled == 201)
        #expect(runtime.pendingTimers == 0)
    }

    @Test("now is monotonic, and at least the delay has passed when a timer fires")
    func clock() throws {
        let runtime = try RealNodeRuntime(nodeName: "t", seed: 1)
        var previous = runtime.now
        for _ in 0..<10_000 {
            let reading = runtime.now
            #expect(reading >= previous)
            previous = reading
        }
        let log = RuntimeTimerLog(runtime: runtime)
        for (token, delay) in [TimeSpan.microseconds(1), .microseconds(500), .milliseconds(3), .milliseconds(15)].enumerated() {
            log.schedule(UInt64(token), after: delay)
        }
        runtime.run(until: { log.fired.count == 4 }, deadline: runtime.now + runtimeTestDeadline)
        #expect(log.fired.count == 4)
        for (token, scheduled) in log.scheduledAt {
            let elapsed = (log.firedAt[token] ?? .zero) - scheduled.at
            #expect(elapsed >= scheduled.delay, "timer \(token): \(elapsed) < \(scheduled.delay)")
        }
    }

    @Test("a deadline with nothing to do returns deadlineReached, no earlier")
    func deadline() throws {
        let runtime = try RealNodeRuntime(nodeName: "t", seed: 1)
        let deadline = runtime.now + .milliseconds(20)
        #expect(runtime.run(deadline: deadline) == .deadlineReached)
        #expect(runtime.now >= deadline)
    }

    @Test("a zero-delay timer scheduled inside a handler runs on a later turn, never inside scheduleTimer")
    func zeroDelayLaterTurn() throws {
        let runtime = try RealNodeRuntime(nodeName: "t", seed: 1)
        let log = RuntimeTimerLog(runtime: runtime)
        var scheduledInTurn: [UInt64: UInt64] = [:]
        log.onFire = { token in
            guard token < 5 else { return }
            scheduledInTurn[token + 1] = runtime.statistics.turns
            log.schedule(token + 1, after: .zero)
        }
        scheduledInTurn[0] = runtime.statistics.turns
        log.schedule(0, after: .zero)
        #expect(log.fired.isEmpty)  // not even a zero delay fires inside the call
        runtime.run(until: { log.fired.count == 6 }, deadline: runtime.now + runtimeTestDeadline)
        #expect(log.fired == [0, 1, 2, 3, 4, 5])
        #expect(log.reentrantFirings == 0)
        for token in 1...5 as ClosedRange<UInt64> {
            #expect((log.firedInTurn[token] ?? 0) > (scheduledInTurn[token] ?? .max), "timer \(token)")
        }
    }

    @Test("a watched pipe's readability calls the handler; after unwatch it is not called")
    func watchedPipe() throws {
        let runtime = try RealNodeRuntime(nodeName: "t", seed: 1)
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        final class Reader: FileDescriptorHandler {
            var received: [UInt8] = []
            var calls = 0
            func fileDescriptorReady(_ fd: Int32, events: FileDescriptorEvents) {
                calls += 1
                var byte: UInt8 = 0
                if read(fd, &byte, 1) == 1 { received.append(byte) }
            }
        }
        let reader = Reader()
        try runtime.watch(fds[0], handler: reader)
        #expect(throws: RealRuntimeError.alreadyWatched(fds[0])) { try runtime.watch(fds[0], handler: reader) }
        // Writes from a timer, so the bytes arrive while the loop waits.
        final class Writer: TimerHandler {
            let fd: Int32
            init(fd: Int32) { self.fd = fd }
            func timerFired(_ token: UInt64) {
                var byte = UInt8(token)
                _ = write(fd, &byte, 1)
            }
        }
        let writer = Writer(fd: fds[1])
        runtime.scheduleTimer(after: .milliseconds(5), handler: writer, token: 42)
        runtime.scheduleTimer(after: .milliseconds(10), handler: writer, token: 43)
        runtime.run(until: { reader.received.count == 2 }, deadline: runtime.now + runtimeTestDeadline)
        #expect(reader.received == [42, 43])
        try runtime.unwatch(fds[0])
        #expect(throws: RealRuntimeError.notWatched(fds[0])) { try runtime.unwatch(fds[0]) }
        var byte: UInt8 = 44
        _ = write(fds[1], &byte, 1)
        runtime.run(deadline: runtime.now + .milliseconds(20))
        #expect(reader.received == [42, 43])
        #expect(runtime.statistics.descriptorEvents == UInt64(reader.calls))
    }

    @Test("posts from another thread wake the loop and arrive in order; a closed waker's posts are dropped")
    func postFromAnotherThread() throws {
        let runtime = try RealNodeRuntime(nodeName: "t", seed: 1)
        final class Inbox: WakeHandler {
            var tokens: [UInt64] = []
            func wakeReceived(_ token: UInt64) { tokens.append(token) }
        }
        let inbox = Inbox()
        let waker = runtime.makeWaker(handler: inbox)
        let thread = Thread {
            // The loop is asleep in epoll_wait (no timer pending) when these arrive.
            usleep(20_000)
            for token in 1...100 as ClosedRange<UInt64> { waker.post(token) }
        }
        thread.start()
        let outcome = runtime.run(until: { inbox.tokens.count == 100 }, deadline: runtime.now + runtimeTestDeadline)
        #expect(outcome == .conditionMet)
        #expect(inbox.tokens == Array(1...100))
        #expect(runtime.statistics.timersFired == 0)
        runtime.closeWaker(waker)
        waker.post(101)
        runtime.run(until: { runtime.statistics.postsDropped == 1 }, deadline: runtime.now + runtimeTestDeadline)
        #expect(runtime.statistics.postsDropped == 1)
        #expect(inbox.tokens.count == 100)
    }

    @Test("stop() from a handler ends run after the turn")
    func stop() throws {
        let runtime = try RealNodeRuntime(nodeName: "t", seed: 1)
        let log = RuntimeTimerLog(runtime: runtime)
        log.onFire = { _ in runtime.stop() }
        log.schedule(1, after: .milliseconds(1))
        log.schedule(2, after: .milliseconds(500))
        #expect(runtime.run(deadline: runtime.now + runtimeTestDeadline) == .stopped)
        #expect(log.fired == [1])
    }

    @Test("random streams: RandomStream(seed:name:) of \"<node>.<name>\", as in simulation; same seed, same draws")
    func randomStreams() throws {
        let first = try RealNodeRuntime(nodeName: "red", seed: 42)
        let second = try RealNodeRuntime(nodeName: "red", seed: 42)
        var a = first.randomStream(named: "monitor")
        var b = second.randomStream(named: "monitor")
        var reference = RandomStream(seed: 42, name: "red.monitor")
        let draws = (0..<8).map { _ in a.next() }
        #expect(draws == (0..<8).map { _ in b.next() })
        #expect(draws == (0..<8).map { _ in reference.next() })
        let unseeded = try RealNodeRuntime(nodeName: "red")
        var c = unseeded.randomStream(named: "monitor")
        var d = RandomStream(seed: unseeded.seed, name: "red.monitor")
        #expect(c.next() == d.next())
    }
}
