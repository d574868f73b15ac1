extension CDB {
    /// REPORT LUNS (SPC-4 6.33): the logical units behind a target, as ``ReportLUNsData``.
    /// Data in.
    ///
    /// Layout: `A0 00 select-report 00 00 00 allocation-length(4) 00 control`.
    public struct ReportLUNs: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.reportLUNs
        public static let length = 12

        /// SELECT REPORT: 0 for all logical units except well-known ones, 1 well-known only,
        /// 2 all.
        public var selectReport: UInt8
        /// The most bytes to return; SPC requires at least 16.
        public var allocationLength: UInt32
        /// The CONTROL byte.
        public var control: UInt8

        public init(selectReport: UInt8 = 0, allocationLength: UInt32 = 4_096, control: UInt8 = 0) {
            self.selectReport = selectReport
            self.allocationLength = allocationLength
            self.control = control
        }

        public var bytes: [UInt8] {
            var b = CDB.template(Self.self, control: control)
            b[2] = selectReport
            BigEndianBytes.write(UInt64(allocationLength), into: &b, at: 6, count: 4)
            return b
        }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            selectReport = b[2]
            allocationLength = UInt32(BigEndianBytes.read(b, at: 6, count: 4))
            control = b[11]
        }
    }
}

/// The parameter data of REPORT LUNS: a list of 8-byte LUNs after an 8-byte header whose
/// first four bytes give the list's full length.
public struct ReportLUNsData: Hashable, Sendable {
    /// The LUNs present in the data, as 8-byte SAM LUN structures in host order (see
    /// ``lun(_:)`` and ``number(of:)`` for single-level LUNs).
    public var luns: [UInt64]
    /// How many LUNs the device has: more than ``luns`` holds when the allocation length was
    /// too small, in which case the command should be repeated with a larger one.
    public var reportedCount: Int

    public init(luns: [UInt64]) {
        self.luns = luns
        reportedCount = luns.count
    }

    /// Decodes the header and the complete LUN entries present; nil with fewer than 8 bytes.
    public init?(bytes input: some Collection<UInt8>) {
        let b = Array(input)
        guard b.count >= 8 else { return nil }
        let listLength = Int(BigEndianBytes.read(b, at: 0, count: 4))
        reportedCount = listLength / 8
        let present = min(reportedCount, (b.count - 8) / 8)
        luns = (0..<present).map { BigEndianBytes.read(b, at: 8 + 8 * $0, count: 8) }
    }

    /// The header (LUN LIST LENGTH = 8 × ``luns``.count) and the LUNs.
    public var bytes: [UInt8] {
        var b = [UInt8](repeating: 0, count: 8 + 8 * luns.count)
        BigEndianBytes.write(UInt64(8 * luns.count), into: &b, at: 0, count: 4)
        for (index, lun) in luns.enumerated() {
            BigEndianBytes.write(lun, into: &b, at: 8 + 8 * index, count: 8)
        }
        return b
    }

    /// The single-level SAM LUN structure of logical unit `number`: peripheral device
    /// addressing below 256, flat space addressing (`01b` in the top bits) up to 16 383.
    ///
    /// - Precondition: `0 <= number < 16_384`.
    public static func lun(_ number: Int) -> UInt64 {
        precondition((0..<16_384).contains(number), "LUN \(number) is not a single-level LUN")
        return number < 256 ? UInt64(number) << 48 : (0x4000 | UInt64(number)) << 48
    }

    /// The logical unit number of a single-level LUN structure in peripheral device or flat
    /// space addressing; nil for other forms.
    public static func number(of lun: UInt64) -> Int? {
        guard lun & 0x0000_ffff_ffff_ffff == 0 else { return nil }
        let first = UInt16(lun >> 48)
        switch first >> 14 {
        case 0b00 where first >> 8 == 0: return Int(first & 0xff)
        case 0b01: return Int(first & 0x3fff)
        default: return nil
        }
    }
}
