import Hardware

// The wire format of ``ConnectionMessage``: what crosses an established connection (RC SEND/RECV).
//
// Every integer is big-endian. A message is a 6-byte header and a body:
//
//     header   magic 0x49 0x43 ("IC")  version 1  opcode  body length (16 bits)
//     request  (opcode 1, 43 bytes)
//              tag(8) connection(4) lun(2) operation(1: 1 read, 2 write, 3 flush) lba(8) blocks(4)
//              buffer address(8) buffer length(4) rkey(4)
//     response (opcode 2, 9…61 bytes)
//              tag(8) status kind(1) [status detail] service times(5 × 8)
//     status   0 good
//              1 CHECK CONDITION + sense key(1, 0…15) ASC(1) ASCQ(1) flags(1: bit 0 information valid)
//                information(8, zero unless valid)
//              2 rejected + reason(1, a RejectReason)
//              3 device unavailable
//              4 transfer failed
//              5 RESERVATION CONFLICT
//     times    cta pci rta disk rdma, each a count of nanoseconds (0…Int64.max / 1000)
//
// The decoder checks every enum, length and range and rejects trailing bytes; it never traps.
// Service times travel in whole nanoseconds (the TimeSpans are picoseconds): encoding rounds
// each part down to a nanosecond and writes a negative part as zero. Assumption: nanoseconds
// are the resolution REFERENCE.md C.6 asks for ("use integer nanoseconds").

/// The constants of the connection-message wire format.
enum ConnectionWire {
    /// "IC": iofabric connection.
    static let magic: [UInt8] = [0x49, 0x43]
    static let version: UInt8 = 1
    static let headerLength = 6
    static let requestOpcode: UInt8 = 1
    static let responseOpcode: UInt8 = 2
    /// tag 8 + connection 4 + lun 2 + operation 1 + lba 8 + blocks 4 + address 8 + length 4 + rkey 4.
    static let requestBodyLength = 43
    /// The largest nanosecond count whose picoseconds fit a TimeSpan.
    static let maxNanoseconds = UInt64(Int64.max / 1_000)
}

extension ConnectionMessage {
    /// The message's bytes on the wire (see the format at the top of this file).
    public func encoded() -> [UInt8] {
        var body = WireWriter()
        let opcode: UInt8
        switch self {
        case .request(let request):
            opcode = ConnectionWire.requestOpcode
            body.put(request.tag, 8)
            body.put(UInt64(request.connection.rawValue), 4)
            body.put(UInt64(request.lun), 2)
            body.put(UInt64(request.operation.rawValue), 1)
            body.put(request.lba, 8)
            body.put(UInt64(request.blocks), 4)
            body.put(request.buffer.address, 8)
            body.put(UInt64(request.buffer.length), 4)
            body.put(UInt64(request.buffer.rkey), 4)
        case .response(let response):
            opcode = ConnectionWire.responseOpcode
            body.put(response.tag, 8)
            Self.put(response.status, into: &body)
            for part in [response.times.cta, response.times.pci, response.times.rta, response.times.disk, response.times.rdma] {
                body.put(UInt64(max(0, part.picoseconds) / 1_000), 8)
            }
        }
        var message = WireWriter()
        message.bytes = ConnectionWire.magic
        message.put(UInt64(ConnectionWire.version), 1)
        message.put(UInt64(opcode), 1)
        message.put(UInt64(body.bytes.count), 2)
        message.bytes += body.bytes
        return message.bytes
    }

    private static func put(_ status: IOStatus, into body: inout WireWriter) {
        switch status {
        case .good:
            body.put(0, 1)
        case .checkCondition(let sense):
            body.put(1, 1)
            body.put(UInt64(sense.senseKey.rawValue & 0x0f), 1)
            body.put(UInt64(sense.additionalSenseCode), 1)
            body.put(UInt64(sense.additionalSenseCodeQualifier), 1)
            body.put(sense.information == nil ? 0 : 1, 1)
            body.put(sense.information ?? 0, 8)
        case .rejected(let reason):
            body.put(2, 1)
            body.put(UInt64(reason.rawValue), 1)
        case .deviceUnavailable:
            body.put(3, 1)
        case .transferFailed:
            body.put(4, 1)
        case .reservationConflict:
            body.put(5, 1)
        }
    }

