import Hardware

/// The wire format of ``AgentMessage`` (big-endian):
///
///     magic "RT" (0x52 0x54) | version 1 | opcode | body length (16 bits) | body
///
/// Body fields, by opcode:
///
/// | opcode | message | body |
/// |---|---|---|
/// | 1 | attach | segment, segment size (32) |
/// | 2 | discover | generation (32) |
/// | 3 | connectionAdd | connection (32), device list |
/// | 4 | connectionRemove | connection (32) |
/// | 5 | resources | generation (32), profile list |
/// | 6 | ioRequest | transaction (64), connection (32), device (16), operation (8), LBA (64), blocks (32) |
/// | 7 | dataPlaced | transaction (64) |
/// | 8 | transferDone | transaction (64) |
/// | 9 | buffersReady | transaction (64), segment list |
/// | 10 | dataReady | transaction (64), segment list, times |
/// | 11 | ioComplete | transaction (64), status, times |
/// | 12 | reservation | transaction (64), device (16), reservation request |
/// | 13 | reservationDone | transaction (64), status, reservation result |
///
/// A `resources` body ends, when any profile is a partner device, with a partner trailer: a
/// 16-bit count equal to the profile count and one flag byte (0/1) per profile; a trailer of
/// only zeros is refused (it is left out), so the messages of a cluster-less system are
/// unchanged. A reservation request is a kind (8) — 1 register, 2 register ignoring the
/// existing key, 3 reserve, 4 preempt, 5 release (each then a key (64)), 6 read keys, 7 read
/// reservation — and, for preempt, the victim key (64). A reservation result is the
/// PRgeneration (32), a key list (16-bit count ≤ ``maxReservationKeys``, keys (64)) and a 0/1
/// flag then, when 1, the holder key (64).
///
/// A segment is an address (64) and a length (32); times are two signed 64-bit picosecond
/// counts, RTA then disk, never negative; a list is a 16-bit count and its elements (caps in
/// ``maxDevices``, ``maxProfiles``, ``maxSegments``); a string is an 8-bit length and UTF-8; a
/// profile is device (16), vendor, product, serial number, WWN (64), block length (32), block
/// count (64). A status is a tag: 0 good, 1 CHECK CONDITION (sense key ≤ 0x0f, ASC, ASCQ, a
/// 0/1 flag and, when 1, the information field (64)), 2 rejected (reason), 3 device
/// unavailable, 4 transfer failed, 5 RESERVATION CONFLICT.
extension AgentMessage {
    /// The first two bytes of every message ("RT").
    public static let magic: UInt16 = 0x5254
    /// The version this codec writes and reads.
    public static let version: UInt8 = 1
    /// Magic, version, opcode, body length.
    public static let headerSize = 6
    /// The most devices one `connectionAdd` lists (assumption: far above the drives of a few
    /// disk shelves, and 2 KiB, well inside the 16-bit body length).
    public static let maxDevices = 1024
    /// The most profiles one `resources` lists: 64 × the largest profile (790 bytes, and its
    /// partner flag byte) fits the 16-bit body length.
    public static let maxProfiles = 64
    /// The most segments one scatter-gather list holds: 4096 × 12 bytes fits the 16-bit body length.
    public static let maxSegments = 4096
    /// The most keys one `reservationDone` lists: what READ KEYS asks for
    /// (``ReservationCommands/readKeysAllocation``).
    public static let maxReservationKeys = 64

    private enum Opcode: UInt8 {
        case attach = 1, discover, connectionAdd, connectionRemove, resources, ioRequest, dataPlaced, transferDone,
            buffersReady, dataReady, ioComplete, reservation, reservationDone
    }

    private var opcode: Opcode {
        switch self {
        case .attach: .attach
        case .discover: .discover
        case .connectionAdd: .connectionAdd
        case .connectionRemove: .connectionRemove
        case .resources: .resources
        case .ioRequest: .ioRequest
        case .dataPlaced: .dataPlaced
        case .transferDone: .transferDone
        case .buffersReady: .buffersReady
        case .dataReady: .dataReady
        case .ioComplete: .ioComplete
        case .reservation: .reservation
        case .reservationDone: .reservationDone
        }
    }

