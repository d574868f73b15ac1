import CIOFabric
import Glibc
import Hardware

/// The ``NodeRuntime`` of real mode: one event loop on the calling thread, waiting in `epoll`
/// on a `timerfd` (CLOCK_MONOTONIC, armed for the earliest pending timer or the run's
/// deadline), an `eventfd` (posts from other threads, through ``Waker``s) and the file
/// descriptors handed to ``watch(_:events:handler:)`` (verbs completion channels, sg devices).
///
/// One turn of the loop:
/// 1. wait: not at all when a timer is already due, else until the timerfd, the eventfd or a
///    watched descriptor is ready;
/// 2. call the handlers of the ready descriptors, then the handlers of the posts;
/// 3. fire the timers due at the turn's instant, in (due, scheduling order), but only those
///    scheduled before this step began: a timer armed by a handler, even for a zero delay, fires
///    on a later turn, so a handler re-arming itself cannot starve the descriptors.
///
/// ``now`` is `clock_gettime(CLOCK_MONOTONIC)` since the runtime was made, and never goes back.
///
/// Random streams derive from ``seed`` and the name exactly as in simulation
/// (`RandomStream(seed:name:)` with `"<node>.<name>"`), so a real run's choices repeat when it is
/// given the seed an earlier run printed.
///
/// - Warning: Not thread-safe, as the protocol says: call it only on the thread that runs it
///   (and set-up code before it runs). Other threads use a ``Waker``.
public final class RealNodeRuntime: NodeRuntime {
    public let nodeName: String
    /// The seed of every ``randomStream(named:)``; print it to repeat a run's choices.
    public let seed: UInt64

    /// How a ``run(until:deadline:)`` ended.
    public enum RunOutcome: Hashable, Sendable {
        /// The condition became true.
        case conditionMet
        /// ``now`` reached the deadline first.
        case deadlineReached
        /// A handler called ``stop()``.
        case stopped
    }

    /// What the loop has done so far.
    public struct Statistics: Hashable, Sendable {
        /// Turns of the loop.
        public var turns: UInt64 = 0
        /// Timers that fired.
        public var timersFired: UInt64 = 0
        /// Timers cancelled before they fired.
        public var timersCancelled: UInt64 = 0
        /// Calls of ``FileDescriptorHandler/fileDescriptorReady(_:events:)``.
        public var descriptorEvents: UInt64 = 0
        /// Posts handed to their ``WakeHandler``.
        public var postsDelivered: UInt64 = 0
        /// Posts that arrived for a closed waker, dropped.
        public var postsDropped: UInt64 = 0
    }

    public private(set) var statistics = Statistics()

    // MARK: Descriptors and clock

    private let epollFD: Int32
    private let timerFD: Int32
    private let mailbox: RealMailbox
    /// The CLOCK_MONOTONIC reading, in nanoseconds, that is ``Instant/zero``.
    private let startNanoseconds: Int64
    private var latest = Instant.zero

    /// epoll data of the two internal descriptors (watches use slot << 32 | generation).
    private static let timerDatum = UInt64.max
    private static let mailboxDatum = UInt64.max - 1

    // MARK: Timers

    private struct TimerSlot {
        var handler: (any TimerHandler)?
        var token: UInt64 = 0
        var generation: UInt32 = 0
    }
    private var timerSlots: [TimerSlot] = []
    private var freeTimerSlots: [UInt32] = []
    private var heap = RealTimerHeap()
    private var nextSequence: UInt64 = 0
    /// Entries of `heap` whose timer was cancelled.
    private var cancelledInHeap = 0
    /// The instant the timerfd is armed for; nil while disarmed.
    private var armedFor: Instant?

    // MARK: Watches and wakers

    private struct Watch {
        var fd: Int32
        var handler: (any FileDescriptorHandler)?
        var generation: UInt32 = 0
    }
    private var watches: [Watch] = []
    private var freeWatchSlots: [UInt32] = []
    /// The watch slot of each watched descriptor (looked up, never iterated).
    private var watchSlotOfFD: [Int32: UInt32] = [:]
    /// Handlers of the wakers, by waker id; nil once closed.
    private var wakeHandlers: [(any WakeHandler)?] = []

