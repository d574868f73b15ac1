/// A SCSI command's operation code: byte 0 of its CDB.
///
/// The C names are Linux's: glibc's `<scsi/scsi.h>` for the older commands, the kernel's
/// `<scsi/scsi_proto.h>` for the 16-byte ones.
public struct SCSIOperationCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// TEST UNIT READY (6).
    ///
    /// The corresponding C constant is `TEST_UNIT_READY`.
    public static let testUnitReady = SCSIOperationCode(rawValue: 0x00)

    /// REQUEST SENSE (6).
    ///
    /// The corresponding C constant is `REQUEST_SENSE`.
    public static let requestSense = SCSIOperationCode(rawValue: 0x03)

    /// INQUIRY (6).
    ///
    /// The corresponding C constant is `INQUIRY`.
    public static let inquiry = SCSIOperationCode(rawValue: 0x12)

    /// MODE SENSE (6).
    ///
    /// The corresponding C constant is `MODE_SENSE`.
    public static let modeSense6 = SCSIOperationCode(rawValue: 0x1A)

    /// READ CAPACITY (10).
    ///
    /// The corresponding C constant is `READ_CAPACITY`.
    public static let readCapacity10 = SCSIOperationCode(rawValue: 0x25)

    /// READ (10).
    ///
    /// The corresponding C constant is `READ_10`.
    public static let read10 = SCSIOperationCode(rawValue: 0x28)

    /// WRITE (10).
    ///
    /// The corresponding C constant is `WRITE_10`.
    public static let write10 = SCSIOperationCode(rawValue: 0x2A)

    /// SYNCHRONIZE CACHE (10).
    ///
    /// The corresponding C constant is `SYNCHRONIZE_CACHE`.
    public static let synchronizeCache10 = SCSIOperationCode(rawValue: 0x35)

    /// MODE SENSE (10).
    ///
    /// The corresponding C constant is `MODE_SENSE_10`.
    public static let modeSense10 = SCSIOperationCode(rawValue: 0x5A)

    /// PERSISTENT RESERVE IN.
    ///
    /// The corresponding C constant is `PERSISTENT_RESERVE_IN`.
    public static let persistentReserveIn = SCSIOperationCode(rawValue: 0x5E)

    /// PERSISTENT RESERVE OUT.
    ///
    /// The corresponding C constant is `PERSISTENT_RESERVE_OUT`.
    public static let persistentReserveOut = SCSIOperationCode(rawValue: 0x5F)

    /// A variable-length CDB (up to 260 bytes).
    ///
    /// The corresponding C constant is `VARIABLE_LENGTH_CMD`.
    public static let variableLength = SCSIOperationCode(rawValue: 0x7F)

    /// ATA PASS-THROUGH (16) (SAT).
    ///
    /// The corresponding C constant is `ATA_16`.
    public static let ataPassThrough16 = SCSIOperationCode(rawValue: 0x85)

    /// READ (16).
    ///
    /// The corresponding C constant is `READ_16`.
    public static let read16 = SCSIOperationCode(rawValue: 0x88)

    /// WRITE (16).
    ///
    /// The corresponding C constant is `WRITE_16`.
    public static let write16 = SCSIOperationCode(rawValue: 0x8A)

    /// SERVICE ACTION IN (16): READ CAPACITY (16) is its service action 10h.
    ///
    /// The corresponding C constant is `SERVICE_ACTION_IN_16`.
    public static let serviceActionIn16 = SCSIOperationCode(rawValue: 0x9E)

    /// REPORT LUNS.
    ///
    /// The corresponding C constant is `REPORT_LUNS`.
    public static let reportLUNs = SCSIOperationCode(rawValue: 0xA0)

    /// ATA PASS-THROUGH (12) (SAT).
    ///
    /// The corresponding C constant is `ATA_12`.
    public static let ataPassThrough12 = SCSIOperationCode(rawValue: 0xA1)

    /// The command's name, e.g. `READ(10)`, or `operation code 0xNN`.
    public var description: String {
        switch rawValue {
        case 0x00: "TEST UNIT READY"
        case 0x03: "REQUEST SENSE"
        case 0x12: "INQUIRY"
        case 0x1A: "MODE SENSE(6)"
        case 0x25: "READ CAPACITY(10)"
        case 0x28: "READ(10)"
        case 0x2A: "WRITE(10)"
        case 0x35: "SYNCHRONIZE CACHE(10)"
        case 0x5A: "MODE SENSE(10)"
        case 0x5E: "PERSISTENT RESERVE IN"
        case 0x5F: "PERSISTENT RESERVE OUT"
        case 0x7F: "VARIABLE LENGTH"
        case 0x85: "ATA PASS-THROUGH(16)"
        case 0x88: "READ(16)"
        case 0x8A: "WRITE(16)"
        case 0x9E: "SERVICE ACTION IN(16)"
        case 0xA0: "REPORT LUNS"
        case 0xA1: "ATA PASS-THROUGH(12)"
        default: "operation code 0x" + HexFormatting.hex(rawValue, digits: 2)
        }
    }
}
