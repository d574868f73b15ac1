// The management datagram's wire format (big-endian throughout).
//
//     header   magic 0x4D47 ("MG", 2) · version 1 (1) · opcode (1) · body length (2)
//     body     transaction ID (8), then per opcode:
//       1 query              kind (1: unit info, 2: controller profile, 3: service entries) · slot (1, 0 for unit info)
//       2 reply              kind (1) · 1: change ID (2) · controller count (1) · unit GUID (8)
//                                     2: slot (1) · GUID (8) · LUN count (2, ≤ 64) · per LUN: LUN (2) · block length (4) · block count (8)
//                                     3: slot (1) · entry count (2, ≤ 16) · per entry: name (1 + ≤ 40 UTF-8) · service ID (8)
//                                     4: slot (1)                      (no such controller)
//       3 connect request    endpoint · offer
//       4 connect reply      connection (4) · endpoint · grant
//       5 connect reject     reason (1)
//       6 disconnect request connection (4)
//       7 disconnect reply   connection (4)
//     endpoint  address length (1, ≤ 16) · address · QPN (4, 24 bits) · PSN (4, 24 bits)
//     offer     client GUID (8) · service ID (8) · LUN count (2, ≤ 256) · LUNs (2 each)
//               · region count (2, ≤ 16) · per region: address (8) · length (4) · rkey (4) · max outstanding (2)
//     grant     LUN count (2, ≤ 256) · LUNs (2 each) · max transfer bytes (4) · max outstanding (2)
//
// The caps keep every message inside one UD datagram of the smallest MTU the transports use
// (1024 bytes: a 64-LUN profile is 6 + 8 + 12 + 64 × 14 = 922 bytes). [assumption: IBA DM's
// IOControllerProfile lists no LUNs; ours does, so the cap is ours]

extension ManagementMessage {
    /// "MG": the first two bytes of every management datagram.
    static let magic: UInt16 = 0x4d47
    /// The only version this codec speaks.
    static let version: UInt8 = 1
    /// Magic, version, opcode, body length.
    static let headerLength = 6
    /// The most LUNs one controller profile carries.
    public static let maxLUNsPerController = 64
    /// The most service entries one reply carries.
    public static let maxServiceEntries = 16
    /// The most LUNs an offer asks for or a grant gives.
    public static let maxLUNsPerConnection = 256
    /// The most regions an offer declares.
    public static let maxRegions = 16

    private var opcode: UInt8 {
        switch self {
        case .query: 1
        case .reply: 2
        case .connectRequest: 3
        case .connectReply: 4
        case .connectReject: 5
        case .disconnectRequest: 6
        case .disconnectReply: 7
        }
    }

    /// The message's bytes on the wire.
    ///
    /// - Precondition: lists within the caps (``maxLUNsPerController``, ``maxServiceEntries``,
    ///   ``maxLUNsPerConnection``, ``maxRegions``): a longer one is a programming error.
    public func encoded() -> [UInt8] {
        var writer = ManagementWriter()
        switch self {
        case .query(let transaction, let query):
            writer.u64(transaction)
            switch query {
            case .ioUnitInfo: writer.u8(1); writer.u8(0)
            case .ioControllerProfile(let slot): writer.u8(2); writer.u8(slot)
            case .serviceEntries(let slot): writer.u8(3); writer.u8(slot)
            }
        case .reply(let transaction, let reply):
            writer.u64(transaction)
            switch reply {
            case .ioUnitInfo(let info, let unitGUID):
                writer.u8(1); writer.u16(info.changeID); writer.u8(info.controllerCount); writer.u64(unitGUID)
            case .ioControllerProfile(let profile):
                precondition(profile.luns.count <= Self.maxLUNsPerController, "controller profile with too many LUNs")
                writer.u8(2); writer.u8(profile.slot); writer.u64(profile.guid); writer.u16(UInt16(profile.luns.count))
                for lun in profile.luns {
                    writer.u16(lun.lun); writer.u32(lun.blockLength); writer.u64(lun.blockCount)
                }
            case .serviceEntries(let slot, let entries):
                precondition(entries.count <= Self.maxServiceEntries, "too many service entries")
                writer.u8(3); writer.u8(slot); writer.u16(UInt16(entries.count))
                for entry in entries {
                    let name = Array(entry.name.utf8)
                    precondition(name.count <= ServiceEntry.maxNameLength, "service name too long")
                    writer.u8(UInt8(name.count)); writer.bytes(name); writer.u64(entry.serviceID)
                }
            case .noSuchController(let slot):
                writer.u8(4); writer.u8(slot)
            }
        case .connectRequest(let transaction, let endpoint, let offer):
            writer.u64(transaction)
            writer.endpoint(endpoint)
            precondition(offer.requestedLUNs.count <= Self.maxLUNsPerConnection, "offer with too many LUNs")
            precondition(offer.regions.count <= Self.maxRegions, "offer with too many regions")
            writer.u64(offer.clientGUID); writer.u64(offer.serviceID)
            writer.u16(UInt16(offer.requestedLUNs.count))
            for lun in offer.requestedLUNs { writer.u16(lun) }
            writer.u16(UInt16(offer.regions.count))
            for region in offer.regions { writer.u64(region.address); writer.u32(region.length); writer.u32(region.rkey) }
            writer.u16(offer.maxOutstanding)
        case .connectReply(let transaction, let connection, let endpoint, let grant):
            writer.u64(transaction); writer.u32(connection.rawValue)
            writer.endpoint(endpoint)
            precondition(grant.luns.count <= Self.maxLUNsPerConnection, "grant with too many LUNs")
            writer.u16(UInt16(grant.luns.count))
            for lun in grant.luns { writer.u16(lun) }
            writer.u32(grant.maxTransferBytes); writer.u16(grant.maxOutstanding)
        case .connectReject(let transaction, let reason):
            writer.u64(transaction); writer.u8(reason.rawValue)
        case .disconnectRequest(let transaction, let connection), .disconnectReply(let transaction, let connection):
            writer.u64(transaction); writer.u32(connection.rawValue)
        }
        let body = writer.output
        precondition(body.count <= Int(UInt16.max), "management body too long")
        var header = ManagementWriter()
        header.u16(Self.magic); header.u8(Self.version); header.u8(opcode); header.u16(UInt16(body.count))
        return header.output + body
    }

