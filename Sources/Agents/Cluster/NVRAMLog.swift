import Hardware

/// A circular log of write records in one half of the node's NVRAM (layout: ``NVRAMLogFormat``).
///
/// ``append(lun:lba:blocks:data:)`` copies a record into NVRAM: it is durable locally when the
/// call returns. ``trim(_:)`` says a record's data reached disk; records complete out of order,
/// and the tail advances over the completed prefix only (the log header is rewritten then).
/// When the ring has no room, `append` returns nil and the caller waits until a `trim` frees
/// space (``trim(_:)`` returns whether the tail moved; the mirror turns that into
/// ``WriteLogDelegate/writeLogSpaceAvailable()``).
///
/// The header's `head` and `next sequence` are written with the tail (at trims and at format),
/// so they are hints: the scanner (``records(in:)``) follows the sequence chain from the tail.
public final class NVRAMLog {
    /// One record, as the scanner reads it back.
    public struct Record: Hashable, Sendable {
        public var sequence: UInt64
        /// The LUN's cluster-wide number.
        public var lun: UInt16
        public var lba: UInt64
        public var blocks: UInt32
        public var data: [UInt8]

        public init(sequence: UInt64, lun: UInt16, lba: UInt64, blocks: UInt32, data: [UInt8]) {
            self.sequence = sequence
            self.lun = lun
            self.lba = lba
            self.blocks = blocks
            self.data = data
        }
    }

    /// A live record's place in the ring.
    struct Entry {
        var sequence: UInt64
        /// Logical position of its first byte.
        var start: UInt64
        /// Logical position after its last byte (padding included).
        var end: UInt64
        var completed = false
    }

    /// The log's half: offset 0 is the log header.
    public let memory: any MemoryBuffer
    /// The ring's length in bytes (the half minus the header).
    public let ringLength: Int
    public private(set) var head: UInt64 = 0
    public private(set) var tail: UInt64 = 0
    public private(set) var nextSequence: UInt64
    /// Live records (appended, not yet passed by the tail), in sequence order, from `first`.
    private var entries: [Entry] = []
    private var first = 0
    /// Appends refused for want of room.
    public private(set) var appendsRefused = 0

    /// Formats `memory` (one half of the NVRAM) as an empty log whose first record will carry
    /// `firstSequence` (at least 1; a node that reuses its log after a reboot passes one past the
    /// highest sequence it ever issued, so stale records never chain on).
    ///
    /// - Precondition: room for the header and one 4 KiB record.
    public init(memory: any MemoryBuffer, firstSequence: UInt64 = 1) {
        precondition(memory.length >= NVRAMLogFormat.headerLength + NVRAMLogFormat.recordSize(dataLength: 4096), "NVRAM log half too small")
        precondition(firstSequence >= 1, "sequence 0 is never issued")
        self.memory = memory
        ringLength = (memory.length - NVRAMLogFormat.headerLength) / NVRAMLogFormat.alignment * NVRAMLogFormat.alignment
        nextSequence = firstSequence
        writeHeader()
    }

    /// Records appended and not yet passed by the tail.
    public var liveRecords: Int { entries.count - first }
    /// Bytes of the ring in use (live records and skipped ends).
    public var usedBytes: Int { Int(head - tail) }
    public var isEmpty: Bool { head == tail }
    /// The sequence of the record at the tail (``nextSequence`` when empty).
    public var tailSequence: UInt64 { first < entries.count ? entries[first].sequence : nextSequence }
    /// The largest data a record may carry in this ring.
    public var maxDataLength: Int { ringLength - NVRAMLogFormat.recordHeaderLength }

    /// The log header as it stands.
    public var header: NVRAMLogFormat.Header {
        NVRAMLogFormat.Header(
            ringLength: UInt64(ringLength), head: head, tail: tail, nextSequence: nextSequence, tailSequence: tailSequence)
    }

