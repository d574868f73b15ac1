import Hardware

/// INQUIRY (SPC-4 6.6, 7.8) and REPORT LUNS (SPC-4 6.33): who the drive is.
extension SCSITarget {
    /// The VPD pages answered (SPC-4 7.8): supported pages, unit serial number, device
    /// identification.
    static let supportedVitalProductDataPages: [UInt8] = [0x00, 0x80, 0x83]

    /// INQUIRY: standard data, or the VPD page asked for; INVALID FIELD IN CDB (byte 2) for a
    /// page code without EVPD or a VPD page not supported.
    func answerInquiry(_ command: DriveCommand, _ inquiry: CDB.Inquiry) -> DriveResponse {
        let allocation = Int(inquiry.allocationLength)
        guard inquiry.vitalProductData else {
            guard inquiry.pageCode == 0 else { return invalidField(command, byte: 2) }
            return dataIn(command, standardInquiryData, allocationLength: allocation)
        }
        let page: [UInt8]
        switch inquiry.pageCode {
        case 0x00: page = Self.supportedVitalProductDataPages
        case 0x80: page = Self.ascii(configuration.serialNumber)
        case 0x83: page = deviceIdentification
        default: return invalidField(command, byte: 2)
        }
        // Every VPD page: peripheral qualifier/type, page code, PAGE LENGTH (2 bytes).
        let header: [UInt8] = [
            PeripheralDeviceType.directAccessBlock.rawValue, inquiry.pageCode, UInt8(page.count >> 8),
            UInt8(truncatingIfNeeded: page.count),
        ]
        return dataIn(command, header + page, allocationLength: allocation)
    }

    /// The 36 bytes of standard INQUIRY data: a direct-access device claiming SPC-3 (VERSION
    /// 05h), MULTIP set (two ports, SPC-4 6.6.2), CMDQUE for SCSI disks only (an ATA disk
    /// behind the bridge runs one command at a time). An ATA disk says vendor `ATA`, its model's
    /// first 16 characters and its firmware revision's first 4 (SAT-3 10.3.2).
    var standardInquiryData: [UInt8] {
        let ata = configuration.interface == .ata
        var bytes = StandardInquiryData(
            version: 0x05, commandQueuing: !ata, vendor: ata ? "ATA" : configuration.vendor,
            product: String(configuration.product.prefix(16)), revision: String(configuration.revision.prefix(4))
        ).bytes
        bytes[6] |= 0x10  // MULTIP
        return bytes
    }

    /// VPD page 83h's one designator: the logical unit's NAA name (SPC-4 7.8.6.6): code set
    /// binary (1), association logical unit (0), designator type NAA (3), length 8.
    var deviceIdentification: [UInt8] {
        var designator: [UInt8] = [0x01, 0x03, 0x00, 0x08]
        for shift in stride(from: 56, through: 0, by: -8) {
            designator.append(UInt8(truncatingIfNeeded: configuration.worldWideName >> UInt64(shift)))
        }
        return designator
    }

    /// REPORT LUNS: one logical unit, LUN 0. SELECT REPORT above 2 or an allocation length
    /// below 16 is INVALID FIELD IN CDB (SPC-3 6.21).
    func answerReportLUNs(_ command: DriveCommand, _ reportLUNs: CDB.ReportLUNs) -> DriveResponse {
        guard reportLUNs.selectReport <= 2 else { return invalidField(command, byte: 2) }
        guard reportLUNs.allocationLength >= 16 else { return invalidField(command, byte: 6) }
        let data = ReportLUNsData(luns: [ReportLUNsData.lun(0)]).bytes
        return dataIn(command, data, allocationLength: Int(reportLUNs.allocationLength))
    }

    /// `text`'s ASCII bytes (others as `?`).
    static func ascii(_ text: String) -> [UInt8] {
        text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f ? UInt8($0.value) : 0x3f }
    }
}
