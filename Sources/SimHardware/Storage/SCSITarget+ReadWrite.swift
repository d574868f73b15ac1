import Hardware

/// READ, WRITE, SYNCHRONIZE CACHE, READ CAPACITY (SBC-3 5.11–5.30): the commands on the data.
extension SCSITarget {
    /// Validates a read of `blocks` blocks from `lba` and asks the mechanism for it. A zero
    /// transfer length reads nothing and is not an error (SBC-3 5.11).
    mutating func beginRead(_ command: DriveCommand, lba: UInt64, blocks: Int, viaATA: Bool = false) -> TargetStep {
        if let error = checkRange(command, lba: lba, blocks: blocks) { return .respond(error) }
        if case .toDevice = command.request.dataTransfer { return .respond(invalidField(command, byte: 0)) }
        guard blocks > 0 else { return .respond(good(command, residual: command.request.dataTransfer.byteCount)) }
        return .access(
            PendingCommand(
                command: command, access: .read(lba: lba, blocks: blocks), dataOut: [], viaATAPassThrough: viaATA))
    }

    /// Validates a write and asks the mechanism for it; the data is stored at ``finish(_:)``.
    mutating func beginWrite(
        _ command: DriveCommand, lba: UInt64, blocks: Int, forceUnitAccess: Bool, viaATA: Bool = false
    ) -> TargetStep {
        if let error = checkRange(command, lba: lba, blocks: blocks) { return .respond(error) }
        let bytes: [UInt8]
        switch command.request.dataTransfer {
        case .toDevice(let given): bytes = given
        case .none: bytes = []
        case .fromDevice: return .respond(invalidField(command, byte: 0))
        }
        guard blocks > 0 else { return .respond(good(command, residual: bytes.count)) }
        return .access(
            PendingCommand(
                command: command, access: .write(lba: lba, blocks: blocks, forceUnitAccess: forceUnitAccess),
                dataOut: bytes, viaATAPassThrough: viaATA))
    }

    /// SYNCHRONIZE CACHE (10): the range is checked, then the whole cache is destaged (a
    /// superset of the range SBC-3 5.22 asks for). IMMED is honoured by waiting anyway: the
    /// answer comes when the cache is on the medium (assumption: simpler, and never weaker).
    mutating func beginSynchronizeCache(_ command: DriveCommand, _ synchronize: CDB.SynchronizeCache10) -> TargetStep {
        let lba = UInt64(synchronize.lba)
        let blocks = synchronize.blockCount == 0 ? 0 : Int(synchronize.blockCount)
        if lba >= configuration.blockCount || checkRange(command, lba: lba, blocks: blocks) != nil {
            return .respond(checkCondition(command, .illegalRequest, .logicalBlockAddressOutOfRange))
        }
        return .access(PendingCommand(command: command, access: .flush, dataOut: []))
    }

    /// The data of a finished read: the blocks before the first unreadable one; MEDIUM ERROR,
    /// UNRECOVERED READ ERROR with that LBA in the information field if there is one (SBC-3
    /// 4.14; an LBA above 32 bits leaves VALID clear in fixed format).
    func finishRead(_ pending: PendingCommand, lba: UInt64, blocks: Int) -> DriveResponse {
        let command = pending.command
        let failing = defects.first(in: lba..<(lba + UInt64(blocks)))
        let readable = failing.map { Int($0 - lba) } ?? blocks
        var data = store.read(lba: lba, blocks: readable)
        let buffer: Int
        if case .fromDevice(let count) = command.request.dataTransfer { buffer = count } else { buffer = 0 }
        if data.count > buffer { data.removeSubrange(buffer...) }
        guard let failing else { return answer(command, status: .good, dataIn: data, residual: buffer - data.count) }
        if pending.viaATAPassThrough {
            return ataError(
                command, key: .mediumError, code: .unrecoveredReadError, error: ATAErrorBits.uncorrectable,
                lba: failing, information: failing, dataIn: data)
        }
        return checkCondition(command, .mediumError, .unrecoveredReadError, information: failing, dataIn: data)
    }

    /// Stores a finished write: to the medium with FUA or the write cache off, else to the
    /// volatile cache. Writing over injected media errors reassigns those blocks (clears
    /// them), as a drive with AWRE set does (SBC-3 6.4.8).
    mutating func finishWrite(_ pending: PendingCommand, lba: UInt64, blocks: Int, forceUnitAccess: Bool)
        -> DriveResponse
    {
        let used = min(pending.dataOut.count, blocks * configuration.blockSize)
        store.write(
            lba: lba, bytes: pending.dataOut[0..<used],
            durable: forceUnitAccess || !configuration.writeCacheEnabled)
        let written = UInt64((used + configuration.blockSize - 1) / configuration.blockSize)
        defects.reassign(lba..<(lba + written))
        return good(pending.command, residual: pending.dataOut.count - used)
    }

    /// READ CAPACITY (10) (SBC-3 5.15): the last LBA, or FFFF_FFFFh when it does not fit.
    func answerReadCapacity10(_ command: DriveCommand) -> DriveResponse {
        let last = configuration.blockCount - 1
        let data = ReadCapacity10Data(
            lastLBA: last >= UInt64(UInt32.max) ? UInt32.max : UInt32(last), blockLength: UInt32(configuration.blockSize))
        return dataIn(command, data.bytes, allocationLength: ReadCapacity10Data.length)
    }

    /// READ CAPACITY (16) (SBC-3 5.16): the 64-bit last LBA, cut to the allocation length.
    func answerReadCapacity16(_ command: DriveCommand, _ readCapacity: CDB.ReadCapacity16) -> DriveResponse {
        let data = ReadCapacity16Data(
            lastLBA: configuration.blockCount - 1, blockLength: UInt32(configuration.blockSize))
        return dataIn(command, data.bytes, allocationLength: Int(readCapacity.allocationLength))
    }

    /// LOGICAL BLOCK ADDRESS OUT OF RANGE when `lba + blocks` passes the capacity (SBC-3 4.5).
    func checkRange(_ command: DriveCommand, lba: UInt64, blocks: Int) -> DriveResponse? {
        let (end, overflow) = lba.addingReportingOverflow(UInt64(blocks))
        guard !overflow, end <= configuration.blockCount else {
            return checkCondition(command, .illegalRequest, .logicalBlockAddressOutOfRange)
        }
        return nil
    }
}