    /// Copies a record into the ring and returns its sequence number, or nil when the ring has
    /// no room now (retry after a ``trim(_:)`` that returns true).
    ///
    /// - Precondition: `data.count <= maxDataLength`.
    public func append(lun: UInt16, lba: UInt64, blocks: UInt32, data: [UInt8]) -> UInt64? {
        precondition(data.count <= maxDataLength, "a record larger than the NVRAM log")
        let size = UInt64(NVRAMLogFormat.recordSize(dataLength: data.count))
        let ring = UInt64(ringLength)
        let offset = head % ring
        let skip = offset + size > ring ? ring - offset : 0
        guard head - tail + skip + size <= ring else {
            appendsRefused += 1
            return nil
        }
        let start = head + skip
        let sequence = nextSequence
        let at = NVRAMLogFormat.headerLength + Int(start % ring)
        memory.write(NVRAMLogFormat.encodeRecordHeader(sequence: sequence, lun: lun, lba: lba, blocks: blocks, data: data), at: at)
        memory.write(data, at: at + NVRAMLogFormat.recordHeaderLength)
        if first == entries.count { tail = start }  // an empty log's tail moves to the new record
        entries.append(Entry(sequence: sequence, start: start, end: start + size))
        head = start + size
        nextSequence += 1
        return sequence
    }

    /// Where a live record lies in the half: (offset from the half's start, bytes), or nil when
    /// the tail already passed it.
    public func location(of sequence: UInt64) -> (offset: Int, count: Int)? {
        guard let index = index(of: sequence) else { return nil }
        let entry = entries[index]
        return (NVRAMLogFormat.headerLength + Int(entry.start % UInt64(ringLength)), Int(entry.end - entry.start))
    }

    /// The live part of the ring as at most two spans of the half (offset from the half's start,
    /// bytes), oldest first; empty when the log is.
    public var liveSpans: [(offset: Int, count: Int)] {
        guard head > tail else { return [] }
        let ring = UInt64(ringLength)
        let start = Int(tail % ring)
        let count = Int(head - tail)
        if start + count <= ringLength { return [(NVRAMLogFormat.headerLength + start, count)] }
        return [(NVRAMLogFormat.headerLength + start, ringLength - start),
                (NVRAMLogFormat.headerLength, count - (ringLength - start))]
    }

    private func index(of sequence: UInt64) -> Int? {
        guard first < entries.count, sequence >= entries[first].sequence else { return nil }
        let index = first + Int(sequence - entries[first].sequence)
        return index < entries.count ? index : nil
    }

    /// The record's data reached disk. Returns true when the tail advanced (the header was
    /// rewritten and space freed). Trimming a sequence twice, or one the tail passed, is ignored.
    @discardableResult
    public func trim(_ sequence: UInt64) -> Bool {
        guard let index = index(of: sequence) else { return false }
        entries[index].completed = true
        guard index == first else { return false }
        while first < entries.count, entries[first].completed { first += 1 }
        tail = first < entries.count ? entries[first].start : head
        if first > 64, first * 2 > entries.count {
            entries.removeFirst(first)
            first = 0
        }
        writeHeader()
        return true
    }

    private func writeHeader() {
        memory.write(NVRAMLogFormat.encode(header), at: 0)
    }

    // MARK: Replay scanner

    /// The records of a log image (e.g. the partner's log mirrored in the local NVRAM's other
    /// half), from its header's tail in sequence order, up to the first record that does not
    /// check out (bad magic, bounds or checksum, or not the next sequence). Empty when the
    /// header does not check out. Never traps, whatever the bytes.
    public static func records(in image: any MemoryBuffer) -> [Record] {
        image.withUnsafeBytes { bytes in scan(bytes) }
    }

    static func scan(_ image: UnsafeRawBufferPointer) -> [Record] {
        guard let header = NVRAMLogFormat.decodeHeader(image) else { return [] }
        let ringLength = Int(header.ringLength)
        let ring = UnsafeRawBufferPointer(rebasing: image[NVRAMLogFormat.headerLength..<(NVRAMLogFormat.headerLength + ringLength)])
        var records: [Record] = []
        var sequence = header.tailSequence
        var offset = Int(header.tail % header.ringLength)
        var consumed = 0
        while consumed < ringLength {
            var record = NVRAMLogFormat.decodeRecord(ring, at: offset, sequence: sequence)
            if record == nil, offset != 0 {
                // The writer skips the ring's end when a record does not fit before it.
                consumed += ringLength - offset
                offset = 0
                guard consumed < ringLength else { break }
                record = NVRAMLogFormat.decodeRecord(ring, at: 0, sequence: sequence)
            }
            guard let found = record else { break }
            let size = NVRAMLogFormat.recordSize(dataLength: found.data.count)
            consumed += size
            guard consumed <= ringLength else { break }
            records.append(found)
            offset = (offset + size) % ringLength
            guard sequence < UInt64.max else { break }
            sequence += 1
        }
        return records
    }
}
