import Timebase

/// A drive's mechanism and buffer in time, without bytes and without a simulator: where the
/// arm is, where the platter is (it spins continuously, so its angle at time t is
/// (t · rpm / 60) mod 1 and rotational latency follows from the geometry), what the read
/// segments and the write cache hold, and what each ``MediaAccess`` costs.
///
/// Costs:
/// - **Read hit** (all blocks in a segment): read-hit overhead + buffer transfer.
/// - **Read-ahead hit** (the request starts inside a segment whose read-ahead is still
///   running): done when the last block has come off the medium, but no earlier than
///   overhead + buffer transfer; the read-ahead limit moves past the request, so a
///   sequential stream of reads runs at the media rate.
/// - **Read miss**: read-miss overhead + seek + rotational wait + media transfer (the buffer
///   transfer overlaps the media's); then read-ahead continues in the background.
/// - **Write into the cache** (write cache on, no FUA): write-cached overhead + buffer
///   transfer; first a destage if the new blocks would overflow the write capacity.
/// - **Write to the medium** (write cache off, or FUA): write-miss overhead + seek + write
///   settle + rotational wait + media transfer.
/// - **Flush**: write-miss overhead + destage (dirty extents in LBA order, each positioned and
///   written).
/// Any access that moves the arm stops the read-ahead where it has got to.
public struct DiskMechanics: Hashable, Sendable {
    /// The drive model.
    public let model: DiskModel
    /// Whether writes without FUA complete into the write cache.
    public var writeCacheEnabled: Bool
    /// Where the arm was left by the last access (the read-ahead may have moved it since).
    public private(set) var position = HeadPosition(cylinder: 0, head: 0)
    var buffer: DiskBuffer

    /// A mechanism at rest over cylinder 0, with an empty buffer; `writeCacheEnabled`
    /// overrides the model's default.
    public init(model: DiskModel, writeCacheEnabled: Bool? = nil) {
        self.model = model
        self.writeCacheEnabled = writeCacheEnabled ?? model.cache.writeCacheEnabled
        buffer = DiskBuffer(segmentCount: model.cache.segmentCount)
    }

    /// Blocks written into the write cache and not yet destaged (by this model's count).
    public var dirtyBlocks: Int { buffer.dirtyBlocks }

    // MARK: - Timing

    /// The time from `time` until this access's data starts to move (overhead included):
    /// the shortest-positioning-time-first key.
    public func positioningTime(for access: MediaAccess, at time: Instant) -> TimeSpan {
        positioningTime(for: access, at: time, arm: armPosition(at: time))
    }

    /// ``positioningTime(for:at:)`` with the arm's position at `time` already known (a
    /// scheduler comparing a whole queue computes it once), and where the access's first block
    /// lies if known (`start`: ``DiskLayout/locateInZone(_:)`` of its LBA).
    func positioningTime(
        for access: MediaAccess, at time: Instant, arm: HeadPosition, start: (block: PhysicalBlock, zone: Int)? = nil
    ) -> TimeSpan {
        switch access {
        case .read(let lba, let blocks):
            switch readSource(lba: lba, blocks: blocks, at: time) {
            case .segment, .readAhead: return model.readHitOverhead
            case .medium:
                let begin = time + model.readMissOverhead
                return move(
                    lba: lba, blocks: blocks, from: arm, at: begin, write: false, positioningOnly: true, located: start
                ).start - time
            }
        case .write(let lba, let blocks, let forceUnitAccess):
            if writeCacheEnabled && !forceUnitAccess { return model.writeCachedOverhead }
            let begin = time + model.writeMissOverhead
            return move(
                lba: lba, blocks: blocks, from: arm, at: begin, write: true, positioningOnly: true, located: start
            ).start - time
        case .flush:
            let begin = time + model.writeMissOverhead
            guard let first = buffer.dirty.min(by: { $0.lba < $1.lba }) else { return model.writeMissOverhead }
            return move(lba: first.lba, blocks: first.blocks, from: arm, at: begin, write: true, positioningOnly: true).start - time
        }
    }

