import Hardware

/// Decoders of the INQUIRY vital product data pages the SCSI DDM reads (SPC-4 7.8). They never
/// trap: malformed pages throw ``MessageDecodingError``.
///
/// Every page starts with a 4-byte header: peripheral qualifier and type, PAGE CODE, PAGE
/// LENGTH (2 bytes, big-endian, the bytes after the header).
public enum VitalProductData {
    /// The Unit Serial Number page.
    public static let unitSerialNumberPage: UInt8 = 0x80
    /// The Device Identification page.
    public static let deviceIdentificationPage: UInt8 = 0x83

    /// The payload of page `pageCode` in `bytes`: what follows the header, cut to the bytes
    /// present when the allocation length cut the page short.
    ///
    /// - Throws: ``MessageDecodingError/truncated(needed:available:)`` without a whole header;
    ///   ``MessageDecodingError/fieldOutOfRange(_:)`` when the page code is another page's.
    static func payload(of bytes: [UInt8], pageCode: UInt8) throws(MessageDecodingError) -> ArraySlice<UInt8> {
        guard bytes.count >= 4 else { throw .truncated(needed: 4, available: bytes.count) }
        guard bytes[1] == pageCode else { throw .fieldOutOfRange("VPD page code") }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        return bytes[4..<min(bytes.count, 4 + length)]
    }

    /// The PRODUCT SERIAL NUMBER of a Unit Serial Number page (SPC-4 7.8.15): ASCII, with the
    /// leading and trailing spaces real drives pad it with removed, and trailing NULs (Linux's
    /// LIO target counts its string's terminator in the page length); other bytes read as `?`.
    public static func unitSerialNumber(_ bytes: [UInt8]) throws(MessageDecodingError) -> String {
        var serial = try payload(of: bytes, pageCode: unitSerialNumberPage)
        while serial.last == 0 { serial.removeLast() }
        return ascii(serial)
    }

    /// The NAA name of the logical unit in a Device Identification page (SPC-4 7.8.6): the
    /// first designator of type NAA (3) associated with the logical unit (0), as a 64-bit
    /// name (the first 8 bytes of a 16-byte NAA 6 designator). 0 when the page has none.
    ///
    /// - Throws: ``MessageDecodingError/truncated(needed:available:)`` when a designator runs
    ///   past the page.
    public static func logicalUnitNAAName(_ bytes: [UInt8]) throws(MessageDecodingError) -> UInt64 {
        let page = try payload(of: bytes, pageCode: deviceIdentificationPage)
        var index = page.startIndex
        while index < page.endIndex {
            guard page.endIndex - index >= 4 else { throw .truncated(needed: 4, available: page.endIndex - index) }
            let association = (page[index + 1] >> 4) & 0x03
            let designatorType = page[index + 1] & 0x0f
            let length = Int(page[index + 3])
            let start = index + 4
            guard page.endIndex - start >= length else {
                throw .truncated(needed: length, available: page.endIndex - start)
            }
            if designatorType == 3 && association == 0 && length >= 8 {
                var name: UInt64 = 0
                for byte in page[start..<(start + 8)] { name = name << 8 | UInt64(byte) }
                return name
            }
            index = start + length
        }
        return 0
    }

    /// Printable ASCII with spaces trimmed at both ends; other bytes (NULs included) as `?`.
    static func ascii(_ bytes: some Collection<UInt8>) -> String {
        var text = String(bytes.map { (0x20..<0x7f).contains($0) ? Character(UnicodeScalar($0)) : "?" })
        while text.last == " " { text.removeLast() }
        while text.first == " " { text.removeFirst() }
        return text
    }
}