    // MARK: Run state

    private var running = false
    /// The events of one `epoll_wait` (the C wrapper takes at most 64 at a time).
    private var readyEvents = [CIOFabric_loop_event](repeating: CIOFabric_loop_event(), count: 64)
    private var stopRequested = false

    /// Creates the runtime of `nodeName`; its clock starts now.
    ///
    /// - Parameter seed: the seed of the random streams. Default: drawn from the monotonic
    ///   clock (assumption: a real run is not repeatable by default; pass the printed ``seed`` to
    ///   repeat one's choices).
    public init(nodeName: String, seed: UInt64? = nil) throws(RealRuntimeError) {
        self.nodeName = nodeName
        startNanoseconds = CIOFabric_loop_monotonic_ns()
        self.seed = seed ?? StableHash.mix64(UInt64(bitPattern: startNanoseconds))
        var epoll: Int32 = -1
        var error = CIOFabric_loop_create(&epoll)
        guard error == 0 else { throw .systemCall(function: "epoll_create1", errno: error) }
        var timer: Int32 = -1
        error = CIOFabric_loop_timer_create(&timer)
        guard error == 0 else {
            Glibc.close(epoll)
            throw .systemCall(function: "timerfd_create", errno: error)
        }
        let box: RealMailbox
        do {
            box = try RealMailbox()
        } catch {
            Glibc.close(epoll)
            Glibc.close(timer)
            throw error
        }
        epollFD = epoll
        timerFD = timer
        mailbox = box
        let readable = FileDescriptorEvents.readable.rawValue
        error = CIOFabric_loop_add(epoll, timer, readable, Self.timerDatum)
        if error == 0 { error = CIOFabric_loop_add(epoll, box.eventFD, readable, Self.mailboxDatum) }
        guard error == 0 else {
            Glibc.close(epoll)
            Glibc.close(timer)
            throw .systemCall(function: "epoll_ctl", errno: error)
        }
    }

    deinit {
        Glibc.close(epollFD)
        Glibc.close(timerFD)
    }

    // MARK: NodeRuntime

    public var now: Instant {
        let elapsed = CIOFabric_loop_monotonic_ns() - startNanoseconds
        let reading = Instant(picoseconds: elapsed * 1_000)
        if reading > latest { latest = reading }
        return latest
    }

    @discardableResult
    public func scheduleTimer(after delay: TimeSpan, handler: any TimerHandler, token: UInt64) -> TimerHandle {
        precondition(delay >= .zero, "timer scheduled with a negative delay")
        let slot: UInt32
        if let reused = freeTimerSlots.popLast() {
            slot = reused
        } else {
            precondition(timerSlots.count < Int(UInt32.max), "too many pending timers")
            slot = UInt32(timerSlots.count)
            timerSlots.append(TimerSlot())
        }
        let index = Int(slot)
        assert(timerSlots[index].handler == nil, "free timer slot in use")
        timerSlots[index].handler = handler
        timerSlots[index].token = token
        let generation = timerSlots[index].generation
        heap.insert(.init(due: now + delay, sequence: nextSequence, slot: slot, generation: generation))
        nextSequence += 1
        return TimerHandle(rawValue: UInt64(slot) << 32 | UInt64(generation))
    }

    @discardableResult
    public func cancelTimer(_ timer: TimerHandle) -> Bool {
        let index = Int(timer.rawValue >> 32)
        guard index < timerSlots.count, timerSlots[index].generation == UInt32(truncatingIfNeeded: timer.rawValue),
            timerSlots[index].handler != nil
        else { return false }
        releaseTimerSlot(index)
        statistics.timersCancelled += 1
        cancelledInHeap += 1
        if cancelledInHeap > 64, cancelledInHeap * 2 > heap.count {
            let slots = timerSlots
            heap.compact { slots[Int($0.slot)].generation == $0.generation }
            cancelledInHeap = 0
        }
        return true
    }

    public func randomStream(named name: String) -> RandomStream {
        RandomStream(seed: seed, name: nodeName + "." + name)
    }

