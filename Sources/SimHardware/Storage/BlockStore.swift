/// A disk's data: sparse, by chunk, with a volatile layer for the write cache.
///
/// The medium (durable) and the cache (volatile) hold chunks of a few blocks (about 4 KiB, so a
/// 4 KiB I/O touches one chunk and allocates at most one array); a chunk never written is
/// zeros. A volatile chunk is a full copy of the chunk (taken from the medium when first
/// cached) plus a mask of its dirty blocks; its clean blocks always equal the medium's, so
/// destaging copies whole chunks and losing power drops them.
struct BlockStore {
    /// One chunk in the write cache.
    private struct CachedChunk {
        var bytes: [UInt8]
        /// Bit `i` set: block `i` of the chunk holds data the medium does not have.
        var dirty: UInt64
    }

    let blockSize: Int
    /// Blocks per chunk: 4 KiB worth, at least one (assumption: 4 KiB is the page size of the
    /// hosts and the usual I/O size, so one chunk per I/O; at most 8 blocks of 512 bytes, which
    /// fits the dirty mask).
    let blocksPerChunk: Int
    private let chunkBytes: Int
    private var medium: [UInt64: [UInt8]] = [:]
    private var cache: [UInt64: CachedChunk] = [:]
    /// Blocks held only in the volatile layer.
    private(set) var dirtyBlockCount = 0

    init(blockSize: Int) {
        precondition(blockSize > 0)
        self.blockSize = blockSize
        blocksPerChunk = max(1, 4_096 / blockSize)
        chunkBytes = blocksPerChunk * blockSize
    }

    /// The latest acknowledged bytes of `blocks` blocks from `lba`: the cache over the medium
    /// over zeros.
    func read(lba: UInt64, blocks: Int) -> [UInt8] {
        var data = [UInt8](repeating: 0, count: blocks * blockSize)
        Self.forEachChunk(offset: lba &* UInt64(blockSize), count: data.count, chunkBytes: chunkBytes) { chunk, inChunk, inData in
            if let source = cache[chunk]?.bytes ?? medium[chunk] {
                data.replaceSubrange(inData, with: source[inChunk])
            }
        }
        return data
    }

    /// Stores `bytes` from the start of block `lba` (a trailing partial block keeps the rest of
    /// its old bytes). `durable` writes go to the medium (and refresh a cached copy, cleaning
    /// blocks they cover whole); the others to the cache, dirtying the blocks they touch.
    mutating func write(lba: UInt64, bytes: ArraySlice<UInt8>, durable: Bool) {
        let start = bytes.startIndex
        let blockSize = self.blockSize
        Self.forEachChunk(offset: lba &* UInt64(blockSize), count: bytes.count, chunkBytes: chunkBytes) { chunk, inChunk, inData in
            let source = bytes[(start + inData.lowerBound)..<(start + inData.upperBound)]
            let firstBlock = inChunk.lowerBound / blockSize
            let endBlock = (inChunk.upperBound + blockSize - 1) / blockSize
            var touched: UInt64 = 0
            for block in firstBlock..<endBlock { touched |= 1 << UInt64(block) }
            if durable {
                var whole: UInt64 = 0
                for block in firstBlock..<endBlock
                where inChunk.lowerBound <= block * blockSize && (block + 1) * blockSize <= inChunk.upperBound {
                    whole |= 1 << UInt64(block)
                }
                medium[chunk, default: [UInt8](repeating: 0, count: chunkBytes)].replaceSubrange(inChunk, with: source)
                if cache[chunk] != nil {
                    let before = cache[chunk]!.dirty
                    cache[chunk]!.bytes.replaceSubrange(inChunk, with: source)
                    cache[chunk]!.dirty = before & ~whole
                    dirtyBlockCount -= (before & whole).nonzeroBitCount
                }
            } else {
                if cache[chunk] == nil {
                    cache[chunk] = CachedChunk(
                        bytes: medium[chunk] ?? [UInt8](repeating: 0, count: chunkBytes), dirty: 0)
                }
                let before = cache[chunk]!.dirty
                cache[chunk]!.bytes.replaceSubrange(inChunk, with: source)
                cache[chunk]!.dirty = before | touched
                dirtyBlockCount += (touched & ~before).nonzeroBitCount
            }
        }
    }

    /// Writes every cached chunk to the medium and empties the cache. The order of the chunks
    /// (a dictionary's) cannot matter: each goes to its own place.
    mutating func destage() {
        for (chunk, cached) in cache where cached.dirty != 0 {
            medium[chunk] = cached.bytes
        }
        cache.removeAll(keepingCapacity: true)
        dirtyBlockCount = 0
    }

    /// Power is gone: the cache's contents are lost.
    mutating func dropVolatile() {
        cache.removeAll()
        dirtyBlockCount = 0
    }

    /// Calls `body(chunk, range in chunk, range in the caller's buffer)` for each chunk the
    /// bytes `offset..<offset+count` of the disk touch, in address order.
    private static func forEachChunk(
        offset: UInt64, count: Int, chunkBytes: Int, _ body: (UInt64, Range<Int>, Range<Int>) -> Void
    ) {
        var done = 0
        while done < count {
            let address = offset + UInt64(done)
            let chunk = address / UInt64(chunkBytes)
            let inChunkStart = Int(address % UInt64(chunkBytes))
            let length = min(chunkBytes - inChunkStart, count - done)
            body(chunk, inChunkStart..<(inChunkStart + length), done..<(done + length))
            done += length
        }
    }
}
