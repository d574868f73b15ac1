import Hardware

/// Which command set a drive speaks natively.
public enum DiskInterface: String, Hashable, Sendable {
    /// A SCSI (or FC) disk: SBC-3 commands, tagged command queueing.
    case scsi
    /// An ATA disk behind the shelf's SATA-to-FC bridge: ATA commands through ATA
    /// PASS-THROUGH(16), plus the SCSI commands the bridge translates (SAT), one at a time.
    case ata
}

/// What a drive reports about itself and how big it is.
public struct SCSITargetConfiguration: Hashable, Sendable {
    public var interface: DiskInterface
    /// INQUIRY's T10 vendor identification (8 characters, space padded).
    public var vendor: String
    /// INQUIRY's product identification (16 characters).
    public var product: String
    /// INQUIRY's product revision level (4 characters).
    public var revision: String
    /// VPD page 0x80's unit serial number.
    public var serialNumber: String
    /// VPD page 0x83's NAA world-wide name.
    public var worldWideName: UInt64
    /// The number of logical blocks.
    public var blockCount: UInt64
    /// The logical block length in bytes.
    public var blockSize: Int
    /// Whether the write cache is on (MODE SENSE caching page WCE; IDENTIFY word 85 bit 5).
    public var writeCacheEnabled: Bool

    public init(
        interface: DiskInterface, vendor: String, product: String, revision: String, serialNumber: String,
        worldWideName: UInt64, blockCount: UInt64, blockSize: Int = 512, writeCacheEnabled: Bool
    ) {
        precondition(blockCount > 0 && blockSize > 0 && blockSize % 512 == 0, "impossible disk geometry")
        self.interface = interface
        self.vendor = vendor
        self.product = product
        self.revision = revision
        self.serialNumber = serialNumber
        self.worldWideName = worldWideName
        self.blockCount = blockCount
        self.blockSize = blockSize
        self.writeCacheEnabled = writeCacheEnabled
    }
}

/// A command that needs the medium: what it needs, and what the command set must remember
/// to answer it once the mechanism is done.
public struct PendingCommand: Hashable, Sendable {
    /// The command as received.
    public let command: DriveCommand
    /// What the mechanism must do.
    public let access: MediaAccess
    /// For a write, the bytes to store (taken from the data-out buffer when the command began).
    let dataOut: [UInt8]
}

/// The outcome of beginning a command.
public enum TargetStep: Hashable, Sendable {
    /// The answer is known without the medium (INQUIRY, errors, reservation conflicts…).
    case respond(DriveResponse)
    /// The mechanism must do `pending.access` first; then call ``SCSITarget/finish(_:)``.
    case access(PendingCommand)
}

/// A drive's command set: decides every command's outcome and keeps the stored data, the
/// volatile write cache's contents, the reservations and the mode pages. It knows no time:
/// ``SimDisk`` schedules the mechanism and calls back.
public struct SCSITarget {
    public let configuration: SCSITargetConfiguration

    /// The medium: blocks ever written and made durable, by LBA (absent = zeros).
    private var medium: [UInt64: [UInt8]] = [:]
    /// Blocks written into the write cache and not yet destaged; lost on power loss.
    private var volatile: [UInt64: [UInt8]] = [:]

    public init(configuration: SCSITargetConfiguration) {
        self.configuration = configuration
    }

    /// Blocks acknowledged but held only in the volatile write cache.
    public var dirtyBlockCount: Int { volatile.count }

    /// Begins `command`: either its answer, or the media access it needs.
    public mutating func begin(_ command: DriveCommand) -> TargetStep {
        let request = command.request
        switch CDB.decode(request.cdb) {
        case .testUnitReady:
            return .respond(good(command))
        case .read10(let read):
            return beginRead(command, lba: UInt64(read.lba), blocks: Int(read.transferLength))
        case .read16(let read):
            return beginRead(command, lba: read.lba, blocks: Int(read.transferLength))
        case .write10(let write):
            return beginWrite(
                command, lba: UInt64(write.lba), blocks: Int(write.transferLength),
                forceUnitAccess: write.options.forceUnitAccess)
        case .write16(let write):
            return beginWrite(
                command, lba: write.lba, blocks: Int(write.transferLength), forceUnitAccess: write.options.forceUnitAccess)
        case .synchronizeCache10:
            return .access(PendingCommand(command: command, access: .flush, dataOut: []))
        default:
            return .respond(checkCondition(command, .illegalRequest, .invalidCommandOperationCode))
        }
    }

