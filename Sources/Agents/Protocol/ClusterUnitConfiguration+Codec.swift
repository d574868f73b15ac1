import Hardware

/// The wire format of ``ClusterUnitConfiguration`` (big-endian):
///
///     magic "CU" (0x43 0x55) | version 1 | LUN list | default flag (0/1) [LUN number list] | mask list
///
/// A LUN is number (16), WWN (64), block length (32), block count (64); a mask is the client's
/// port GUID (64) and a LUN number list; every list is a 16-bit count (cap ``maxEntries``) and
/// its elements. Masks are written in ascending client order; a client listed twice is refused.
extension ClusterUnitConfiguration {
    public static let magic: UInt16 = 0x4355
    public static let version: UInt8 = 1
    /// The most elements of any list. Assumption: far above the LUNs of a few disk shelves,
    /// and the clients of a cluster.
    public static let maxEntries = 1024

    /// The configuration's bytes.
    ///
    /// - Precondition: every list within ``maxEntries``.
    public func encoded() -> [UInt8] {
        var writer = AgentWireWriter()
        writer.u16(Self.magic)
        writer.u8(Self.version)
        precondition(luns.count <= Self.maxEntries && lunMasks.count <= Self.maxEntries, "cluster configuration too big")
        writer.u16(UInt16(luns.count))
        for lun in luns {
            writer.u16(lun.lun)
            writer.u64(lun.worldWideName)
            writer.u32(lun.blockLength)
            writer.u64(lun.blockCount)
        }
        if let defaultLUNs {
            writer.u8(1)
            Self.write(defaultLUNs, &writer)
        } else {
            writer.u8(0)
        }
        writer.u16(UInt16(lunMasks.count))
        for client in lunMasks.keys.sorted() {
            writer.u64(client)
            Self.write(lunMasks[client]!, &writer)
        }
        return writer.bytes
    }

    private static func write(_ numbers: [UInt16], _ writer: inout AgentWireWriter) {
        precondition(numbers.count <= maxEntries, "a LUN list of \(numbers.count)")
        writer.u16(UInt16(numbers.count))
        for number in numbers { writer.u16(number) }
    }

    /// Decodes a whole configuration; throws on anything malformed, never traps.
    public init(decoding bytes: [UInt8]) throws(MessageDecodingError) {
        guard bytes.count >= 3 else { throw .truncated(needed: 3, available: bytes.count) }
        var reader = AgentWireReader(bytes)
        guard try reader.u16() == Self.magic, try reader.u8() == Self.version else { throw .badHeader }
        let count = try reader.count("LUN count", cap: Self.maxEntries, minimumSize: 22)
        var luns: [LUN] = []
        luns.reserveCapacity(count)
        for _ in 0..<count {
            luns.append(
                LUN(lun: try reader.u16(), worldWideName: try reader.u64(), blockLength: try reader.u32(),
                    blockCount: try reader.u64()))
        }
        let defaultLUNs: [UInt16]?
        switch try reader.u8() {
        case 0: defaultLUNs = nil
        case 1: defaultLUNs = try Self.readNumbers(&reader)
        default: throw .fieldOutOfRange("default LUNs flag")
        }
        let masks = try reader.count("mask count", cap: Self.maxEntries, minimumSize: 10)
        var lunMasks: [UInt64: [UInt16]] = [:]
        for _ in 0..<masks {
            let client = try reader.u64()
            guard lunMasks[client] == nil else { throw .fieldOutOfRange("client listed twice") }
            lunMasks[client] = try Self.readNumbers(&reader)
        }
        try reader.finish()
        self.init(luns: luns, lunMasks: lunMasks, defaultLUNs: defaultLUNs)
    }

    private static func readNumbers(_ reader: inout AgentWireReader) throws(MessageDecodingError) -> [UInt16] {
        let count = try reader.count("LUN number count", cap: maxEntries, minimumSize: 2)
        var numbers: [UInt16] = []
        numbers.reserveCapacity(count)
        for _ in 0..<count { numbers.append(try reader.u16()) }
        return numbers
    }
}
