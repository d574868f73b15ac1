import Hardware

extension RemoteLUNDevice {
    /// A block operation a CDB asks for.
    struct BlockCommand {
        var operation: BlockOperation
        var lba: UInt64
        var blocks: UInt32
    }

    /// What to do with a command: answer it here, or send a block operation to the target.
    enum Plan {
        case answer(SCSICompletion)
        /// The operation and, for a write, the data.
        case transfer(BlockCommand, [UInt8]?)
    }

    /// SYNCHRONIZE CACHE (16) (SBC-3 5.23): `91h`, 16 bytes. Hardware's CDB parser lacks it.
    static let synchronizeCache16 = SCSIOperationCode(rawValue: 0x91)

    func plan(_ request: SCSIRequest) -> Plan {
        let tag = request.tag
        switch CDB.decode(request.cdb) {
        case .testUnitReady:
            return initiator.phase == .idle || initiator.phase == .failed
                ? .answer(Self.checkCondition(tag, .notReady, .logicalUnitNotReady, transferBytes: 0))
                : .answer(SCSICompletion(tag: tag, status: .good, duration: .zero))
        case .inquiry(let inquiry):
            guard !inquiry.vitalProductData, inquiry.pageCode == 0 else { return invalidField(request) }
            let data = StandardInquiryData(vendor: "IOFABRIC", product: "REMOTE LUN", revision: "0001").bytes
            return dataIn(request, Array(data.prefix(Int(inquiry.allocationLength))))
        case .readCapacity10:
            let last = profile.blockCount == 0 ? 0 : min(profile.blockCount - 1, UInt64(UInt32.max))
            return dataIn(request, ReadCapacity10Data(lastLBA: UInt32(last), blockLength: profile.blockLength).bytes)
        case .readCapacity16(let command):
            let data = ReadCapacity16Data(lastLBA: profile.blockCount == 0 ? 0 : profile.blockCount - 1, blockLength: profile.blockLength)
            return dataIn(request, Array(data.bytes.prefix(Int(command.allocationLength))))
        case .read10(let command):
            return blockTransfer(request, .read, lba: UInt64(command.lba), blocks: UInt32(command.transferLength))
        case .read16(let command):
            return blockTransfer(request, .read, lba: command.lba, blocks: command.transferLength)
        case .write10(let command):
            return blockTransfer(request, .write, lba: UInt64(command.lba), blocks: UInt32(command.transferLength))
        case .write16(let command):
            return blockTransfer(request, .write, lba: command.lba, blocks: command.transferLength)
        case .synchronizeCache10:
            return .transfer(BlockCommand(operation: .flush, lba: 0, blocks: 0), nil)
        case .unsupported(let cdb) where cdb.count == 16 && cdb[0] == Self.synchronizeCache16.rawValue:
            return .transfer(BlockCommand(operation: .flush, lba: 0, blocks: 0), nil)
        default:
            return .answer(Self.checkCondition(tag, .illegalRequest, .invalidCommandOperationCode, transferBytes: request.dataTransfer.byteCount))
        }
    }

    private func invalidField(_ request: SCSIRequest) -> Plan {
        .answer(Self.checkCondition(request.tag, .illegalRequest, .invalidFieldInCDB, transferBytes: request.dataTransfer.byteCount))
    }

    /// Returns `data`, cut to the request's data-in length; anything but data-in is 24/00.
    private func dataIn(_ request: SCSIRequest, _ data: [UInt8]) -> Plan {
        guard case .fromDevice(let count) = request.dataTransfer else { return invalidField(request) }
        let returned = Array(data.prefix(count))
        return .answer(
            SCSICompletion(tag: request.tag, status: .good, residual: count - returned.count, dataIn: returned, duration: .zero))
    }

    private func blockTransfer(_ request: SCSIRequest, _ operation: BlockOperation, lba: UInt64, blocks: UInt32) -> Plan {
        let bytes = Int(blocks) * Int(profile.blockLength)
        var data: [UInt8]?
        switch (operation, request.dataTransfer) {
        case (.read, .fromDevice(let count)) where count == bytes: break
        case (.read, .none) where bytes == 0: break
        case (.write, .toDevice(let out)) where out.count == bytes: data = out
        case (.write, .none) where bytes == 0: break
        default: return invalidField(request)
        }
        guard lba <= profile.blockCount, UInt64(blocks) <= profile.blockCount - lba else {
            return .answer(Self.checkCondition(request.tag, .illegalRequest, .logicalBlockAddressOutOfRange, transferBytes: bytes))
        }
        if blocks == 0 { return .answer(SCSICompletion(tag: request.tag, status: .good, duration: .zero)) }
        return .transfer(BlockCommand(operation: operation, lba: lba, blocks: blocks), data)
    }

    static func checkCondition(
        _ tag: UInt64, _ key: SenseKey, _ code: AdditionalSenseCode, information: UInt64? = nil, transferBytes: Int,
        duration: TimeSpan = .zero
    ) -> SCSICompletion {
        let sense = SenseData(format: .fixed, senseKey: key, additionalSenseCode: code, information: information)
        return SCSICompletion(
            tag: tag, status: .checkCondition, driverStatus: .sense, sense: sense.encoded(), residual: transferBytes,
            duration: duration)
    }

    /// The SCSI completion of a block operation that ended with `status` (the mapping in the
    /// type's documentation).
    static func completion(of status: IOStatus, tag: UInt64, dataIn: [UInt8], transferBytes: Int, duration: TimeSpan)
        -> SCSICompletion
    {
        switch status {
        case .good:
            return SCSICompletion(tag: tag, status: .good, dataIn: dataIn, duration: duration)
        case .checkCondition(let summary):
            return checkCondition(
                tag, summary.senseKey,
                AdditionalSenseCode(asc: summary.additionalSenseCode, ascq: summary.additionalSenseCodeQualifier),
                information: summary.information, transferBytes: transferBytes, duration: duration)
        case .rejected(.lunNotGranted):
            return checkCondition(tag, .illegalRequest, .logicalUnitNotSupported, transferBytes: transferBytes, duration: duration)
        case .rejected:
            return checkCondition(tag, .illegalRequest, .invalidFieldInCDB, transferBytes: transferBytes, duration: duration)
        case .deviceUnavailable:
            return SCSICompletion(tag: tag, status: .good, hostStatus: .timeOut, residual: transferBytes, duration: duration)
        case .transferFailed:
            return SCSICompletion(tag: tag, status: .good, hostStatus: .error, residual: transferBytes, duration: duration)
        case .reservationConflict:
            return SCSICompletion(tag: tag, status: .reservationConflict, residual: transferBytes, duration: duration)
        }
    }
}