    /// Performs `access` starting at `time` (the mechanism is idle) and returns its cost.
    public mutating func service(_ access: MediaAccess, at time: Instant) -> MediaService {
        switch access {
        case .read(let lba, let blocks):
            return read(lba: lba, blocks: blocks, at: time)
        case .write(let lba, let blocks, let forceUnitAccess):
            invalidateSegments(overlapping: lba, blocks, at: time)
            if writeCacheEnabled && !forceUnitAccess {
                return cachedWrite(lba: lba, blocks: blocks, at: time)
            }
            let begin = time + model.writeMissOverhead
            stopReadAhead(at: begin)
            let timing = move(lba: lba, blocks: blocks, from: position, at: begin, write: true)
            position = timing.head
            return MediaService(
                duration: timing.end - time, mechanicalTime: timing.end - begin, destagedWriteCache: false,
                servedFromBuffer: false)
        case .flush:
            let begin = time + model.writeMissOverhead
            let end = destage(at: begin)
            return MediaService(
                duration: end - time, mechanicalTime: end - begin, destagedWriteCache: true, servedFromBuffer: false)
        }
    }

    /// Power is gone: the buffer's contents (read segments, read-ahead, dirty blocks) are lost.
    public mutating func powerLost() {
        buffer.clear()
    }

    // MARK: - Reads

    private mutating func read(lba: UInt64, blocks: Int, at time: Instant) -> MediaService {
        let bufferDone = time + model.readHitOverhead + model.bufferTransfer(bytes: blocks * 512)
        switch readSource(lba: lba, blocks: blocks, at: time) {
        case .segment(let segment):
            buffer.touch(segment)
            return MediaService(
                duration: bufferDone - time, mechanicalTime: .zero, destagedWriteCache: false, servedFromBuffer: true)
        case .readAhead(let ready):
            var ahead = buffer.readAhead!
            buffer.setFirst(of: ahead.segment, lba)
            let window = UInt64(min(model.cache.maxReadAheadBlocks, max(0, model.cache.segmentBlocks - blocks)))
            ahead.limit = max(ahead.limit, min(model.blockCount, lba + UInt64(blocks) + window))
            buffer.readAhead = ahead
            buffer.touch(ahead.segment)
            let end = max(bufferDone, ready)
            return MediaService(
                duration: end - time, mechanicalTime: .zero, destagedWriteCache: false, servedFromBuffer: true)
        case .medium:
            let begin = time + model.readMissOverhead
            stopReadAhead(at: begin)
            invalidateSegments(overlapping: lba, blocks, at: begin)
            let timing = move(lba: lba, blocks: blocks, from: position, at: begin, write: false)
            position = timing.head
            let segment = buffer.victim()
            let end = lba + UInt64(blocks)
            buffer.setSegment(segment, DiskBuffer.Segment(first: lba, end: end))
            buffer.touch(segment)
            let window = UInt64(min(model.cache.maxReadAheadBlocks, max(0, model.cache.segmentBlocks - blocks)))
            let limit = min(model.blockCount, end + window)
            if limit > end {
                buffer.readAhead = DiskBuffer.ReadAhead(
                    segment: segment, lastRead: end - 1, head: timing.head, time: timing.end, limit: limit)
            }
            return MediaService(
                duration: timing.end - time, mechanicalTime: timing.end - begin, destagedWriteCache: false,
                servedFromBuffer: false)
        }
    }

    enum ReadSource: Hashable {
        /// Every block is in this segment.
        case segment(Int)
        /// The running read-ahead holds, or will have read by `ready`, every block.
        case readAhead(ready: Instant)
        case medium
    }

    func readSource(lba: UInt64, blocks: Int, at time: Instant) -> ReadSource {
        if let segment = buffer.segment(holding: lba, blocks) { return .segment(segment) }
        guard let ahead = buffer.readAhead else { return .medium }
        let segment = buffer.segments[ahead.segment]
        let last = lba + UInt64(blocks) - 1
        guard segment.first <= lba, lba <= ahead.limit, last < model.blockCount else { return .medium }
        if arrival(of: ahead.limit - 1, in: ahead) <= time {
            // The read-ahead has already stopped at its limit: only what it read is there.
            return last < ahead.limit ? .readAhead(ready: time) : .medium
        }
        return .readAhead(ready: last <= ahead.lastRead ? time : arrival(of: last, in: ahead))
    }