    /// The message's bytes on the wire.
    ///
    /// - Precondition: lists within their caps (a caller's bug otherwise: the RTA cuts its
    ///   scatter-gather lists to ``maxSegments``).
    public func encoded() -> [UInt8] {
        var writer = AgentWireWriter()
        writer.u16(Self.magic)
        writer.u8(Self.version)
        writer.u8(opcode.rawValue)
        writer.u16(0)  // body length, patched below
        switch self {
        case .attach(let buffers, let segmentSize):
            Self.write(buffers, &writer)
            writer.u32(segmentSize)
        case .discover(let generation):
            writer.u32(generation)
        case .connectionAdd(let connection, let devices):
            precondition(devices.count <= Self.maxDevices, "connectionAdd lists \(devices.count) devices")
            writer.u32(connection.rawValue)
            writer.u16(UInt16(devices.count))
            for device in devices { writer.u16(device) }
        case .connectionRemove(let connection):
            writer.u32(connection.rawValue)
        case .resources(let generation, let devices):
            precondition(devices.count <= Self.maxProfiles, "resources lists \(devices.count) profiles")
            writer.u32(generation)
            writer.u16(UInt16(devices.count))
            for profile in devices { Self.write(profile, &writer) }
            if devices.contains(where: \.partner) {
                writer.u16(UInt16(devices.count))
                for profile in devices { writer.u8(profile.partner ? 1 : 0) }
            }
        case .ioRequest(let request):
            writer.u64(request.transaction)
            writer.u32(request.connection.rawValue)
            writer.u16(request.device)
            writer.u8(request.operation.rawValue)
            writer.u64(request.lba)
            writer.u32(request.blocks)
        case .dataPlaced(let transaction), .transferDone(let transaction):
            writer.u64(transaction)
        case .buffersReady(let transaction, let segments):
            writer.u64(transaction)
            Self.write(segments, &writer)
        case .dataReady(let transaction, let segments, let times):
            writer.u64(transaction)
            Self.write(segments, &writer)
            Self.write(times, &writer)
        case .ioComplete(let transaction, let status, let times):
            writer.u64(transaction)
            Self.write(status, &writer)
            Self.write(times, &writer)
        case .reservation(let transaction, let device, let request):
            writer.u64(transaction)
            writer.u16(device)
            Self.write(request, &writer)
        case .reservationDone(let transaction, let status, let result):
            precondition(result.keys.count <= Self.maxReservationKeys, "reservationDone lists \(result.keys.count) keys")
            writer.u64(transaction)
            Self.write(status, &writer)
            writer.u32(result.generation)
            writer.u16(UInt16(result.keys.count))
            for key in result.keys { writer.u64(key) }
            if let holder = result.holder {
                writer.u8(1)
                writer.u64(holder)
            } else {
                writer.u8(0)
            }
        }
        let body = writer.bytes.count - Self.headerSize
        precondition(body <= Int(UInt16.max), "AgentMessage body of \(body) bytes")
        writer.patch16(UInt16(body), at: 4)
        return writer.bytes
    }

