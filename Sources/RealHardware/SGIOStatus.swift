/// How one SCSI command sent through SG_IO ended: the SCSI status byte, the host adapter's and
/// the driver's status, and the sense data (`struct sg_io_hdr`'s `status`, `host_status`,
/// `driver_status` and the `sb_len_wr` bytes at `sbp`).
///
/// Sense data is decoded in both formats of SPC-4 4.5: fixed (response codes 0x70/0x71) and
/// descriptor (0x72/0x73). The ``description`` names what it knows and shows every code as a
/// number as well, e.g. `CHECK CONDITION, sense key ILLEGAL REQUEST (0x5), ASC/ASCQ 0x24/0x00
/// (INVALID FIELD IN CDB)`.
public struct SGIOStatus: Hashable, Sendable, CustomStringConvertible {
    /// The SCSI status byte: 0x00 GOOD, 0x02 CHECK CONDITION, 0x08 BUSY, 0x18 RESERVATION
    /// CONFLICT, 0x28 TASK SET FULL, ...
    public var status: UInt8

    /// The host adapter's verdict (the kernel's `DID_*`): 0 DID_OK, 0x01 DID_NO_CONNECT,
    /// 0x03 DID_TIME_OUT, ...
    public var hostStatus: UInt16

    /// The driver's verdict (the kernel's `DRIVER_*`): 0 DRIVER_OK, 0x08 DRIVER_SENSE (sense
    /// data is valid), 0x06 DRIVER_TIMEOUT, ...
    public var driverStatus: UInt16

    /// The sense data the device returned, as many bytes as it wrote.
    public var sense: [UInt8]

    /// A status from `struct sg_io_hdr`'s outputs; an all-zero status with no sense data is GOOD.
    public init(status: UInt8, hostStatus: UInt16 = 0, driverStatus: UInt16 = 0, sense: [UInt8] = []) {
        self.status = status
        self.hostStatus = hostStatus
        self.driverStatus = driverStatus
        self.sense = sense
    }

    /// The SCSI status GOOD (0x00).
    static let good: UInt8 = 0x00
    /// The SCSI status CHECK CONDITION (0x02): sense data says why.
    static let checkCondition: UInt8 = 0x02
    /// `DRIVER_SENSE`: the driver's way of saying sense data is present; not itself an error.
    static let driverSense: UInt16 = 0x08
    /// The sense key RECOVERED ERROR (0x1): the command succeeded after a retry or correction.
    static let recoveredError: UInt8 = 0x1

    /// Whether the command succeeded: GOOD status (or CHECK CONDITION with sense key RECOVERED
    /// ERROR), and neither the host adapter nor the driver reported an error.
    public var succeeded: Bool {
        guard hostStatus == 0, driverStatus & 0x0f == 0 || driverStatus & 0x0f == Self.driverSense else {
            return false
        }
        return status == Self.good || (status == Self.checkCondition && senseKey == Self.recoveredError)
    }

    /// The sense key (0x0–0xF) of the sense data; nil without (recognisable) sense data.
    public var senseKey: UInt8? {
        switch senseFormat {
        case .fixed: sense.count > 2 ? sense[2] & 0x0f : nil
        case .descriptor: sense.count > 1 ? sense[1] & 0x0f : nil
        case nil: nil
        }
    }

    /// The additional sense code (ASC); nil when the sense data does not include it.
    public var additionalSenseCode: UInt8? {
        switch senseFormat {
        case .fixed: sense.count > 12 ? sense[12] : nil
        case .descriptor: sense.count > 2 ? sense[2] : nil
        case nil: nil
        }
    }

    /// The additional sense code qualifier (ASCQ); nil when the sense data does not include it.
    public var additionalSenseCodeQualifier: UInt8? {
        switch senseFormat {
        case .fixed: sense.count > 13 ? sense[13] : nil
        case .descriptor: sense.count > 3 ? sense[3] : nil
        case nil: nil
        }
    }

    private enum SenseFormat { case fixed, descriptor }

    private var senseFormat: SenseFormat? {
        guard let first = sense.first else { return nil }
        switch first & 0x7f {
        case 0x70, 0x71: return .fixed
        case 0x72, 0x73: return .descriptor
        default: return nil
        }
    }

    /// One line: the status, the decoded sense data, and any host or driver error, e.g.
    /// `CHECK CONDITION, sense key NOT READY (0x2), ASC/ASCQ 0x3a/0x00 (MEDIUM NOT PRESENT)`
    /// or `GOOD, host status DID_TIME_OUT (0x03)`.
    public var description: String {
        var parts = [SCSINames.status(status)]
        if let key = senseKey {
            var text = "sense key \(SCSINames.senseKey(key)) (\(TextFormatting.hex(key, digits: 1)))"
            if let asc = additionalSenseCode, let ascq = additionalSenseCodeQualifier {
                text += ", ASC/ASCQ \(TextFormatting.hex(asc, digits: 2))/\(TextFormatting.hex(ascq, digits: 2))"
                if let name = SCSINames.additionalSense(asc, ascq) { text += " (\(name))" }
            } else if let asc = additionalSenseCode {
                text += ", ASC \(TextFormatting.hex(asc, digits: 2))"
            }
            parts.append(text)
        } else if !sense.isEmpty {
            let bytes = sense.prefix(8).map { TextFormatting.hexDigits($0, digits: 2) }
            parts.append("unrecognised sense data \(bytes.joined(separator: " "))")
        } else if status == Self.checkCondition {
            parts.append("no sense data")
        }
        if hostStatus != 0 {
            parts.append(
                "host status \(SCSINames.hostStatus(hostStatus)) (\(TextFormatting.hex(hostStatus, digits: 2)))")
        }
        let driverError = driverStatus & 0x0f
        if driverError != 0 && driverError != Self.driverSense {
            parts.append(
                "driver status \(SCSINames.driverStatus(driverError)) (\(TextFormatting.hex(driverStatus, digits: 2)))")
        }
        return parts.joined(separator: ", ")
    }
}
