/// The names of SCSI and Linux SCSI-layer codes, for descriptions.
///
/// Names follow T10 SPC-4 (status, sense keys, the common ASC/ASCQ pairs, peripheral device
/// types) and the kernel's `include/scsi/scsi_status.h` (`DID_*`, `DRIVER_*`). The tables are
/// deliberately short: callers always print the number too, so an unnamed code loses nothing.
enum SCSINames {
    /// A SCSI status byte (SAM-5 5.3).
    static func status(_ value: UInt8) -> String {
        switch value {
        case 0x00: "GOOD"
        case 0x02: "CHECK CONDITION"
        case 0x04: "CONDITION MET"
        case 0x08: "BUSY"
        case 0x10: "INTERMEDIATE"
        case 0x14: "INTERMEDIATE-CONDITION MET"
        case 0x18: "RESERVATION CONFLICT"
        case 0x22: "COMMAND TERMINATED"
        case 0x28: "TASK SET FULL"
        case 0x30: "ACA ACTIVE"
        case 0x40: "TASK ABORTED"
        default: "status \(TextFormatting.hex(value, digits: 2))"
        }
    }

    /// A sense key (SPC-4 table 51).
    static func senseKey(_ value: UInt8) -> String {
        switch value {
        case 0x0: "NO SENSE"
        case 0x1: "RECOVERED ERROR"
        case 0x2: "NOT READY"
        case 0x3: "MEDIUM ERROR"
        case 0x4: "HARDWARE ERROR"
        case 0x5: "ILLEGAL REQUEST"
        case 0x6: "UNIT ATTENTION"
        case 0x7: "DATA PROTECT"
        case 0x8: "BLANK CHECK"
        case 0x9: "VENDOR SPECIFIC"
        case 0xa: "COPY ABORTED"
        case 0xb: "ABORTED COMMAND"
        case 0xd: "VOLUME OVERFLOW"
        case 0xe: "MISCOMPARE"
        case 0xf: "COMPLETED"
        default: "RESERVED"
        }
    }

    /// The ASC/ASCQ pairs a storage initiator meets most (SPC-4 table D.1); nil for the rest.
    static func additionalSense(_ asc: UInt8, _ ascq: UInt8) -> String? {
        switch (asc, ascq) {
        case (0x00, 0x00): "NO ADDITIONAL SENSE INFORMATION"
        case (0x04, 0x00): "LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE"
        case (0x04, 0x01): "LOGICAL UNIT IS IN PROCESS OF BECOMING READY"
        case (0x04, 0x02): "LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED"
        case (0x04, 0x03): "LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED"
        case (0x0c, 0x00): "WRITE ERROR"
        case (0x11, 0x00): "UNRECOVERED READ ERROR"
        case (0x1a, 0x00): "PARAMETER LIST LENGTH ERROR"
        case (0x20, 0x00): "INVALID COMMAND OPERATION CODE"
        case (0x21, 0x00): "LOGICAL BLOCK ADDRESS OUT OF RANGE"
        case (0x24, 0x00): "INVALID FIELD IN CDB"
        case (0x25, 0x00): "LOGICAL UNIT NOT SUPPORTED"
        case (0x26, 0x00): "INVALID FIELD IN PARAMETER LIST"
        case (0x27, 0x00): "WRITE PROTECTED"
        case (0x28, 0x00): "NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED"
        case (0x29, 0x00): "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED"
        case (0x2a, 0x01): "MODE PARAMETERS CHANGED"
        case (0x3a, 0x00): "MEDIUM NOT PRESENT"
        case (0x3f, 0x0e): "REPORTED LUNS DATA HAS CHANGED"
        case (0x44, 0x00): "INTERNAL TARGET FAILURE"
        case (0x5d, 0x00): "FAILURE PREDICTION THRESHOLD EXCEEDED"
        default: nil
        }
    }

    /// A host adapter status (`DID_*`).
    static func hostStatus(_ value: UInt16) -> String {
        switch value {
        case 0x00: "DID_OK"
        case 0x01: "DID_NO_CONNECT"
        case 0x02: "DID_BUS_BUSY"
        case 0x03: "DID_TIME_OUT"
        case 0x04: "DID_BAD_TARGET"
        case 0x05: "DID_ABORT"
        case 0x06: "DID_PARITY"
        case 0x07: "DID_ERROR"
        case 0x08: "DID_RESET"
        case 0x09: "DID_BAD_INTR"
        case 0x0a: "DID_PASSTHROUGH"
        case 0x0b: "DID_SOFT_ERROR"
        case 0x0c: "DID_IMM_RETRY"
        case 0x0d: "DID_REQUEUE"
        case 0x0e: "DID_TRANSPORT_DISRUPTED"
        case 0x0f: "DID_TRANSPORT_FAILFAST"
        case 0x11: "DID_NEXUS_FAILURE"
        case 0x12: "DID_ALLOC_FAILURE"
        case 0x13: "DID_MEDIUM_ERROR"
        case 0x14: "DID_TRANSPORT_MARGINAL"
        default: "DID_UNKNOWN"
        }
    }

    /// The low four bits of a driver status (`DRIVER_*`).
    static func driverStatus(_ value: UInt16) -> String {
        switch value & 0x0f {
        case 0x0: "DRIVER_OK"
        case 0x1: "DRIVER_BUSY"
        case 0x2: "DRIVER_SOFT"
        case 0x3: "DRIVER_MEDIA"
        case 0x4: "DRIVER_ERROR"
        case 0x5: "DRIVER_INVALID"
        case 0x6: "DRIVER_TIMEOUT"
        case 0x7: "DRIVER_HARD"
        case 0x8: "DRIVER_SENSE"
        default: "DRIVER_UNKNOWN"
        }
    }

    /// A peripheral device type (SPC-4 table 140).
    static func peripheralDeviceType(_ value: UInt8) -> String {
        switch value {
        case 0x00: "direct-access block device"
        case 0x01: "sequential-access device"
        case 0x02: "printer"
        case 0x03: "processor"
        case 0x04: "write-once device"
        case 0x05: "CD/DVD device"
        case 0x07: "optical memory device"
        case 0x08: "medium changer"
        case 0x0c: "storage array controller"
        case 0x0d: "enclosure services device"
        case 0x0e: "simplified direct-access device"
        case 0x0f: "optical card reader/writer"
        case 0x11: "object-based storage device"
        case 0x12: "automation/drive interface"
        case 0x14: "host-managed zoned block device"
        case 0x1e: "well-known logical unit"
        case 0x1f: "unknown or no device type"
        default: "peripheral device type \(TextFormatting.hex(value, digits: 2))"
        }
    }
}
