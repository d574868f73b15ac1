import Timebase

/// The state of a drive's buffer that the mechanism's timing depends on (the bytes themselves
/// are the command set's): which runs of blocks the read segments hold, the read-ahead in
/// progress, and which extents the write cache must still destage.
struct DiskBuffer: Hashable, Sendable {
    /// One read segment: blocks `first ..< end` are in the buffer. Empty when `first == end`.
    struct Segment: Hashable, Sendable {
        var first: UInt64 = 0
        var end: UInt64 = 0
        /// Recency: the larger, the more recently used; 0 = never used (replaced first).
        var lastUse: UInt64 = 0

        var isEmpty: Bool { first == end }

        func holds(_ lba: UInt64, _ blocks: Int) -> Bool {
            !isEmpty && first <= lba && lba + UInt64(blocks) <= end
        }

        func overlaps(_ lba: UInt64, _ blocks: Int) -> Bool {
            !isEmpty && lba < end && first < lba + UInt64(blocks)
        }
    }

    /// The read-ahead running after a read miss: the heads keep reading the blocks after
    /// `lastRead` into `segment` until `limit` (exclusive), or until another access needs them.
    struct ReadAhead: Hashable, Sendable {
        var segment: Int
        /// The last block already in the segment; read-ahead continues with the next one.
        var lastRead: UInt64
        /// Where the heads were when `lastRead` had passed under them, and when.
        var head: HeadPosition
        var time: Instant
        /// The first block the read-ahead will not read.
        var limit: UInt64
    }

    /// A run of dirty blocks in the write cache, in arrival order.
    struct DirtyExtent: Hashable, Sendable {
        var lba: UInt64
        var blocks: Int
    }

    var segments: [Segment]
    var readAhead: ReadAhead?
    var dirty: [DirtyExtent] = []
    /// Blocks written into the cache since the last destage (a rewrite counts again).
    var dirtyBlocks = 0
    private var useClock: UInt64 = 0

    init(segmentCount: Int) {
        segments = Array(repeating: Segment(), count: segmentCount)
    }

    /// Marks `segment` as just used.
    mutating func touch(_ segment: Int) {
        useClock += 1
        segments[segment].lastUse = useClock
    }

    /// The segment a new run replaces: the least recently used (lowest index among equals).
    func victim() -> Int {
        var best = 0
        for index in segments.indices where segments[index].lastUse < segments[best].lastUse { best = index }
        return best
    }

    /// The static segment holding all of `lba ..< lba + blocks`, if any.
    func segment(holding lba: UInt64, _ blocks: Int) -> Int? {
        // A plain loop: the scheduler asks this of every queued read at each decision, and a
        // closure over `segments` retained the array per call.
        var index = 0
        while index < segments.count {
            if segments[index].holds(lba, blocks) { return index }
            index += 1
        }
        return nil
    }

    /// Takes the dirty extents, sorted by LBA and merged where they touch or overlap (the
    /// order an elevator destage writes them), and empties the write cache.
    mutating func takeDirtyExtents() -> [DirtyExtent] {
        let sorted = dirty.sorted { ($0.lba, $0.blocks) < ($1.lba, $1.blocks) }
        var merged: [DirtyExtent] = []
        for extent in sorted {
            if let last = merged.last, extent.lba <= last.lba + UInt64(last.blocks) {
                let end = max(last.lba + UInt64(last.blocks), extent.lba + UInt64(extent.blocks))
                merged[merged.count - 1].blocks = Int(end - last.lba)
            } else {
                merged.append(extent)
            }
        }
        dirty.removeAll()
        dirtyBlocks = 0
        return merged
    }

    /// Power is gone: nothing in the buffer survives.
    mutating func clear() {
        segments = Array(repeating: Segment(), count: segments.count)
        readAhead = nil
        dirty.removeAll()
        dirtyBlocks = 0
    }
}