    /// Decodes one whole message; throws on anything malformed, never traps.
    public init(decoding bytes: [UInt8]) throws(MessageDecodingError) {
        guard bytes.count >= Self.headerLength else {
            throw .truncated(needed: Self.headerLength, available: bytes.count)
        }
        var reader = ManagementReader(bytes)
        guard try reader.u16() == Self.magic, try reader.u8() == Self.version else { throw .badHeader }
        let opcode = try reader.u8()
        guard (1...7).contains(opcode) else { throw .unknownOpcode(opcode) }
        let declared = Int(try reader.u16())
        guard declared == bytes.count - Self.headerLength else {
            throw .lengthMismatch(declared: declared, actual: bytes.count - Self.headerLength)
        }
        let transaction = try reader.u64()
        switch opcode {
        case 1:
            let kind = try reader.u8()
            let slot = try reader.u8()
            switch kind {
            case 1:
                guard slot == 0 else { throw .fieldOutOfRange("unit info query slot") }
                self = .query(transaction: transaction, .ioUnitInfo)
            case 2: self = .query(transaction: transaction, .ioControllerProfile(slot: slot))
            case 3: self = .query(transaction: transaction, .serviceEntries(slot: slot))
            default: throw .fieldOutOfRange("query kind")
            }
        case 2:
            self = .reply(transaction: transaction, try reader.reply())
        case 3:
            let endpoint = try reader.endpoint()
            let clientGUID = try reader.u64()
            let serviceID = try reader.u64()
            let luns = try reader.luns(cap: Self.maxLUNsPerConnection, field: "requested LUN count")
            let regionCount = Int(try reader.u16())
            guard regionCount <= Self.maxRegions else { throw .fieldOutOfRange("region count") }
            var regions: [RemoteBuffer] = []
            for _ in 0..<regionCount {
                regions.append(RemoteBuffer(address: try reader.u64(), length: try reader.u32(), rkey: try reader.u32()))
            }
            let maxOutstanding = try reader.u16()
            self = .connectRequest(
                transaction: transaction, endpoint: endpoint,
                offer: ConnectionOffer(
                    clientGUID: clientGUID, serviceID: serviceID, requestedLUNs: luns, regions: regions,
                    maxOutstanding: maxOutstanding))
        case 4:
            let connection = ConnectionID(rawValue: try reader.u32())
            let endpoint = try reader.endpoint()
            let luns = try reader.luns(cap: Self.maxLUNsPerConnection, field: "granted LUN count")
            let grant = ConnectionGrant(luns: luns, maxTransferBytes: try reader.u32(), maxOutstanding: try reader.u16())
            self = .connectReply(transaction: transaction, connection: connection, endpoint: endpoint, grant: grant)
        case 5:
            let raw = try reader.u8()
            guard let reason = ConnectRejectReason(rawValue: raw) else { throw .fieldOutOfRange("reject reason") }
            self = .connectReject(transaction: transaction, reason: reason)
        case 6:
            self = .disconnectRequest(transaction: transaction, connection: ConnectionID(rawValue: try reader.u32()))
        default:
            self = .disconnectReply(transaction: transaction, connection: ConnectionID(rawValue: try reader.u32()))
        }
        guard reader.remaining == 0 else { throw .trailingBytes(reader.remaining) }
    }
}

