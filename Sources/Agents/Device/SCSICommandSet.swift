import Hardware

/// The SCSI DDM's commands (SPC-4, SBC-3): identify is standard INQUIRY, INQUIRY VPD 80h and
/// 83h, READ CAPACITY (16); read and write are READ (16) and WRITE (16); flush is SYNCHRONIZE
/// CACHE (10) over the whole medium; reservations are PERSISTENT RESERVE OUT / IN (SPC-3 6.11, 6.12),
/// and the fence's drain is SYNCHRONIZE CACHE (10) too.
struct SCSICommandSet: DeviceCommandSet {
    /// Identify's steps.
    enum IdentifyStep: Int {
        case standardInquiry = 0
        case serialNumber = 1
        case deviceIdentification = 2
        case readCapacity = 3
    }

    /// INQUIRY allocation lengths: 96 bytes of standard data (the common `sg_inq` choice;
    /// the 36 used are SPC-4 6.6.2's), and 255 for a VPD page (the most a one-byte-length
    /// page answer needs; assumption: serial numbers and designator lists are shorter).
    static let standardInquiryAllocation: UInt16 = 96
    static let vitalProductDataAllocation: UInt16 = 255

    func nextCommand(of operation: DeviceOperation, blockLength: UInt32) -> DeviceCommand? {
        switch operation.kind {
        case .identify:
            switch IdentifyStep(rawValue: operation.step) {
            case .standardInquiry:
                let allocation = Self.standardInquiryAllocation
                return DeviceCommand(
                    cdb: CDB.Inquiry(allocationLength: allocation).bytes,
                    transfer: .fromDevice(count: Int(allocation)))
            case .serialNumber:
                return vitalProductData(VitalProductData.unitSerialNumberPage)
            case .deviceIdentification:
                return vitalProductData(VitalProductData.deviceIdentificationPage)
            case .readCapacity:
                return DeviceCommand(
                    cdb: CDB.ReadCapacity16(allocationLength: UInt32(ReadCapacity16Data.length)).bytes,
                    transfer: .fromDevice(count: ReadCapacity16Data.length))
            case nil:
                return nil
            }
        case .read(let lba, let blocks):
            guard operation.step == 0 else { return nil }
            return DeviceCommand(
                cdb: CDB.Read16(lba: lba, transferLength: blocks).bytes,
                transfer: .fromDevice(count: Int(blocks) * Int(blockLength)))
        case .write(let lba, let data, let forceUnitAccess):
            guard operation.step == 0 else { return nil }
            // More than 2³² − 1 blocks is more than 2³² − 1 bytes: the request refuses the
            // transfer and the engine rejects the operation, whatever the clamped length says.
            let transferLength = UInt32(clamping: data.count / Int(blockLength))
            return DeviceCommand(
                cdb: CDB.Write16(
                    lba: lba, transferLength: transferLength,
                    options: BlockTransferOptions(forceUnitAccess: forceUnitAccess)
                ).bytes,
                transfer: .toDevice(data))
        case .flush:
            guard operation.step == 0 else { return nil }
            return DeviceCommand(cdb: CDB.SynchronizeCache10().bytes, transfer: .none)
        case .reservation(let request):
            guard operation.step == 0 else { return nil }
            return ReservationCommands.command(request)
        }
    }

    private func vitalProductData(_ page: UInt8) -> DeviceCommand {
        let allocation = Self.vitalProductDataAllocation
        return DeviceCommand(
            cdb: CDB.Inquiry(vitalProductData: true, pageCode: page, allocationLength: allocation).bytes,
            transfer: .fromDevice(count: Int(allocation)))
    }

    func senseSummary(of completion: SCSICompletion) -> SenseSummary? {
        guard let sense = try? SenseData(decoding: completion.sense) else { return nil }
        return SenseSummary(sense)
    }

    func absorbGood(_ completion: SCSICompletion, into operation: inout DeviceOperation, blockLength: UInt32)
        -> StepVerdict
    {
        switch operation.kind {
        case .identify:
            switch IdentifyStep(rawValue: operation.step) {
            case .standardInquiry:
                guard let inquiry = StandardInquiryData(bytes: completion.dataIn) else { return .malformed }
                operation.identity.vendor = inquiry.vendor
                operation.identity.product = inquiry.product
            case .serialNumber:
                guard let serial = try? VitalProductData.unitSerialNumber(completion.dataIn) else {
                    return .malformed
                }
                operation.identity.serialNumber = serial
            case .deviceIdentification:
                guard let name = try? VitalProductData.logicalUnitNAAName(completion.dataIn) else {
                    return .malformed
                }
                operation.identity.worldWideName = name
            case .readCapacity:
                guard let capacity = ReadCapacity16Data(bytes: completion.dataIn), capacity.blockLength > 0,
                    capacity.lastLBA < UInt64.max
                else { return .malformed }
                operation.identity.blockLength = capacity.blockLength
                operation.identity.blockCount = capacity.lastLBA + 1
            case nil:
                preconditionFailure("an answer to no identify step")
            }
        case .read(_, let blocks):
            guard completion.dataIn.count == Int(blocks) * Int(blockLength) else { return .malformed }
            operation.data = completion.dataIn
        case .write, .flush:
            break
        case .reservation(let request):
            return ReservationCommands.absorbGood(completion, request, into: &operation)
        }
        operation.step += 1
        return .advance
    }

    /// A device without VPD page 80h or 83h answers ILLEGAL REQUEST: identify goes on without
    /// a serial number or a world wide name.
    func absorbCheckCondition(_ sense: SenseSummary, into operation: inout DeviceOperation) -> StepVerdict {
        if case .identify = operation.kind, sense.senseKey == .illegalRequest,
            operation.step == IdentifyStep.serialNumber.rawValue
                || operation.step == IdentifyStep.deviceIdentification.rawValue
        {
            operation.step += 1
            return .advance
        }
        return .fail(.checkCondition(sense))
    }
}
