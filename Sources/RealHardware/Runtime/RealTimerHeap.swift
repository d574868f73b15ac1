import Hardware

/// The pending timers of a ``RealNodeRuntime``: a binary min-heap keyed by (due instant,
/// sequence number), so timers due at the same instant come out in the order they were
/// scheduled.
///
/// Cancellation is lazy: an entry names a slot and the slot's generation; the runtime skips an
/// entry whose slot has moved on. ``compact(keeping:)`` drops such entries when they pile up.
struct RealTimerHeap {
    /// One scheduled timer.
    struct Entry {
        /// When it is due, since the runtime started.
        var due: Instant
        /// The order it was scheduled in (never repeats).
        var sequence: UInt64
        /// The runtime's slot of the timer's handler and token.
        var slot: UInt32
        /// The slot's generation when the timer was scheduled.
        var generation: UInt32

        /// Whether `self` comes out before `other`.
        func precedes(_ other: Entry) -> Bool {
            due < other.due || (due == other.due && sequence < other.sequence)
        }
    }

    private(set) var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    /// The entry that comes out next.
    var first: Entry? { entries.first }

    mutating func insert(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the first entry.
    mutating func removeFirst() -> Entry {
        precondition(!entries.isEmpty, "removeFirst on an empty timer heap")
        let first = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(from: 0)
        }
        return first
    }

    /// Keeps only the entries `isLive` accepts, and restores the heap order.
    mutating func compact(keeping isLive: (Entry) -> Bool) {
        entries.removeAll { !isLive($0) }
        var index = entries.count / 2
        while index > 0 {
            index -= 1
            siftDown(from: index)
        }
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return }
            var smallest = left
            let right = left + 1
            if right < entries.count, entries[right].precedes(entries[left]) { smallest = right }
            guard entries[smallest].precedes(entries[parent]) else { return }
            entries.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