/// Appends big-endian fields.
private struct ManagementWriter {
    var output: [UInt8] = []

    mutating func u8(_ value: UInt8) { output.append(value) }
    mutating func u16(_ value: UInt16) { output.append(UInt8(value >> 8)); output.append(UInt8(value & 0xff)) }
    mutating func u32(_ value: UInt32) { for shift in stride(from: 24, through: 0, by: -8) { output.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) } }
    mutating func u64(_ value: UInt64) { for shift in stride(from: 56, through: 0, by: -8) { output.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) } }
    mutating func bytes(_ value: [UInt8]) { output.append(contentsOf: value) }

    mutating func endpoint(_ endpoint: TransportEndpoint) {
        precondition(endpoint.queuePairNumber <= 0xff_ffff && endpoint.packetSequenceNumber <= 0xff_ffff,
                     "QPN and PSN are 24-bit")
        u8(UInt8(endpoint.address.count)); bytes(endpoint.address)
        u32(endpoint.queuePairNumber); u32(endpoint.packetSequenceNumber)
    }
}

/// Reads big-endian fields, throwing (never trapping) at the end of the bytes.
private struct ManagementReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func take(_ count: Int) throws(MessageDecodingError) -> ArraySlice<UInt8> {
        guard count <= remaining else { throw .truncated(needed: offset + count, available: bytes.count) }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func integer(_ count: Int) throws(MessageDecodingError) -> UInt64 {
        try take(count).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func u8() throws(MessageDecodingError) -> UInt8 { UInt8(try integer(1)) }
    mutating func u16() throws(MessageDecodingError) -> UInt16 { UInt16(try integer(2)) }
    mutating func u32() throws(MessageDecodingError) -> UInt32 { UInt32(try integer(4)) }
    mutating func u64() throws(MessageDecodingError) -> UInt64 { try integer(8) }

    mutating func luns(cap: Int, field: String) throws(MessageDecodingError) -> [UInt16] {
        let count = Int(try u16())
        guard count <= cap else { throw .fieldOutOfRange(field) }
        var luns: [UInt16] = []
        luns.reserveCapacity(count)
        for _ in 0..<count { luns.append(try u16()) }
        return luns
    }

    mutating func endpoint() throws(MessageDecodingError) -> TransportEndpoint {
        let length = Int(try u8())
        guard length <= TransportEndpoint.maxAddressLength else { throw .fieldOutOfRange("endpoint address length") }
        let address = Array(try take(length))
        let qpn = try u32()
        guard qpn <= 0xff_ffff else { throw .fieldOutOfRange("queue pair number") }
        let psn = try u32()
        guard psn <= 0xff_ffff else { throw .fieldOutOfRange("packet sequence number") }
        return TransportEndpoint(address: address, queuePairNumber: qpn, packetSequenceNumber: psn)
    }

    mutating func reply() throws(MessageDecodingError) -> DeviceManagementReply {
        switch try u8() {
        case 1:
            let changeID = try u16()
            let count = try u8()
            return .ioUnitInfo(IOUnitInfo(changeID: changeID, controllerCount: count), unitGUID: try u64())
        case 2:
            let slot = try u8()
            let guid = try u64()
            let count = Int(try u16())
            guard count <= ManagementMessage.maxLUNsPerController else { throw .fieldOutOfRange("controller LUN count") }
            var luns: [LUNProfile] = []
            for _ in 0..<count {
                luns.append(LUNProfile(lun: try u16(), blockLength: try u32(), blockCount: try u64()))
            }
            return .ioControllerProfile(IOControllerProfile(slot: slot, guid: guid, luns: luns))
        case 3:
            let slot = try u8()
            let count = Int(try u16())
            guard count <= ManagementMessage.maxServiceEntries else { throw .fieldOutOfRange("service entry count") }
            var entries: [ServiceEntry] = []
            for _ in 0..<count {
                let length = Int(try u8())
                guard length <= ServiceEntry.maxNameLength else { throw .fieldOutOfRange("service name length") }
                guard let name = String(validating: try take(length), as: UTF8.self) else {
                    throw .fieldOutOfRange("service name encoding")
                }
                entries.append(ServiceEntry(name: name, serviceID: try u64()))
            }
            return .serviceEntries(slot: slot, entries)
        case 4:
            return .noSuchController(slot: try u8())
        default:
            throw .fieldOutOfRange("reply kind")
        }
    }
}