    /// Decodes one whole message; throws on anything malformed, never traps.
    public init(decoding bytes: [UInt8]) throws(MessageDecodingError) {
        guard bytes.count >= Self.headerSize else { throw .truncated(needed: Self.headerSize, available: bytes.count) }
        var reader = AgentWireReader(bytes)
        guard try reader.u16() == Self.magic, try reader.u8() == Self.version else { throw .badHeader }
        let code = try reader.u8()
        guard let opcode = Opcode(rawValue: code) else { throw .unknownOpcode(code) }
        let declared = Int(try reader.u16())
        guard declared == reader.remaining else { throw .lengthMismatch(declared: declared, actual: reader.remaining) }
        switch opcode {
        case .attach:
            self = .attach(buffers: try Self.readSegment(&reader), segmentSize: try reader.u32())
        case .discover:
            self = .discover(generation: try reader.u32())
        case .connectionAdd:
            let connection = ConnectionID(rawValue: try reader.u32())
            let count = try reader.count("device count", cap: Self.maxDevices, minimumSize: 2)
            var devices: [UInt16] = []
            devices.reserveCapacity(count)
            for _ in 0..<count { devices.append(try reader.u16()) }
            self = .connectionAdd(connection, devices: devices)
        case .connectionRemove:
            self = .connectionRemove(ConnectionID(rawValue: try reader.u32()))
        case .resources:
            let generation = try reader.u32()
            let count = try reader.count("profile count", cap: Self.maxProfiles, minimumSize: 25)
            var profiles: [DeviceProfile] = []
            profiles.reserveCapacity(count)
            for _ in 0..<count { profiles.append(try Self.readProfile(&reader)) }
            if reader.remaining > 0 {
                guard try reader.u16() == UInt16(count) else { throw .fieldOutOfRange("partner trailer count") }
                var any = false
                for index in 0..<count {
                    switch try reader.u8() {
                    case 0: break
                    case 1:
                        profiles[index].partner = true
                        any = true
                    default: throw .fieldOutOfRange("partner flag")
                    }
                }
                guard any else { throw .fieldOutOfRange("partner trailer without a partner") }
            }
            self = .resources(generation: generation, devices: profiles)
        case .ioRequest:
            let transaction = try reader.u64()
            let connection = ConnectionID(rawValue: try reader.u32())
            let device = try reader.u16()
            guard let operation = BlockOperation(rawValue: try reader.u8()) else {
                throw .fieldOutOfRange("block operation")
            }
            self = .ioRequest(
                RTARequest(
                    transaction: transaction, connection: connection, device: device, operation: operation,
                    lba: try reader.u64(), blocks: try reader.u32()))
        case .dataPlaced:
            self = .dataPlaced(transaction: try reader.u64())
        case .transferDone:
            self = .transferDone(transaction: try reader.u64())
        case .buffersReady:
            self = .buffersReady(transaction: try reader.u64(), try Self.readSegments(&reader))
        case .dataReady:
            self = .dataReady(transaction: try reader.u64(), try Self.readSegments(&reader), try Self.readTimes(&reader))
        case .ioComplete:
            self = .ioComplete(transaction: try reader.u64(), try Self.readStatus(&reader), try Self.readTimes(&reader))
        case .reservation:
            self = .reservation(
                transaction: try reader.u64(), device: try reader.u16(), try Self.readReservationRequest(&reader))
        case .reservationDone:
            let transaction = try reader.u64()
            let status = try Self.readStatus(&reader)
            let generation = try reader.u32()
            let count = try reader.count("key count", cap: Self.maxReservationKeys, minimumSize: 8)
            var keys: [UInt64] = []
            keys.reserveCapacity(count)
            for _ in 0..<count { keys.append(try reader.u64()) }
            let holder: UInt64?
            switch try reader.u8() {
            case 0: holder = nil
            case 1: holder = try reader.u64()
            default: throw .fieldOutOfRange("holder flag")
            }
            self = .reservationDone(
                transaction: transaction, status, ReservationResult(generation: generation, keys: keys, holder: holder))
        }
        try reader.finish()
    }

    // MARK: - Fields

    private static func write(_ segment: BusSegment, _ writer: inout AgentWireWriter) {
        writer.u64(segment.address.rawValue)
        writer.u32(segment.length)
    }

    private static func write(_ segments: [BusSegment], _ writer: inout AgentWireWriter) {
        precondition(segments.count <= maxSegments, "scatter-gather list of \(segments.count) segments")
        writer.u16(UInt16(segments.count))
        for segment in segments { write(segment, &writer) }
    }

    private static func write(_ times: RTATimes, _ writer: inout AgentWireWriter) {
        precondition(times.rta >= .zero && times.disk >= .zero, "negative RTA times")
        writer.u64(UInt64(times.rta.picoseconds))
        writer.u64(UInt64(times.disk.picoseconds))
    }

    private static func write(_ profile: DeviceProfile, _ writer: inout AgentWireWriter) {
        writer.u16(profile.device)
        writer.string(profile.identity.vendor)
        writer.string(profile.identity.product)
        writer.string(profile.identity.serialNumber)
        writer.u64(profile.identity.worldWideName)
        writer.u32(profile.identity.blockLength)
        writer.u64(profile.identity.blockCount)
    }

    private static func write(_ status: IOStatus, _ writer: inout AgentWireWriter) {
        switch status {
        case .good:
            writer.u8(0)
        case .checkCondition(let sense):
            writer.u8(1)
            writer.u8(sense.senseKey.rawValue & 0x0f)
            writer.u8(sense.additionalSenseCode)
            writer.u8(sense.additionalSenseCodeQualifier)
            if let information = sense.information {
                writer.u8(1)
                writer.u64(information)
            } else {
                writer.u8(0)
            }
        case .rejected(let reason):
            writer.u8(2)
            writer.u8(reason.rawValue)
        case .deviceUnavailable:
            writer.u8(3)
        case .transferFailed:
            writer.u8(4)
        case .reservationConflict:
            writer.u8(5)
        }
    }