    /// When block `lba` (after `ahead.lastRead`) has come off the medium if the read-ahead runs on.
    func arrival(of lba: UInt64, in ahead: DiskBuffer.ReadAhead) -> Instant {
        guard lba > ahead.lastRead else { return ahead.time }
        return move(
            lba: ahead.lastRead + 1, blocks: Int(lba - ahead.lastRead), from: ahead.head, at: ahead.time, write: false
        ).end
    }

    /// Where the arm is at `time`, following a running read-ahead.
    func armPosition(at time: Instant) -> HeadPosition {
        guard let ahead = buffer.readAhead, let read = blocksReadAhead(by: time, ahead), read > 0 else {
            return position
        }
        let place = model.layout.locate(ahead.lastRead + read)
        return HeadPosition(cylinder: place.cylinder, head: place.head)
    }

    /// How many blocks past `ahead.lastRead` the read-ahead has read by `time` (binary search).
    private func blocksReadAhead(by time: Instant, _ ahead: DiskBuffer.ReadAhead) -> UInt64? {
        var low: UInt64 = 0
        var high = ahead.limit - 1 - ahead.lastRead
        // Under a queue the next access usually takes the arm before the read-ahead's first
        // block is in: answer that case with one short move instead of the whole search.
        if high > 0 && arrival(of: ahead.lastRead + 1, in: ahead) > time { return 0 }
        while low < high {
            let middle = (low + high + 1) / 2
            if arrival(of: ahead.lastRead + middle, in: ahead) <= time { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The arm is needed elsewhere at `time`: the read-ahead keeps what it has read.
    mutating func stopReadAhead(at time: Instant) {
        guard let ahead = buffer.readAhead else { return }
        position = armPosition(at: time)
        let read = blocksReadAhead(by: time, ahead) ?? 0
        buffer.setEnd(of: ahead.segment, ahead.lastRead + 1 + read)
        buffer.readAhead = nil
    }

    private mutating func invalidateSegments(overlapping lba: UInt64, _ blocks: Int, at time: Instant) {
        if let ahead = buffer.readAhead {
            let segment = buffer.segments[ahead.segment]
            if segment.first < lba + UInt64(blocks) && lba < ahead.limit { stopReadAhead(at: time) }
        }
        for index in buffer.segments.indices where buffer.segments[index].overlaps(lba, blocks) {
            buffer.setSegment(index, DiskBuffer.Segment())
        }
    }

    // MARK: - Writes

    private mutating func cachedWrite(lba: UInt64, blocks: Int, at time: Instant) -> MediaService {
        var begin = time
        var destaged = false
        var mechanical = TimeSpan.zero
        if buffer.dirtyBlocks > 0 && buffer.dirtyBlocks + blocks > model.cache.writeCapacityBlocks {
            let start = time + model.writeMissOverhead
            begin = destage(at: start)
            mechanical = begin - start
            destaged = true
        }
        buffer.dirty.append(DiskBuffer.DirtyExtent(lba: lba, blocks: blocks))
        buffer.dirtyBlocks += blocks
        let end = begin + model.writeCachedOverhead + model.bufferTransfer(bytes: blocks * 512)
        return MediaService(
            duration: end - time, mechanicalTime: mechanical, destagedWriteCache: destaged, servedFromBuffer: !destaged)
    }

    /// Writes every dirty extent, in LBA order, starting at `time`; returns when it is done.
    private mutating func destage(at time: Instant) -> Instant {
        stopReadAhead(at: time)
        var now = time
        for extent in buffer.takeDirtyExtents() {
            invalidateSegments(overlapping: extent.lba, extent.blocks, at: now)
            let timing = move(lba: extent.lba, blocks: extent.blocks, from: position, at: now, write: true)
            position = timing.head
            now = timing.end
        }
        return now
    }
}