    /// Timers scheduled and not yet fired or cancelled.
    public var pendingTimers: Int { heap.count - cancelledInHeap }

    private func releaseTimerSlot(_ index: Int) {
        timerSlots[index] = TimerSlot(generation: timerSlots[index].generation &+ 1)
        freeTimerSlots.append(UInt32(index))
    }

    private func isLive(_ entry: RealTimerHeap.Entry) -> Bool {
        timerSlots[Int(entry.slot)].generation == entry.generation
    }

    /// The first heap entry of a live timer, dropping cancelled ones from the top.
    private func firstLiveTimer() -> RealTimerHeap.Entry? {
        while let first = heap.first {
            if isLive(first) { return first }
            _ = heap.removeFirst()
            cancelledInHeap -= 1
        }
        return nil
    }

    // MARK: Descriptors

    /// Calls `handler` on the loop whenever `fd` is ready for `events` (level-triggered; errors
    /// and hang-ups are always reported). The runtime keeps `handler` until ``unwatch(_:)``.
    ///
    /// - Throws: ``RealRuntimeError/alreadyWatched(_:)``, or `epoll_ctl`'s error (EBADF for a
    ///   closed descriptor, EPERM for a regular file).
    public func watch(_ fd: Int32, events: FileDescriptorEvents = .readable, handler: any FileDescriptorHandler)
        throws(RealRuntimeError)
    {
        guard watchSlotOfFD[fd] == nil else { throw .alreadyWatched(fd) }
        let slot: UInt32
        if let reused = freeWatchSlots.popLast() {
            slot = reused
        } else {
            slot = UInt32(watches.count)
            watches.append(Watch(fd: -1))
        }
        let generation = watches[Int(slot)].generation
        let error = CIOFabric_loop_add(epollFD, fd, events.rawValue, UInt64(slot) << 32 | UInt64(generation))
        guard error == 0 else {
            freeWatchSlots.append(slot)
            throw .systemCall(function: "epoll_ctl", errno: error)
        }
        watches[Int(slot)] = Watch(fd: fd, handler: handler, generation: generation)
        watchSlotOfFD[fd] = slot
    }

    /// Stops watching `fd`; its handler is released and never called again, not even for an
    /// event already collected in the current turn. Call it before closing the descriptor.
    ///
    /// - Throws: ``RealRuntimeError/notWatched(_:)``.
    public func unwatch(_ fd: Int32) throws(RealRuntimeError) {
        guard let slot = watchSlotOfFD.removeValue(forKey: fd) else { throw .notWatched(fd) }
        let index = Int(slot)
        watches[index] = Watch(fd: -1, handler: nil, generation: watches[index].generation &+ 1)
        freeWatchSlots.append(slot)
        let error = CIOFabric_loop_remove(epollFD, fd)
        // EBADF: the descriptor was closed first, which removed it from the epoll set already.
        guard error == 0 || error == EBADF else { throw .systemCall(function: "epoll_ctl", errno: error) }
    }

    // MARK: Wakers

    /// A ``Waker`` whose posts, from any thread, call `handler` on this loop. The runtime keeps
    /// `handler` until ``closeWaker(_:)``.
    public func makeWaker(handler: any WakeHandler) -> Waker {
        precondition(wakeHandlers.count < Int(UInt32.max), "too many wakers")
        wakeHandlers.append(handler)
        return Waker(mailbox: mailbox, id: UInt32(wakeHandlers.count - 1))
    }

    /// Releases `waker`'s handler; its later posts are dropped (and counted).
    public func closeWaker(_ waker: Waker) {
        precondition(waker.mailbox === mailbox, "a waker of another runtime")
        wakeHandlers[Int(waker.id)] = nil
    }

    // MARK: Running

