import Hardware

/// Appends big-endian fields to a message under construction: the writing half of the codecs of
/// ``AgentMessage`` and of the residual message store's frames.
struct AgentWireWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 32) {
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func u32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    /// An 8-bit length and the UTF-8 bytes. A string longer than 255 bytes is cut at the last
    /// whole scalar that fits (the decoder would refuse a cut inside one).
    mutating func string(_ value: String) {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(min(value.utf8.count, 255))
        for scalar in value.unicodeScalars {
            let encoded = Array(String(scalar).utf8)
            if utf8.count + encoded.count > 255 { break }
            utf8.append(contentsOf: encoded)
        }
        u8(UInt8(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Overwrites a 16-bit field written earlier (a length known only at the end).
    mutating func patch16(_ value: UInt16, at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }
}

/// Reads big-endian fields from received bytes, checking every length first: it throws
/// ``MessageDecodingError`` and never traps.
struct AgentWireReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    /// Where the readable part ends (a header's declared length may end it early).
    let end: Int

    init(_ bytes: [UInt8], from offset: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }

    private mutating func take(_ count: Int) throws(MessageDecodingError) -> Int {
        guard count <= remaining else { throw .truncated(needed: offset + count, available: end) }
        let start = offset
        offset += count
        return start
    }

    mutating func u8() throws(MessageDecodingError) -> UInt8 {
        bytes[try take(1)]
    }

    mutating func u16() throws(MessageDecodingError) -> UInt16 {
        UInt16(BigEndianBytes.read(bytes, at: try take(2), count: 2))
    }

    mutating func u32() throws(MessageDecodingError) -> UInt32 {
        UInt32(BigEndianBytes.read(bytes, at: try take(4), count: 4))
    }

    mutating func u64() throws(MessageDecodingError) -> UInt64 {
        BigEndianBytes.read(bytes, at: try take(8), count: 8)
    }

    /// The rest of the readable bytes.
    mutating func rest() -> [UInt8] {
        let tail = Array(bytes[offset..<end])
        offset = end
        return tail
    }

    /// An 8-bit length and that many bytes of valid UTF-8.
    mutating func string(_ field: String) throws(MessageDecodingError) -> String {
        let count = Int(try u8())
        let start = try take(count)
        guard let value = String(validating: bytes[start..<(start + count)], as: UTF8.self) else {
            throw .fieldOutOfRange(field)
        }
        return value
    }

    /// A 16-bit element count, refused above `cap` or when the bytes left cannot hold that many
    /// elements of `minimumSize` bytes (so a lying count never makes the decoder allocate).
    mutating func count(_ field: String, cap: Int, minimumSize: Int) throws(MessageDecodingError) -> Int {
        let count = Int(try u16())
        guard count <= cap else { throw .fieldOutOfRange(field) }
        guard count * minimumSize <= remaining else {
            throw .truncated(needed: offset + count * minimumSize, available: end)
        }
        return count
    }

    /// Throws unless every readable byte was consumed.
    func finish() throws(MessageDecodingError) {
        guard remaining == 0 else { throw .trailingBytes(remaining) }
    }
}
