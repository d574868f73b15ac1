import Hardware

/// MODE SENSE (6) and (10) (SPC-4 6.11, 6.12): the Caching page (SBC-3 6.4.5) and the Control
/// page (SPC-4 7.5.7); MODE SELECT is not supported, so nothing is changeable.
extension SCSITarget {
    /// SAVING PARAMETERS NOT SUPPORTED (SPC-4 table D.1, 39h/00h): the answer to PC = saved.
    static let savingParametersNotSupported = AdditionalSenseCode(asc: 0x39, ascq: 0x00)

    func answerModeSense6(_ command: DriveCommand, _ modeSense: CDB.ModeSense6) -> DriveResponse {
        switch modeParameters(
            command, pageCode: modeSense.pageCode, subpage: modeSense.subpageCode, control: modeSense.pageControl,
            blockDescriptors: !modeSense.disableBlockDescriptors, long: false)
        {
        case .failure(let error): error.response
        case .success(let parameters):
            dataIn(command, parameters.mode6Bytes, allocationLength: Int(modeSense.allocationLength))
        }
    }

    func answerModeSense10(_ command: DriveCommand, _ modeSense: CDB.ModeSense10) -> DriveResponse {
        switch modeParameters(
            command, pageCode: modeSense.pageCode, subpage: modeSense.subpageCode, control: modeSense.pageControl,
            blockDescriptors: !modeSense.disableBlockDescriptors, long: modeSense.longLBAAccepted)
        {
        case .failure(let error): error.response
        case .success(let parameters):
            dataIn(command, parameters.mode10Bytes, allocationLength: Int(modeSense.allocationLength))
        }
    }

    /// The header, block descriptor (unless DBD; long with LLBAA) and pages asked for.
    private func modeParameters(
        _ command: DriveCommand, pageCode: UInt8, subpage: UInt8, control: ModePageControl, blockDescriptors: Bool,
        long: Bool
    ) -> Result<ModeParameters, ErrorResponse> {
        if control == .saved {
            return .failure(
                ErrorResponse(
                    response: checkCondition(
                        command, .illegalRequest, Self.savingParametersNotSupported,
                        fieldPointer: .fieldPointer(inCDB: true, byte: 2, bit: 7))))
        }
        guard subpage == 0 || subpage == ModePageCode.allSubpages else {
            return .failure(ErrorResponse(response: invalidField(command, byte: 3)))
        }
        let pages: [ModePage]
        switch pageCode {
        case ModePageCode.caching: pages = [cachingPage(control)]
        case ModePageCode.control: pages = [controlPage(control)]
        case ModePageCode.allPages: pages = [cachingPage(control), controlPage(control)]
        default: return .failure(ErrorResponse(response: invalidField(command, byte: 2, bit: 5)))
        }
        let length = UInt32(configuration.blockSize)
        let descriptor: [UInt8] =
            !blockDescriptors
            ? []
            : long
                ? ModeParameters.longBlockDescriptor(blockCount: configuration.blockCount, blockLength: length)
                : ModeParameters.shortBlockDescriptor(blockCount: configuration.blockCount, blockLength: length)
        // DEVICE-SPECIFIC PARAMETER: WP 0, DPOFUA 1 (SBC-3 6.4.1): FUA is honoured.
        return .success(
            ModeParameters(
                deviceSpecificParameter: 0x10, longLBA: blockDescriptors && long, blockDescriptors: descriptor,
                pages: pages))
    }

    /// Caching: WCE from the configuration, RCD 0; the changeable mask is all zeros.
    private func cachingPage(_ control: ModePageControl) -> ModePage {
        guard control != .changeable else {
            return ModePage(
                code: ModePageCode.caching,
                parameters: [UInt8](repeating: 0, count: CachingModePage.parameterLength))
        }
        return CachingModePage(writeCacheEnabled: configuration.writeCacheEnabled).page
    }

    /// Control (SPC-4 7.5.7, page length 0Ah): QUEUE ALGORITHM MODIFIER 1 (unrestricted
    /// reordering) for a SCSI disk, 0 for an ATA disk; D_SENSE 0 (fixed-format sense); BUSY
    /// TIMEOUT PERIOD FFFFh (unlimited); the changeable mask is all zeros.
    private func controlPage(_ control: ModePageControl) -> ModePage {
        var parameters = [UInt8](repeating: 0, count: 10)
        if control != .changeable {
            parameters[1] = configuration.interface == .scsi ? 0x10 : 0x00
            parameters[6] = 0xFF
            parameters[7] = 0xFF
        }
        return ModePage(code: ModePageCode.control, parameters: parameters)
    }
}

/// An answer that ends a command early, as a `Result` failure.
struct ErrorResponse: Error {
    let response: DriveResponse
}
