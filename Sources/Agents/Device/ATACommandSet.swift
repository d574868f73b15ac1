import Hardware

/// The ATA DDM's commands, every one through ATA PASS-THROUGH (16) as Linux SG_IO sends them
/// (SAT-4 12.2.2): IDENTIFY DEVICE; READ DMA EXT and WRITE DMA EXT, split at
/// ``maxSectorsPerCommand``; FLUSH CACHE EXT. A write with FUA is the write then FLUSH CACHE
/// EXT, as Linux's block layer emulates FUA on a device without WRITE DMA FUA EXT (the
/// simulated ATA disk has none). Reservations are the SCSI PERSISTENT RESERVE OUT / IN CDBs,
/// not passed through: the shelf's bridge emulates persistent reservations for the ATA disk.
struct ATACommandSet: DeviceCommandSet {
    /// The most sectors one READ/WRITE DMA EXT moves: a COUNT of 0 means 65 536 (ACS-3 7.21.3).
    static let maxSectorsPerCommand: UInt64 = 65_536
    /// The 48-bit LBA's limit (ACS-3 4.1).
    static let lbaLimit: UInt64 = 1 << 48

    func accepts(_ kind: DeviceOperationKind, blockLength: UInt32) -> Bool {
        switch kind {
        case .identify, .flush, .reservation: return true
        case .read(let lba, let blocks): return Self.addressable(lba: lba, blocks: UInt64(blocks))
        case .write(let lba, let data, _): return Self.addressable(lba: lba, blocks: UInt64(data.count / Int(blockLength)))
        }
    }

    private static func addressable(lba: UInt64, blocks: UInt64) -> Bool {
        let (end, overflow) = lba.addingReportingOverflow(blocks)
        return !overflow && end <= lbaLimit
    }

    /// The sectors of the next READ/WRITE DMA EXT of an operation of `total` sectors.
    private static func chunk(_ operation: DeviceOperation, total: UInt64) -> UInt64 {
        min(maxSectorsPerCommand, total - operation.blocksDone)
    }

    func nextCommand(of operation: DeviceOperation, blockLength: UInt32) -> DeviceCommand? {
        switch operation.kind {
        case .identify:
            guard operation.step == 0 else { return nil }
            return DeviceCommand(
                cdb: CDB.ATAPassThrough16.identifyDevice().bytes, transfer: .fromDevice(count: ATAIdentifyData.length))
        case .read(let lba, let blocks):
            guard operation.blocksDone < UInt64(blocks) else { return nil }
            let sectors = Self.chunk(operation, total: UInt64(blocks))
            return DeviceCommand(
                cdb: CDB.ATAPassThrough16.readDMAExt(
                    lba: lba + operation.blocksDone, sectorCount: UInt16(truncatingIfNeeded: sectors)
                ).bytes,
                transfer: .fromDevice(count: Int(sectors) * Int(blockLength)))
        case .write(let lba, let data, let forceUnitAccess):
            let total = UInt64(data.count / Int(blockLength))
            if operation.blocksDone < total {
                let sectors = Self.chunk(operation, total: total)
                let start = Int(operation.blocksDone) * Int(blockLength)
                return DeviceCommand(
                    cdb: CDB.ATAPassThrough16.writeDMAExt(
                        lba: lba + operation.blocksDone, sectorCount: UInt16(truncatingIfNeeded: sectors)
                    ).bytes,
                    transfer: .toDevice(Array(data[start..<(start + Int(sectors) * Int(blockLength))])))
            }
            guard forceUnitAccess && operation.step == 0 else { return nil }
            return DeviceCommand(cdb: CDB.ATAPassThrough16.flushCacheExt().bytes, transfer: .none)
        case .flush:
            guard operation.step == 0 else { return nil }
            return DeviceCommand(cdb: CDB.ATAPassThrough16.flushCacheExt().bytes, transfer: .none)
        case .reservation(.drain):
            // The fence's drain barrier: the ATA cache flush, which the disk executes after the
            // command in service (ACS-3 7.10: it completes when the cache is written).
            guard operation.step == 0 else { return nil }
            return DeviceCommand(cdb: CDB.ATAPassThrough16.flushCacheExt().bytes, transfer: .none)
        case .reservation(let request):
            // Not an ATA command: the shelf's bridge emulates persistent reservations for its
            // ATA disk, so the same PERSISTENT RESERVE CDBs as the SCSI DDM's go to it.
            guard operation.step == 0 else { return nil }
            return ReservationCommands.command(request)
        }
    }

    func senseSummary(of completion: SCSICompletion) -> SenseSummary? {
        guard let sense = try? SenseData(decoding: completion.sense) else { return nil }
        return ATASenseTranslation.summary(of: sense)
    }

    func absorbGood(_ completion: SCSICompletion, into operation: inout DeviceOperation, blockLength: UInt32)
        -> StepVerdict
    {
        switch operation.kind {
        case .identify:
            guard let data = try? ATAIdentifyData(decoding: completion.dataIn) else { return .malformed }
            operation.identity = data.identity
            operation.step += 1
        case .read(_, let blocks):
            let sectors = Self.chunk(operation, total: UInt64(blocks))
            guard completion.dataIn.count == Int(sectors) * Int(blockLength) else { return .malformed }
            operation.data.append(contentsOf: completion.dataIn)
            operation.blocksDone += sectors
        case .write(_, let data, _):
            let total = UInt64(data.count / Int(blockLength))
            if operation.blocksDone < total {
                operation.blocksDone += Self.chunk(operation, total: total)
            } else {
                operation.step += 1  // the FUA flush
            }
        case .flush:
            operation.step += 1
        case .reservation(let request):
            return ReservationCommands.absorbGood(completion, request, into: &operation)
        }
        return .advance
    }
}
