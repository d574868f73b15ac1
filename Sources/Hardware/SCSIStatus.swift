/// The SCSI status byte a target returns for a command (SAM-5 status codes; `sg_io_hdr.status`).
///
/// These are the unshifted SAM values. The older `masked_status` field and glibc's
/// `<scsi/scsi.h>` use the same codes shifted right by one (`CHECK_CONDITION` 0x01); this
/// type never does.
public struct SCSIStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The command completed.
    ///
    /// The corresponding C constant is `SAM_STAT_GOOD`.
    public static let good = SCSIStatus(rawValue: 0x00)

    /// The command failed; the sense data says why.
    ///
    /// The corresponding C constant is `SAM_STAT_CHECK_CONDITION`.
    public static let checkCondition = SCSIStatus(rawValue: 0x02)

    /// The requested condition is met (PRE-FETCH).
    ///
    /// The corresponding C constant is `SAM_STAT_CONDITION_MET`.
    public static let conditionMet = SCSIStatus(rawValue: 0x04)

    /// The logical unit is busy; retry later.
    ///
    /// The corresponding C constant is `SAM_STAT_BUSY`.
    public static let busy = SCSIStatus(rawValue: 0x08)

    /// Another initiator holds a reservation that conflicts with the command: the sign, in a
    /// cluster, that the partner has taken the shelf.
    ///
    /// The corresponding C constant is `SAM_STAT_RESERVATION_CONFLICT`.
    public static let reservationConflict = SCSIStatus(rawValue: 0x18)

    /// The logical unit's task set is full; retry when a command completes.
    ///
    /// The corresponding C constant is `SAM_STAT_TASK_SET_FULL`.
    public static let taskSetFull = SCSIStatus(rawValue: 0x28)

    /// An auto contingent allegiance condition exists.
    ///
    /// The corresponding C constant is `SAM_STAT_ACA_ACTIVE`.
    public static let acaActive = SCSIStatus(rawValue: 0x30)

    /// The command was aborted by another initiator's task management.
    ///
    /// The corresponding C constant is `SAM_STAT_TASK_ABORTED`.
    public static let taskAborted = SCSIStatus(rawValue: 0x40)

    /// The SAM name, e.g. `CHECK CONDITION`, or `status 0xNN`.
    public var description: String {
        switch rawValue {
        case 0x00: "GOOD"
        case 0x02: "CHECK CONDITION"
        case 0x04: "CONDITION MET"
        case 0x08: "BUSY"
        case 0x10: "INTERMEDIATE"  // 0x10, 0x14, 0x22: obsolete since SAM-4, still named by the kernel.
        case 0x14: "INTERMEDIATE-CONDITION MET"
        case 0x18: "RESERVATION CONFLICT"
        case 0x22: "COMMAND TERMINATED"
        case 0x28: "TASK SET FULL"
        case 0x30: "ACA ACTIVE"
        case 0x40: "TASK ABORTED"
        default: "status 0x" + HexFormatting.hex(rawValue, digits: 2)
        }
    }
}
