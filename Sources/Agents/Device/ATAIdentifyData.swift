import Hardware

/// What the ATA DDM reads from IDENTIFY DEVICE data (ACS-3 7.12.7): 256 little-endian words.
/// Decoding never traps: malformed data throws ``MessageDecodingError``.
public struct ATAIdentifyData: Hashable, Sendable {
    /// MODEL NUMBER, words 27–46 (40 characters).
    public var model: String
    /// SERIAL NUMBER, words 10–19 (20 characters).
    public var serialNumber: String
    /// The user-addressable logical sectors: words 100–103 when the 48-bit feature set is
    /// supported (word 83 bit 10), else words 60–61.
    public var sectorCount: UInt64
    /// The logical sector size in bytes: words 117–118 (in words) when word 106 says so
    /// (bit 14 set, bit 15 clear, bit 12 set), else 512.
    public var logicalSectorSize: UInt32
    /// The world wide name, words 108–111 (word 108 first, its top nibble the NAA); 0 when the
    /// device reports none.
    public var worldWideName: UInt64

    /// The length of IDENTIFY DEVICE data.
    public static let length = 512
    /// Word 255's low byte when the checksum in its high byte is valid (ACS-3 7.12.7.91).
    public static let signature: UInt8 = 0xA5

    public init(model: String, serialNumber: String, sectorCount: UInt64, logicalSectorSize: UInt32 = 512,
                worldWideName: UInt64 = 0) {
        self.model = model
        self.serialNumber = serialNumber
        self.sectorCount = sectorCount
        self.logicalSectorSize = logicalSectorSize
        self.worldWideName = worldWideName
    }

    /// Decodes the first 512 bytes of `bytes`.
    ///
    /// - Throws: ``MessageDecodingError/truncated(needed:available:)`` under 512 bytes;
    ///   ``MessageDecodingError/fieldOutOfRange(_:)`` for an ATAPI device (word 0 bit 15), a
    ///   bad checksum (when word 255 carries the signature A5h), no capacity, or a logical
    ///   sector size outside 512 bytes … 1 MiB.
    public init(decoding bytes: [UInt8]) throws(MessageDecodingError) {
        guard bytes.count >= Self.length else { throw .truncated(needed: Self.length, available: bytes.count) }
        func word(_ index: Int) -> UInt16 { UInt16(bytes[2 * index]) | UInt16(bytes[2 * index + 1]) << 8 }
        guard word(0) & 0x8000 == 0 else { throw .fieldOutOfRange("IDENTIFY general configuration") }
        if bytes[510] == Self.signature {
            let sum = bytes[0..<Self.length].reduce(UInt8(0)) { $0 &+ $1 }
            guard sum == 0 else { throw .fieldOutOfRange("IDENTIFY checksum") }
        }
        serialNumber = Self.string(bytes, words: 10...19)
        model = Self.string(bytes, words: 27...46)
        let word83 = word(83)
        if word83 & 0xC000 == 0x4000 && word83 & 0x0400 != 0 {
            sectorCount = (0..<4).reduce(UInt64(0)) { $0 | UInt64(word(100 + $1)) << UInt64(16 * $1) }
        } else {
            sectorCount = UInt64(word(60)) | UInt64(word(61)) << 16
        }
        guard sectorCount > 0 else { throw .fieldOutOfRange("IDENTIFY capacity") }
        let word106 = word(106)
        if word106 & 0xC000 == 0x4000 && word106 & 0x1000 != 0 {
            let words = UInt64(word(117)) | UInt64(word(118)) << 16
            guard words >= 256 && words <= 512 * 1024 else { throw .fieldOutOfRange("IDENTIFY logical sector size") }
            logicalSectorSize = UInt32(words * 2)
        } else {
            logicalSectorSize = 512
        }
        worldWideName = (108...111).reduce(UInt64(0)) { $0 << 16 | UInt64(word($1)) }
    }

    /// As the agents see it: vendor `ATA` (as Linux's SAT layer reports every ATA disk), the
    /// model as product.
    public var identity: DeviceIdentity {
        DeviceIdentity(
            vendor: "ATA", product: model, serialNumber: serialNumber, worldWideName: worldWideName,
            blockLength: logicalSectorSize, blockCount: sectorCount)
    }

    /// An ATA string (ACS-3 3.4.9): two characters a word, the first in the high byte; spaces
    /// trimmed at both ends, non-printable bytes as `?`.
    private static func string(_ bytes: [UInt8], words: ClosedRange<Int>) -> String {
        var characters: [UInt8] = []
        for index in words {
            characters.append(bytes[2 * index + 1])
            characters.append(bytes[2 * index])
        }
        return VitalProductData.ascii(characters)
    }
}
