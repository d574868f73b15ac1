import Timebase

/// What a ``SimDisk`` has done.
public struct DiskStatistics: Hashable, Sendable {
    /// Commands answered (every status, TASK SET FULL included).
    public var commandsAnswered = 0
    /// Media accesses completed (reads, writes, flushes).
    public var accessesCompleted = 0
    /// Accesses served from the buffer (read hits, read-ahead, cached writes).
    public var bufferHits = 0
    /// Commands refused with TASK SET FULL.
    public var taskSetFull = 0
    /// Queued commands aborted by another initiator's PREEMPT AND ABORT.
    public var tasksAborted = 0
    /// Commands received and dropped unanswered (dead or unpowered drive, or lost in a pull
    /// or a power loss).
    public var commandsDropped = 0
    /// Bytes returned by reads and accepted by writes.
    public var bytesRead = 0
    public var bytesWritten = 0
    /// Time the mechanism spent serving accesses.
    public var busyTime = TimeSpan.zero

    public init() {}

    /// The fraction of `elapsed` the mechanism was busy, at most 1: an access is counted
    /// whole when it starts, so one in service when a run stops may reach past its end.
    public func utilisation(over elapsed: TimeSpan) -> Double {
        elapsed > .zero ? min(1, busyTime.seconds / elapsed.seconds) : 0
    }
}
