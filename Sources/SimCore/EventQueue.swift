/// The pending events of a simulation, a 4-ary min-heap ordered by ``Event/runsBefore(_:)``.
///
/// Invariant: every node runs before (or is) each of its up to four children. Because
/// `(time, sequence)` is a strict total order, the pop order is fully determined by the
/// events themselves: equal times run in scheduling order, never in heap or memory order.
///
/// A 4-ary heap halves the depth of a binary one and keeps a node's children in one or two
/// cache lines (four 32-byte events); sifts move a hole instead of swapping.
///
/// - Complexity: ``push(_:)`` and ``popMin()`` are O(log₄ n).
@usableFromInline
struct EventQueue {
    @usableFromInline
    var storage: ContiguousArray<Event>

    @inlinable
    init(capacity: Int = 1024) {
        storage = []
        storage.reserveCapacity(capacity)
    }

    @inlinable
    var count: Int { storage.count }

    @inlinable
    var isEmpty: Bool { storage.isEmpty }

    /// The event that runs next, if any.
    @inlinable
    var min: Event? { storage.first }

    @inlinable
    mutating func push(_ event: Event) {
        storage.append(event)
        storage.withUnsafeMutableBufferPointer { heap in
            var hole = heap.count - 1
            while hole > 0 {
                let parent = (hole - 1) >> 2
                if !event.runsBefore(heap[parent]) { break }
                heap[hole] = heap[parent]
                hole = parent
            }
            heap[hole] = event
        }
    }

    /// Removes and returns the event that runs next. The queue must not be empty.
    @inlinable
    mutating func popMin() -> Event {
        precondition(!storage.isEmpty, "popMin on an empty event queue")
        let last = storage.removeLast()
        if storage.isEmpty { return last }
        let first = storage[0]
        storage.withUnsafeMutableBufferPointer { heap in
            EventQueue.replaceRoot(with: last, in: heap)
        }
        return first
    }

    /// Fills the root's hole with `event` the bottom-up way (Floyd; Wegener's "bottom-up
    /// heapsort"): walk the hole down along the smallest children to a leaf without comparing
    /// against `event`, then sift `event` up from there. The element taken from the end of the
    /// heap almost always belongs near the bottom, so this saves most comparisons.
    @inlinable
    static func replaceRoot(with event: Event, in heap: UnsafeMutableBufferPointer<Event>) {
        let count = heap.count
        var hole = 0
        while true {
            let firstChild = 4 &* hole &+ 1
            if firstChild >= count { break }
            var best = firstChild
            if firstChild &+ 3 < count {
                let b01 = heap[firstChild &+ 1].runsBefore(heap[firstChild]) ? firstChild &+ 1 : firstChild
                let b23 = heap[firstChild &+ 3].runsBefore(heap[firstChild &+ 2]) ? firstChild &+ 3 : firstChild &+ 2
                best = heap[b23].runsBefore(heap[b01]) ? b23 : b01
            } else {
                var child = firstChild &+ 1
                while child < count {
                    if heap[child].runsBefore(heap[best]) { best = child }
                    child &+= 1
                }
            }
            heap[hole] = heap[best]
            hole = best
        }
        while hole > 0 {
            let parent = (hole &- 1) >> 2
            if !event.runsBefore(heap[parent]) { break }
            heap[hole] = heap[parent]
            hole = parent
        }
        heap[hole] = event
    }

    /// Places `event` at `start` (a hole) and moves it down until the heap order holds.
    @inlinable
    static func siftDown(_ event: Event, from start: Int, in heap: UnsafeMutableBufferPointer<Event>) {
        let count = heap.count
        var hole = start
        while true {
            let firstChild = 4 * hole + 1
            if firstChild >= count { break }
            var best = firstChild
            let lastChild = Swift.min(firstChild + 3, count - 1)
            var child = firstChild + 1
            while child <= lastChild {
                if heap[child].runsBefore(heap[best]) { best = child }
                child += 1
            }
            if !heap[best].runsBefore(event) { break }
            heap[hole] = heap[best]
            hole = best
        }
        heap[hole] = event
    }

    /// Keeps only the events for which `keep` is true, then restores the heap order.
    ///
    /// - Complexity: O(n).
    @usableFromInline
    mutating func removeAll(where remove: (Event) -> Bool) {
        storage.removeAll(where: remove)
        storage.withUnsafeMutableBufferPointer { heap in
            guard heap.count > 1 else { return }
            var index = (heap.count - 2) >> 2
            while index >= 0 {
                EventQueue.siftDown(heap[index], from: index, in: heap)
                index -= 1
            }
        }
    }

    /// Checks the heap invariant over the whole queue (tests only: O(n)).
    func checkInvariant() -> Bool {
        for index in storage.indices.dropFirst() where storage[index].runsBefore(storage[(index - 1) >> 2]) {
            return false
        }
        return true
    }
}
