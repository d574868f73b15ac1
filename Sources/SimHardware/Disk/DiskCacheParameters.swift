/// A drive's buffer: a segmented read cache with read-ahead, and a volatile write cache.
public struct DiskCacheParameters: Hashable, Sendable {
    /// Read segments; each caches one run of consecutive blocks (one sequential stream).
    public var segmentCount: Int
    /// Blocks per segment.
    public var segmentBlocks: Int
    /// After a read miss the drive keeps reading up to this many blocks past the request
    /// (while no other access needs the heads).
    public var maxReadAheadBlocks: Int
    /// Dirty blocks the write cache holds before it must destage.
    public var writeCapacityBlocks: Int
    /// Whether the write cache is on by default (WCE in the caching mode page).
    public var writeCacheEnabled: Bool

    public init(
        segmentCount: Int, segmentBlocks: Int, maxReadAheadBlocks: Int, writeCapacityBlocks: Int,
        writeCacheEnabled: Bool
    ) {
        precondition(segmentCount >= 1 && segmentBlocks >= 1 && maxReadAheadBlocks >= 0 && writeCapacityBlocks >= 1)
        self.segmentCount = segmentCount
        self.segmentBlocks = segmentBlocks
        self.maxReadAheadBlocks = maxReadAheadBlocks
        self.writeCapacityBlocks = writeCapacityBlocks
        self.writeCacheEnabled = writeCacheEnabled
    }
}