    /// Decodes one whole message; throws on anything malformed, never traps.
    ///
    /// - Throws: ``MessageDecodingError/truncated(needed:available:)`` for fewer bytes than the
    ///   header or its declared body; ``MessageDecodingError/badHeader`` for another magic or
    ///   version; ``MessageDecodingError/unknownOpcode(_:)``;
    ///   ``MessageDecodingError/trailingBytes(_:)`` for bytes after the declared body;
    ///   ``MessageDecodingError/lengthMismatch(declared:actual:)`` when the body's fields need
    ///   more or fewer bytes than declared; ``MessageDecodingError/fieldOutOfRange(_:)`` for an
    ///   undefined operation, status, reject reason, sense key, sense flag or a time too large.
    public init(decoding bytes: [UInt8]) throws(MessageDecodingError) {
        let header = ConnectionWire.headerLength
        guard bytes.count >= header else { throw .truncated(needed: header, available: bytes.count) }
        guard bytes[0] == ConnectionWire.magic[0], bytes[1] == ConnectionWire.magic[1],
            bytes[2] == ConnectionWire.version
        else { throw .badHeader }
        let opcode = bytes[3]
        guard opcode == ConnectionWire.requestOpcode || opcode == ConnectionWire.responseOpcode else {
            throw .unknownOpcode(opcode)
        }
        let declared = Int(bytes[4]) << 8 | Int(bytes[5])
        guard bytes.count >= header + declared else {
            throw .truncated(needed: header + declared, available: bytes.count)
        }
        guard bytes.count == header + declared else { throw .trailingBytes(bytes.count - header - declared) }
        var reader = WireReader(bytes: bytes, offset: header, declared: declared)
        if opcode == ConnectionWire.requestOpcode {
            self = .request(try Self.request(&reader))
        } else {
            self = .response(try Self.response(&reader))
        }
        guard reader.remaining == 0 else {
            throw .lengthMismatch(declared: declared, actual: declared - reader.remaining)
        }
    }

    private static func request(_ reader: inout WireReader) throws(MessageDecodingError) -> ClientRequest {
        let tag = try reader.take(8)
        let connection = ConnectionID(rawValue: UInt32(try reader.take(4)))
        let lun = UInt16(try reader.take(2))
        guard let operation = BlockOperation(rawValue: UInt8(try reader.take(1))) else {
            throw .fieldOutOfRange("operation")
        }
        let lba = try reader.take(8)
        let blocks = UInt32(try reader.take(4))
        let buffer = RemoteBuffer(
            address: try reader.take(8), length: UInt32(try reader.take(4)), rkey: UInt32(try reader.take(4)))
        return ClientRequest(
            tag: tag, connection: connection, lun: lun, operation: operation, lba: lba, blocks: blocks, buffer: buffer)
    }

    private static func response(_ reader: inout WireReader) throws(MessageDecodingError) -> ClientResponse {
        let tag = try reader.take(8)
        let status: IOStatus
        switch try reader.take(1) {
        case 0:
            status = .good
        case 1:
            let key = try reader.take(1)
            guard key <= 0x0f else { throw .fieldOutOfRange("sense key") }
            let asc = UInt8(try reader.take(1))
            let ascq = UInt8(try reader.take(1))
            let flags = try reader.take(1)
            guard flags <= 1 else { throw .fieldOutOfRange("sense flags") }
            let information = try reader.take(8)
            guard flags == 1 || information == 0 else { throw .fieldOutOfRange("sense information") }
            status = .checkCondition(
                SenseSummary(
                    senseKey: SenseKey(rawValue: UInt8(key)), additionalSenseCode: asc, additionalSenseCodeQualifier: ascq,
                    information: flags == 1 ? information : nil))
        case 2:
            guard let reason = RejectReason(rawValue: UInt8(try reader.take(1))) else {
                throw .fieldOutOfRange("reject reason")
            }
            status = .rejected(reason)
        case 3:
            status = .deviceUnavailable
        case 4:
            status = .transferFailed
        case 5:
            status = .reservationConflict
        default:
            throw .fieldOutOfRange("status")
        }
        var parts: [TimeSpan] = []
        for name in ["times.cta", "times.pci", "times.rta", "times.disk", "times.rdma"] {
            let nanoseconds = try reader.take(8)
            guard nanoseconds <= ConnectionWire.maxNanoseconds else { throw .fieldOutOfRange(name) }
            parts.append(.nanoseconds(Int64(nanoseconds)))
        }
        let times = ServiceTimes(cta: parts[0], pci: parts[1], rta: parts[2], disk: parts[3], rdma: parts[4])
        return ClientResponse(tag: tag, status: status, times: times)
    }
}

/// Appends big-endian fields.
private struct WireWriter {
    var bytes: [UInt8] = []

    mutating func put(_ value: UInt64, _ count: Int) {
        for index in 0..<count {
            bytes.append(UInt8(truncatingIfNeeded: value >> (8 * (count - 1 - index))))
        }
    }
}

/// Reads big-endian fields from a message's body, never past the declared length.
private struct WireReader {
    let bytes: [UInt8]
    var offset: Int
    let end: Int
    let declared: Int

    init(bytes: [UInt8], offset: Int, declared: Int) {
        self.bytes = bytes
        self.offset = offset
        self.declared = declared
        end = offset + declared
    }

    var remaining: Int { end - offset }

    /// The next `count` bytes as an unsigned integer; throws when the body ends first.
    mutating func take(_ count: Int) throws(MessageDecodingError) -> UInt64 {
        guard count <= remaining else {
            throw .lengthMismatch(declared: declared, actual: declared - remaining + count)
        }
        let value = BigEndianBytes.read(bytes, at: offset, count: count)
        offset += count
        return value
    }
}