    private static func write(_ request: ReservationRequest, _ writer: inout AgentWireWriter) {
        switch request {
        case .register(let key):
            writer.u8(1)
            writer.u64(key)
        case .registerIgnoringExisting(let key):
            writer.u8(2)
            writer.u64(key)
        case .reserve(let key):
            writer.u8(3)
            writer.u64(key)
        case .preempt(let key, let victim):
            writer.u8(4)
            writer.u64(key)
            writer.u64(victim)
        case .release(let key):
            writer.u8(5)
            writer.u64(key)
        case .readKeys:
            writer.u8(6)
        case .readReservation:
            writer.u8(7)
        case .drain:
            writer.u8(8)
        }
    }

    private static func readReservationRequest(_ reader: inout AgentWireReader) throws(MessageDecodingError)
        -> ReservationRequest
    {
        switch try reader.u8() {
        case 1: return .register(key: try reader.u64())
        case 2: return .registerIgnoringExisting(key: try reader.u64())
        case 3: return .reserve(key: try reader.u64())
        case 4: return .preempt(key: try reader.u64(), victim: try reader.u64())
        case 5: return .release(key: try reader.u64())
        case 6: return .readKeys
        case 7: return .readReservation
        case 8: return .drain
        default: throw .fieldOutOfRange("reservation request")
        }
    }

    private static func readSegment(_ reader: inout AgentWireReader) throws(MessageDecodingError) -> BusSegment {
        BusSegment(address: BusAddress(rawValue: try reader.u64()), length: try reader.u32())
    }

    private static func readSegments(_ reader: inout AgentWireReader) throws(MessageDecodingError) -> [BusSegment] {
        let count = try reader.count("segment count", cap: maxSegments, minimumSize: 12)
        var segments: [BusSegment] = []
        segments.reserveCapacity(count)
        for _ in 0..<count { segments.append(try readSegment(&reader)) }
        return segments
    }

    private static func readTimes(_ reader: inout AgentWireReader) throws(MessageDecodingError) -> RTATimes {
        let rta = try reader.u64()
        let disk = try reader.u64()
        guard rta <= UInt64(Int64.max) else { throw .fieldOutOfRange("RTA time") }
        guard disk <= UInt64(Int64.max) else { throw .fieldOutOfRange("disk time") }
        return RTATimes(rta: .picoseconds(Int64(rta)), disk: .picoseconds(Int64(disk)))
    }

    private static func readProfile(_ reader: inout AgentWireReader) throws(MessageDecodingError) -> DeviceProfile {
        let device = try reader.u16()
        let identity = DeviceIdentity(
            vendor: try reader.string("vendor"), product: try reader.string("product"),
            serialNumber: try reader.string("serial number"), worldWideName: try reader.u64(),
            blockLength: try reader.u32(), blockCount: try reader.u64())
        return DeviceProfile(device: device, identity: identity)
    }

    private static func readStatus(_ reader: inout AgentWireReader) throws(MessageDecodingError) -> IOStatus {
        switch try reader.u8() {
        case 0:
            return .good
        case 1:
            let key = try reader.u8()
            guard key <= 0x0f else { throw .fieldOutOfRange("sense key") }
            let code = try reader.u8()
            let qualifier = try reader.u8()
            let information: UInt64?
            switch try reader.u8() {
            case 0: information = nil
            case 1: information = try reader.u64()
            default: throw .fieldOutOfRange("information flag")
            }
            return .checkCondition(
                SenseSummary(
                    senseKey: SenseKey(rawValue: key), additionalSenseCode: code, additionalSenseCodeQualifier: qualifier,
                    information: information))
        case 2:
            guard let reason = RejectReason(rawValue: try reader.u8()) else { throw .fieldOutOfRange("reject reason") }
            return .rejected(reason)
        case 3:
            return .deviceUnavailable
        case 4:
            return .transferFailed
        case 5:
            return .reservationConflict
        default:
            throw .fieldOutOfRange("I/O status")
        }
    }
}
