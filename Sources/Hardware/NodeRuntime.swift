/// The event loop one node's agents run on: the only source of time and of timers they have.
///
/// An implementation runs like this:
///
///     while the node is up:
///         wait for the next thing to happen (virtual time: the next simulator event;
///         real time: epoll over completion channels, timerfd and file descriptors)
///         run its handler to completion
///
/// Handlers must not block: device work is posted and completes later, on this loop.
///
/// In simulation every node's runtime is a view onto the one simulator; in real mode each
/// process has one runtime. Agents cannot tell which.
///
/// - Warning: A runtime is not thread-safe. Call it only from its own handlers (and set-up
///   code before it runs).
public protocol NodeRuntime: AnyObject {
    /// The name of the node this runtime drives, e.g. `"red"` or `"host0"`.
    var nodeName: String { get }

    /// The current time. In simulation it is the time of the event being handled; in real
    /// mode the monotonic clock since the runtime started. It never goes backwards.
    var now: Instant { get }

    /// Calls `handler.timerFired(token)` on this loop after `delay`, unless cancelled first.
    ///
    /// The call never happens re-entrantly from inside `scheduleTimer`, even for a zero delay.
    /// Timers due at the same instant fire in the order they were scheduled.
    ///
    /// - Parameters:
    ///   - delay: how long from ``now``; must not be negative.
    ///   - handler: the object to call; the runtime keeps it alive until the timer fires or is cancelled.
    ///   - token: handed back to the handler, to tell its timers apart without a closure per timer.
    /// - Returns: a handle for ``cancelTimer(_:)``.
    @discardableResult
    func scheduleTimer(after delay: TimeSpan, handler: any TimerHandler, token: UInt64) -> TimerHandle

    /// Cancels a timer. Returns false when it already fired or was cancelled; that is not an
    /// error (a completion racing its own timeout is normal).
    @discardableResult
    func cancelTimer(_ timer: TimerHandle) -> Bool

    /// A random stream owned by the caller, named after it (e.g. `"red.failover-monitor"`).
    ///
    /// In simulation it derives from the run's seed and the name, so it is the same in every
    /// run of a scenario and independent of every other stream; in real mode it is seeded
    /// from the runtime's seed (printed at start), so a real run's choices can be repeated.
    func randomStream(named name: String) -> RandomStream
}

/// An object that receives timer callbacks from a ``NodeRuntime``.
///
/// A protocol instead of a closure per timer: agents arm timers per request and per packet,
/// and a closure allocation per event measured 3.5× slower than a value event here.
public protocol TimerHandler: AnyObject {
    /// The timer scheduled with `token` has expired. Runs on the runtime's loop.
    func timerFired(_ token: UInt64)
}

/// A handle to a pending timer of a ``NodeRuntime``; meaningful only to the runtime that made it.
public struct TimerHandle: Hashable, Sendable {
    /// The runtime's own encoding of the timer.
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }
}
