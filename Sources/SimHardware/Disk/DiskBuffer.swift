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

    /// The read segments. Change them through ``setSegment(_:_:)``, ``setFirst(of:_:)`` and
    /// ``setEnd(of:_:)``, which keep ``occupied`` true to them.
    private(set) var segments: [Segment]
    /// Which LBA buckets some segment's blocks fall in (see ``SegmentOccupancy``).
    private var occupied = SegmentOccupancy()
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

    mutating func setSegment(_ index: Int, _ segment: Segment) {
        occupied.remove(segments[index])
        segments[index] = segment
        occupied.insert(segment)
    }

    mutating func setFirst(of index: Int, _ first: UInt64) {
        occupied.remove(segments[index])
        segments[index].first = first
        occupied.insert(segments[index])
    }

    mutating func setEnd(of index: Int, _ end: UInt64) {
        occupied.remove(segments[index])
        segments[index].end = end
        occupied.insert(segments[index])
    }

    /// The static segment holding all of `lba ..< lba + blocks`, if any.
    func segment(holding lba: UInt64, _ blocks: Int) -> Int? {
        // The scheduler asks this of every queued read at each decision (16 reads × 16
        // segments under a deep queue): most misses end at the bitmap.
        guard occupied.mayContain(lba) else { return nil }
        // A plain loop: a closure over `segments` retained the array per call.
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
        occupied = SegmentOccupancy()
        readAhead = nil
        dirty.removeAll()
        dirtyBlocks = 0
    }
}

/// A filter over LBAs in buckets of 1024 blocks (taken modulo 256): how many read segments
/// have blocks in each bucket. A block whose bucket counts none is in no segment; a bucket that
/// counts some may be a false positive (another bucket with the same residue), which the scan
/// of the segments then settles. Kept up to date segment by segment.
struct SegmentOccupancy: Hashable, Sendable {
    private var counts = [UInt16](repeating: 0, count: 256)
    private static let bucketShift: UInt64 = 10

    /// Counts the buckets `segment` has blocks in (every bucket once, for a run of 256 buckets
    /// or more). A segment whose running read-ahead moved `first` past the `end` it has
    /// recorded holds nothing until the read-ahead stops, and counts nowhere.
    mutating func insert(_ segment: DiskBuffer.Segment) { adjust(segment, by: 1) }

    /// Undoes ``insert(_:)`` of the same segment.
    mutating func remove(_ segment: DiskBuffer.Segment) { adjust(segment, by: -1) }

    @inline(__always)
    func mayContain(_ lba: UInt64) -> Bool {
        counts[Int((lba >> Self.bucketShift) & 255)] != 0
    }

    private mutating func adjust(_ segment: DiskBuffer.Segment, by delta: Int) {
        guard segment.first < segment.end else { return }
        let first = segment.first >> Self.bucketShift
        let last = min((segment.end - 1) >> Self.bucketShift, first + 255)
        var bucket = first
        while bucket <= last {
            let index = Int(bucket & 255)
            counts[index] = UInt16(Int(counts[index]) + delta)
            bucket += 1
        }
    }
}