    /// Answers a command whose media access the mechanism has finished.
    public mutating func finish(_ pending: PendingCommand) -> DriveResponse {
        switch pending.access {
        case .read(let lba, let blocks):
            var data: [UInt8] = []
            data.reserveCapacity(blocks * configuration.blockSize)
            for block in lba..<lba + UInt64(blocks) {
                if let bytes = volatile[block] ?? medium[block] {
                    data += bytes
                } else {
                    data += repeatElement(0, count: configuration.blockSize)
                }
            }
            return DriveResponse(
                initiator: pending.command.initiator, exchange: pending.command.exchange, status: .good, dataIn: data)
        case .write(let lba, let blocks, let forceUnitAccess):
            let durable = forceUnitAccess || !configuration.writeCacheEnabled
            let size = configuration.blockSize
            for index in 0..<blocks {
                let block = lba + UInt64(index)
                let bytes = Array(pending.dataOut[index * size..<(index + 1) * size])
                if durable {
                    volatile[block] = nil
                    medium[block] = bytes
                } else {
                    volatile[block] = bytes
                }
            }
            return good(pending.command)
        case .flush:
            destageWriteCache()
            return good(pending.command)
        }
    }

    /// The mechanism has written every dirty cached block to the medium.
    public mutating func destageWriteCache() {
        for (block, bytes) in volatile { medium[block] = bytes }
        volatile.removeAll()
    }

    /// Power is gone: the volatile write cache's contents are lost.
    public mutating func powerLost() {
        volatile.removeAll()
    }

    // MARK: - Commands

    private func beginRead(_ command: DriveCommand, lba: UInt64, blocks: Int) -> TargetStep {
        if let error = checkRange(command, lba: lba, blocks: blocks) { return .respond(error) }
        guard command.request.dataTransfer.byteCount >= blocks * configuration.blockSize else {
            return .respond(checkCondition(command, .illegalRequest, .invalidFieldInCDB))
        }
        return .access(PendingCommand(command: command, access: .read(lba: lba, blocks: blocks), dataOut: []))
    }

    private func beginWrite(_ command: DriveCommand, lba: UInt64, blocks: Int, forceUnitAccess: Bool) -> TargetStep {
        if let error = checkRange(command, lba: lba, blocks: blocks) { return .respond(error) }
        guard case .toDevice(let bytes) = command.request.dataTransfer, bytes.count == blocks * configuration.blockSize
        else {
            return .respond(checkCondition(command, .illegalRequest, .invalidFieldInCDB))
        }
        return .access(
            PendingCommand(
                command: command, access: .write(lba: lba, blocks: blocks, forceUnitAccess: forceUnitAccess),
                dataOut: bytes))
    }

    private func checkRange(_ command: DriveCommand, lba: UInt64, blocks: Int) -> DriveResponse? {
        let (end, overflow) = lba.addingReportingOverflow(UInt64(blocks))
        guard !overflow, end <= configuration.blockCount else {
            return checkCondition(command, .illegalRequest, .logicalBlockAddressOutOfRange)
        }
        return nil
    }

    // MARK: - Answers

    private func good(_ command: DriveCommand) -> DriveResponse {
        DriveResponse(initiator: command.initiator, exchange: command.exchange, status: .good)
    }

    private func checkCondition(
        _ command: DriveCommand, _ key: SenseKey, _ code: AdditionalSenseCode, information: UInt32? = nil
    ) -> DriveResponse {
        DriveResponse(
            initiator: command.initiator, exchange: command.exchange, status: .checkCondition,
            sense: SenseData.fixed(key, code, information: information).encoded())
    }
}
