import Timebase

/// How a drive picks the next queued command for its mechanism.
public enum DiskScheduling: Hashable, Sendable {
    /// Shortest positioning time first among the simple tasks that may run (SCSI TCQ).
    case shortestPositioningTimeFirst
    /// In arrival order (ATA, one command at a time).
    case firstComeFirstServed
}

/// A command waiting for the mechanism.
struct QueuedAccess {
    var pending: PendingCommand
    var port: DrivePort
    /// Arrival order.
    var sequence: UInt64
    /// Where the access's first block lies (nil for a flush): computed once on arrival, as
    /// shortest-positioning-time-first asks for every waiting access at each decision.
    var start: (block: PhysicalBlock, zone: Int)?

    init(pending: PendingCommand, port: DrivePort, sequence: UInt64, layout: DiskLayout) {
        self.pending = pending
        self.port = port
        self.sequence = sequence
        start = pending.access.lba.map { layout.locateInZone($0) }
    }
}

/// The drive's task set: the commands accepted and not yet started, in arrival order.
///
/// Task attributes (SAM-2 §8.6, SCSI-2 tagged queueing):
/// - HEAD OF QUEUE runs before every waiting task; among several, the newest first (each is
///   placed at the head of the task set as it arrives).
/// - ORDERED runs only when every task accepted before it has run, and before any accepted
///   after it: it is a barrier.
/// - SIMPLE tasks before the first waiting ORDERED one may run in any order; the drive picks
///   the one with the shortest positioning time (ties: the oldest).
struct DiskQueue {
    private(set) var entries: [QueuedAccess] = []

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    mutating func append(_ entry: QueuedAccess) { entries.append(entry) }

    mutating func removeAll() { entries.removeAll() }

    /// Removes the queued accesses of `initiators` (aborted tasks), returning how many.
    mutating func removeAll(from initiators: [InitiatorID]) -> Int {
        let before = entries.count
        entries.removeAll { initiators.contains($0.pending.command.initiator) }
        return before - entries.count
    }

    /// Removes and returns the task at `index` (from ``nextIndex(policy:mechanics:at:)``).
    mutating func remove(at index: Int) -> QueuedAccess { entries.remove(at: index) }

    /// The index of the task to run next under `policy`, or nil if none waits.
    ///
    /// `mechanics` is only read; it is `inout` so that a caller keeping it in a class passes it
    /// in place (passed by value from a class's property it was copied per decision: retains
    /// of its model's and buffer's arrays).
    func nextIndex(policy: DiskScheduling, mechanics: inout DiskMechanics, at time: Instant) -> Int? {
        guard !entries.isEmpty else { return nil }
        if let headOfQueue = entries.lastIndex(where: { $0.pending.command.taskAttribute == .headOfQueue }) {
            return headOfQueue
        }
        if policy == .firstComeFirstServed || entries[0].pending.command.taskAttribute == .ordered { return 0 }
        var best = 0
        var bestTime = TimeSpan(picoseconds: .max)
        let arm = mechanics.armPosition(at: time)
        for index in entries.indices {
            if entries[index].pending.command.taskAttribute == .ordered { break }
            let time = mechanics.positioningTime(
                for: entries[index].pending.access, at: time, arm: arm, start: entries[index].start)
            if time < bestTime {
                best = index
                bestTime = time
            }
        }
        return best
    }
}