    /// Runs turns of the loop until `condition` holds (checked before the first turn and after
    /// each), ``now`` reaches `deadline`, or a handler calls ``stop()``.
    ///
    /// Not re-entrant: a handler must not call it.
    @discardableResult
    public func run(until condition: () -> Bool = { false }, deadline: Instant = .distantFuture) -> RunOutcome {
        precondition(!running, "\(nodeName): RealNodeRuntime.run called from inside a handler")
        running = true
        stopRequested = false
        defer { running = false }
        while true {
            if condition() { return .conditionMet }
            if stopRequested {
                stopRequested = false
                return .stopped
            }
            if now >= deadline { return .deadlineReached }
            turn(deadline: deadline)
        }
    }

    /// Makes ``run(until:deadline:)`` return ``RunOutcome/stopped`` after the current turn. Call
    /// it from a handler on this loop (another thread posts to a ``Waker`` whose handler stops).
    public func stop() {
        stopRequested = true
    }

    /// One turn: wait, then descriptors, posts and due timers.
    private func turn(deadline: Instant) {
        statistics.turns += 1
        // Timers scheduled from here on, by this turn's handlers, wait for a later turn.
        let barrier = nextSequence
        let start = now
        let timerDue = firstLiveTimer().map { $0.due <= start } ?? false
        if !timerDue { arm(for: min(firstLiveTimer()?.due ?? .distantFuture, deadline)) }
        var count: Int32 = 0
        let error = readyEvents.withUnsafeMutableBufferPointer { buffer in
            CIOFabric_loop_wait(epollFD, buffer.baseAddress, Int32(buffer.count), timerDue ? 0 : -1, &count)
        }
        precondition(error == 0, "\(nodeName): epoll_wait failed: \(RealRuntimeError.text(of: error))")
        var postsArrived = false
        for position in 0..<Int(count) {
            let event = readyEvents[position]
            switch event.data {
            case Self.timerDatum:
                _ = CIOFabric_loop_drain(timerFD)
                armedFor = nil
            case Self.mailboxDatum:
                _ = CIOFabric_loop_drain(mailbox.eventFD)
                postsArrived = true
            default:
                let index = Int(event.data >> 32)
                let watch = watches[index]
                guard watch.generation == UInt32(truncatingIfNeeded: event.data), let handler = watch.handler else {
                    continue  // unwatched earlier in this turn
                }
                statistics.descriptorEvents += 1
                handler.fileDescriptorReady(watch.fd, events: FileDescriptorEvents(rawValue: event.events))
            }
        }
        if postsArrived { deliverPosts() }
        fireDueTimers(scheduledBefore: barrier)
    }

    /// Arms the timerfd for `instant` (disarms it for ``Instant/distantFuture``), unless it is
    /// armed for that already.
    private func arm(for instant: Instant) {
        guard armedFor != instant else { return }
        let error: Int32
        if instant == .distantFuture {
            error = CIOFabric_loop_timer_set(timerFD, 0, 1)
            armedFor = nil
        } else {
            // Rounded up to the next nanosecond, so the timer never expires before the instant.
            let nanoseconds = (instant.picoseconds + 999) / 1_000
            error = CIOFabric_loop_timer_set(timerFD, startNanoseconds + nanoseconds, 0)
            armedFor = instant
        }
        precondition(error == 0, "\(nodeName): timerfd_settime failed: \(RealRuntimeError.text(of: error))")
    }

    private func deliverPosts() {
        for post in mailbox.takeAll() {
            guard let handler = wakeHandlers[Int(post.waker)] else {
                statistics.postsDropped += 1
                continue
            }
            statistics.postsDelivered += 1
            handler.wakeReceived(post.token)
        }
    }

    /// Fires the timers due by now that were scheduled before `barrier`, in heap order.
    ///
    /// It stops at the first entry from `barrier` on: an older timer due behind it (due after
    /// the turn began, but before the new one) fires on the next turn, which does not wait.
    private func fireDueTimers(scheduledBefore barrier: UInt64) {
        let instant = now
        while let first = firstLiveTimer(), first.due <= instant, first.sequence < barrier {
            _ = heap.removeFirst()
            let index = Int(first.slot)
            guard let handler = timerSlots[index].handler else { preconditionFailure("timer fired for an empty slot") }
            let token = timerSlots[index].token
            releaseTimerSlot(index)
            statistics.timersFired += 1
            handler.timerFired(token)
        }
    }
}
