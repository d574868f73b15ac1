import Hardware

/// How one SCSI command sent through SG_IO ended: the SCSI status byte, the host adapter's and
/// the driver's status, and the sense data (`struct sg_io_hdr`'s `status`, `host_status`,
/// `driver_status` and the `sb_len_wr` bytes at `sbp`).
///
/// Sense data is decoded by the `Hardware` module's ``Hardware/SenseData``, in both formats of
/// SPC-4 4.5: fixed (response codes 0x70/0x71) and descriptor (0x72/0x73). The codes are named
/// by its ``Hardware/SCSIStatus``, ``Hardware/SenseKey``, ``Hardware/AdditionalSenseCode``,
/// ``Hardware/SCSIHostStatus`` and ``Hardware/SCSIDriverStatus``. The ``description`` names
/// what it knows and shows every code as a number as well, e.g. `CHECK CONDITION, sense key
/// ILLEGAL REQUEST (0x5), ASC/ASCQ 0x24/0x00 (INVALID FIELD IN CDB)`.
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

    /// Whether the command succeeded: GOOD status (or CHECK CONDITION with sense key RECOVERED
    /// ERROR), and neither the host adapter nor the driver reported an error.
    public var succeeded: Bool {
        let driverCode = SCSIDriverStatus(rawValue: driverStatus).code
        guard hostStatus == SCSIHostStatus.ok.rawValue, driverCode == .ok || driverCode == .sense else {
            return false
        }
        return status == SCSIStatus.good.rawValue
            || (status == SCSIStatus.checkCondition.rawValue && senseData?.senseKey == .recoveredError)
    }

    /// The sense data decoded (``Hardware/SenseData/init(decoding:)``); nil when there is none,
    /// or it is in neither fixed nor descriptor format, or too short to hold the sense key.
    public var senseData: SenseData? {
        try? SenseData(decoding: sense)
    }

    /// The sense key (0x0–0xF) of the sense data; nil without (recognisable) sense data.
    public var senseKey: UInt8? {
        senseData?.senseKey.rawValue
    }

    /// The additional sense code (ASC); nil when the sense data does not include it.
    public var additionalSenseCode: UInt8? {
        guard let decoded = senseData, senseIncludes(byte: decoded.format == .fixed ? 12 : 2) else { return nil }
        return decoded.additionalSenseCode.asc
    }

    /// The additional sense code qualifier (ASCQ); nil when the sense data does not include it.
    public var additionalSenseCodeQualifier: UInt8? {
        guard let decoded = senseData, senseIncludes(byte: decoded.format == .fixed ? 13 : 3) else { return nil }
        return decoded.additionalSenseCode.ascq
    }

    /// Whether byte `index` of the sense data is present where ``senseData`` reads it: in the
    /// bytes the device wrote and, past the 8-byte header, inside its ADDITIONAL SENSE LENGTH.
    /// (`SenseData` reports an absent ASC or ASCQ as zero; this tells zero from absent.)
    private func senseIncludes(byte index: Int) -> Bool {
        let end = sense.count >= 8 ? min(sense.count, 8 + Int(sense[7])) : sense.count
        return index < (index < 8 ? sense.count : end)
    }

    /// One line: the status, the decoded sense data, and any host or driver error, e.g.
    /// `CHECK CONDITION, sense key NOT READY (0x2), ASC/ASCQ 0x3a/0x00 (MEDIUM NOT PRESENT)`
    /// or `GOOD, host status DID_TIME_OUT (0x03)`.
    public var description: String {
        var parts = [SCSIStatus(rawValue: status).description]
        if let key = senseKey {
            var text = "sense key \(SenseKey(rawValue: key)) (\(TextFormatting.hex(key, digits: 1)))"
            if let asc = additionalSenseCode, let ascq = additionalSenseCodeQualifier {
                text += ", ASC/ASCQ \(TextFormatting.hex(asc, digits: 2))/\(TextFormatting.hex(ascq, digits: 2))"
                if let name = AdditionalSenseCode(asc: asc, ascq: ascq).name { text += " (\(name))" }
            } else if let asc = additionalSenseCode {
                text += ", ASC \(TextFormatting.hex(asc, digits: 2))"
            }
            parts.append(text)
        } else if !sense.isEmpty {
            let bytes = sense.prefix(8).map { TextFormatting.hexDigits($0, digits: 2) }
            parts.append("unrecognised sense data \(bytes.joined(separator: " "))")
        } else if status == SCSIStatus.checkCondition.rawValue {
            parts.append("no sense data")
        }
        if hostStatus != SCSIHostStatus.ok.rawValue {
            // An unnamed code's description is already `host status 0xNN`.
            let host = SCSIHostStatus(rawValue: hostStatus).description
            parts.append(
                host.hasPrefix("DID_") ? "host status \(host) (\(TextFormatting.hex(hostStatus, digits: 2)))" : host)
        }
        let driver = SCSIDriverStatus(rawValue: driverStatus)
        if driver.code != .ok && driver.code != .sense {
            // An unnamed code's description is already `driver status 0xNN` (with the raw value).
            let name = driver.code.description
            parts.append(
                name.hasPrefix("DRIVER_")
                    ? "driver status \(name) (\(TextFormatting.hex(driverStatus, digits: 2)))" : driver.description)
        }
        return parts.joined(separator: ", ")
    }
}
