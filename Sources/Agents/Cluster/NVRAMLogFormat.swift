import Hardware

/// The byte layout of an NVRAM write log (one half of a node's NVRAM), shared by the writer
/// (``NVRAMLog``) and the replay scanner (``NVRAMLog/records(in:)``). All integers little-endian.
///
/// The half starts with a 64-byte **log header**, then the **ring**: records laid one after the
/// other at 8-byte-aligned positions. Positions are *logical* byte offsets into the ring that
/// only grow (ring offset = logical mod ring length); a record never straddles the ring's end:
/// when it does not fit before the end the writer skips the rest and puts it at ring offset 0.
///
/// Header (64 bytes): magic `"NVLH"` (u32) · version (u16) · reserved (u16) · ring length (u64) ·
/// head (u64, logical) · tail (u64, logical: the oldest live record) · next sequence (u64) ·
/// tail sequence (u64: the record at the tail) · FNV-1a 64 of the preceding 48 bytes (u64) ·
/// 8 bytes zero.
///
/// Record (40-byte header + data, padded to 8 bytes): magic `"NVLR"` (u32) · reserved (u16) ·
/// LUN (u16, cluster-wide) · sequence (u64) · LBA (u64) · blocks (u32) · data length (u32) ·
/// checksum (u64): **FNV-1a 64** over the 40-byte header with the checksum field zero, then
/// the data. FNV-1a rather than CRC-32C: no table, 64 bits, and the simulator needs no
/// hardware help; a torn or stale record fails it (or the sequence chain) with overwhelming odds.
public enum NVRAMLogFormat {
    public static let headerMagic: UInt32 = 0x4E56_4C48  // "NVLH"
    public static let recordMagic: UInt32 = 0x4E56_4C52  // "NVLR"
    public static let version: UInt16 = 1
    /// Bytes of the log header at the start of the half (a cache line).
    public static let headerLength = 64
    /// Bytes of a record's header before its data.
    public static let recordHeaderLength = 40
    /// Records start on this alignment.
    public static let alignment = 8

    /// The bytes a record with `dataLength` bytes of data takes in the ring.
    public static func recordSize(dataLength: Int) -> Int {
        (recordHeaderLength + dataLength + alignment - 1) / alignment * alignment
    }

    // MARK: FNV-1a 64

    static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

