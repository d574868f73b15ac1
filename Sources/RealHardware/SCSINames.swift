/// The names of SCSI codes that the `Hardware` module does not name, for descriptions.
///
/// Status, sense key, ASC/ASCQ, host and driver status names are `Hardware`'s (``SGIOStatus``
/// uses them); this table is the peripheral device types of T10 SPC-4, which `Hardware`'s
/// `PeripheralDeviceType` does not name. An unnamed code is shown as a number.
enum SCSINames {
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
