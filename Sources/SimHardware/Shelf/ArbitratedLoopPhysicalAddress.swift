/// An arbitrated-loop physical address (AL_PA): a port's 8-bit address on an FC-AL loop,
/// and its arbitration priority (a lower AL_PA wins arbitration).
///
/// Only the 127 values with neutral running disparity under 8b/10b are valid AL_PAs
/// (REFERENCE §C.5: "AL_PAs have neutral disparity"); a port's 7-bit loop identifier
/// (its hard address, e.g. from its bay's SEL_ID lines) selects one through the FC-AL
/// Annex K table, which is the table the Linux `qla2xxx` / `lpfc` drivers and the BSD `isp`
/// driver carry (`alpa_map`, `lpfcAlpaArray`). Loop identifier 126 is AL_PA 0x00, kept for
/// an FL_Port (a fabric's loop port), so NL_Ports use identifiers 0…125.
public struct ArbitratedLoopPhysicalAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The address byte.
    public let rawValue: UInt8

    /// The AL_PA of loop identifier `loopID` (0…126) in the FC-AL Annex K table.
    public init(loopID: Int) {
        precondition((0..<Self.table.count).contains(loopID), "loop identifier \(loopID) is outside 0…126")
        rawValue = Self.table[loopID]
    }

    /// The AL_PA `rawValue`, which must be one of the 127 valid values.
    public init?(rawValue: UInt8) {
        guard Self.table.contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// The loop identifier of this AL_PA (its index in the Annex K table).
    public var loopID: Int { Self.table.firstIndex(of: rawValue)! }

    /// Lower AL_PA = higher arbitration priority.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The highest-priority NL_Port address (loop identifier 125): where HBAs usually sit.
    public static let highestPriority = ArbitratedLoopPhysicalAddress(loopID: 125)

    /// E.g. `AL_PA 0xef`.
    public var description: String {
        let hex = String(rawValue, radix: 16)
        return "AL_PA 0x" + (hex.count < 2 ? "0" + hex : hex)
    }

    /// Loop identifier → AL_PA (FC-AL Annex K; 127 entries, loop ID 0 = 0xEF, 126 = 0x00).
    static let table: [UInt8] = [
        0xEF, 0xE8, 0xE4, 0xE2, 0xE1, 0xE0, 0xDC, 0xDA, 0xD9, 0xD6, 0xD5, 0xD4, 0xD3, 0xD2, 0xD1, 0xCE,
        0xCD, 0xCC, 0xCB, 0xCA, 0xC9, 0xC7, 0xC6, 0xC5, 0xC3, 0xBC, 0xBA, 0xB9, 0xB6, 0xB5, 0xB4, 0xB3,
        0xB2, 0xB1, 0xAE, 0xAD, 0xAC, 0xAB, 0xAA, 0xA9, 0xA7, 0xA6, 0xA5, 0xA3, 0x9F, 0x9E, 0x9D, 0x9B,
        0x98, 0x97, 0x90, 0x8F, 0x88, 0x84, 0x82, 0x81, 0x80, 0x7C, 0x7A, 0x79, 0x76, 0x75, 0x74, 0x73,
        0x72, 0x71, 0x6E, 0x6D, 0x6C, 0x6B, 0x6A, 0x69, 0x67, 0x66, 0x65, 0x63, 0x5C, 0x5A, 0x59, 0x56,
        0x55, 0x54, 0x53, 0x52, 0x51, 0x4E, 0x4D, 0x4C, 0x4B, 0x4A, 0x49, 0x47, 0x46, 0x45, 0x43, 0x3C,
        0x3A, 0x39, 0x36, 0x35, 0x34, 0x33, 0x32, 0x31, 0x2E, 0x2D, 0x2C, 0x2B, 0x2A, 0x29, 0x27, 0x26,
        0x25, 0x23, 0x1F, 0x1E, 0x1D, 0x1B, 0x18, 0x17, 0x10, 0x0F, 0x08, 0x04, 0x02, 0x01, 0x00,
    ]
}