    static func fnv1a(_ bytes: UnsafeRawBufferPointer, _ start: UInt64 = fnvOffset) -> UInt64 {
        var hash = start
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* fnvPrime
        }
        return hash
    }

    static func fnv1a(_ bytes: [UInt8], _ start: UInt64 = fnvOffset) -> UInt64 {
        bytes.withUnsafeBytes { fnv1a($0, start) }
    }

    // MARK: Little-endian fields

    static func load(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in (0..<count).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        return value
    }

    static func store(_ value: UInt64, _ bytes: inout [UInt8], _ offset: Int, _ count: Int) {
        for index in 0..<count { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
    }

    // MARK: Log header

    /// The decoded log header.
    public struct Header: Hashable, Sendable {
        public var ringLength: UInt64
        public var head: UInt64
        public var tail: UInt64
        public var nextSequence: UInt64
        public var tailSequence: UInt64
    }

    static func encode(_ header: Header) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: headerLength)
        store(UInt64(headerMagic), &bytes, 0, 4)
        store(UInt64(version), &bytes, 4, 2)
        store(header.ringLength, &bytes, 8, 8)
        store(header.head, &bytes, 16, 8)
        store(header.tail, &bytes, 24, 8)
        store(header.nextSequence, &bytes, 32, 8)
        store(header.tailSequence, &bytes, 40, 8)
        let checksum = bytes.withUnsafeBytes { fnv1a(UnsafeRawBufferPointer(rebasing: $0[0..<48])) }
        store(checksum, &bytes, 48, 8)
        return bytes
    }

    /// The header at the start of `image`, or nil when it does not check out.
    static func decodeHeader(_ image: UnsafeRawBufferPointer) -> Header? {
        guard image.count >= headerLength, load(image, 0, 4) == UInt64(headerMagic), load(image, 4, 2) == UInt64(version),
            load(image, 48, 8) == fnv1a(UnsafeRawBufferPointer(rebasing: image[0..<48]))
        else { return nil }
        let header = Header(
            ringLength: load(image, 8, 8), head: load(image, 16, 8), tail: load(image, 24, 8), nextSequence: load(image, 32, 8),
            tailSequence: load(image, 40, 8))
        guard header.ringLength > 0, header.ringLength <= UInt64(image.count - headerLength), header.tail <= header.head,
            header.tail % UInt64(alignment) == 0
        else { return nil }
        return header
    }

    // MARK: Record

    /// A record's header bytes (checksum filled in over header and `data`).
    static func encodeRecordHeader(sequence: UInt64, lun: UInt16, lba: UInt64, blocks: UInt32, data: [UInt8]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: recordHeaderLength)
        store(UInt64(recordMagic), &bytes, 0, 4)
        store(UInt64(lun), &bytes, 6, 2)
        store(sequence, &bytes, 8, 8)
        store(lba, &bytes, 16, 8)
        store(UInt64(blocks), &bytes, 24, 4)
        store(UInt64(data.count), &bytes, 28, 4)
        let checksum = fnv1a(data, fnv1a(bytes))
        store(checksum, &bytes, 32, 8)
        return bytes
    }

    /// The record at `offset` of `ring` if it checks out (magic, bounds, checksum) and carries
    /// `sequence`; nil otherwise. Never traps.
    static func decodeRecord(_ ring: UnsafeRawBufferPointer, at offset: Int, sequence: UInt64) -> NVRAMLog.Record? {
        guard offset >= 0, offset <= ring.count - recordHeaderLength, load(ring, offset, 4) == UInt64(recordMagic),
            load(ring, offset + 8, 8) == sequence
        else { return nil }
        let dataLength = Int(load(ring, offset + 28, 4))
        guard dataLength <= ring.count - offset - recordHeaderLength else { return nil }
        var header = [UInt8](UnsafeRawBufferPointer(rebasing: ring[offset..<(offset + recordHeaderLength)]))
        let stored = load(ring, offset + 32, 8)
        for index in 32..<40 { header[index] = 0 }
        let dataStart = offset + recordHeaderLength
        let data = UnsafeRawBufferPointer(rebasing: ring[dataStart..<(dataStart + dataLength)])
        guard fnv1a(data, fnv1a(header)) == stored else { return nil }
        return NVRAMLog.Record(
            sequence: sequence, lun: UInt16(load(ring, offset + 6, 2)), lba: load(ring, offset + 16, 8),
            blocks: UInt32(load(ring, offset + 24, 4)), data: [UInt8](data))
    }
}

/// A window onto part of another memory buffer: the log half or the mirror half of an NVRAM,
/// seen as a buffer of its own (offset 0 is the half's start).
public final class MemorySlice: MemoryBuffer {
    public let base: any MemoryBuffer
    public let offset: Int
    public let length: Int

    /// - Precondition: the slice lies inside `base`.
    public init(_ base: any MemoryBuffer, offset: Int, length: Int) {
        precondition(offset >= 0 && length >= 0 && offset + length <= base.length, "slice outside its buffer")
        self.base = base
        self.offset = offset
        self.length = length
    }

    public func read(offset: Int, count: Int) -> [UInt8] {
        precondition(offset >= 0 && count >= 0 && offset + count <= length, "read outside the slice")
        return base.read(offset: self.offset + offset, count: count)
    }

    public func write(_ bytes: some Collection<UInt8>, at offset: Int) {
        precondition(offset >= 0 && offset + bytes.count <= length, "write outside the slice")
        base.write(bytes, at: self.offset + offset)
    }

    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let (start, count) = (offset, length)
        return try base.withUnsafeBytes { (whole: UnsafeRawBufferPointer) throws(Failure) -> Result in
            try body(UnsafeRawBufferPointer(rebasing: whole[start..<(start + count)]))
        }
    }

    public func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let (start, count) = (offset, length)
        return try base.withUnsafeMutableBytes { (whole: UnsafeMutableRawBufferPointer) throws(Failure) -> Result in
            try body(UnsafeMutableRawBufferPointer(rebasing: whole[start..<(start + count)]))
        }
    }
}
