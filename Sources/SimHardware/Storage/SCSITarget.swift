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
    /// INQUIRY's T10 vendor identification (8 characters, space padded). An ATA disk's
    /// INQUIRY says `ATA` instead, as SAT translation does (SAT-3 10.3.2).
    public var vendor: String
    /// INQUIRY's product identification (16 characters). For an ATA disk, IDENTIFY DEVICE's
    /// model number (up to 40 characters), of which INQUIRY shows the first 16.
    public var product: String
    /// INQUIRY's product revision level (4 characters); IDENTIFY's firmware revision (8).
    public var revision: String
    /// VPD page 0x80's unit serial number; IDENTIFY's serial number (20 characters).
    public var serialNumber: String
    /// VPD page 0x83's NAA world-wide name, written as given (its top nibble is the NAA
    /// format, e.g. 5 for IEEE Registered).
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
    /// Whether the command came as ATA PASS-THROUGH, whose errors carry the ATA registers.
    var viaATAPassThrough = false
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
///
/// Behaviour the standards leave open, as chosen here:
/// - Sense data is fixed format (SPC-4 4.5.3), except for ATA PASS-THROUGH errors, which need
///   descriptor format to carry SAT's ATA Status Return descriptor.
/// - Buffer lengths follow Linux's `scsi_debug`: a data-in buffer larger than the data gets
///   the data and a residual; a smaller one gets what fits (GOOD, residual 0); a data-out
///   buffer shorter than the transfer length stores the bytes sent (the rest of a partial
///   last block keeps its old bytes); a longer one stores the transfer length and reports the
///   excess as residual. Data in the wrong direction (data-out on a READ, data-in on a WRITE)
///   is ILLEGAL REQUEST, INVALID FIELD IN CDB (`scsi_debug` fails it as a host error, which a
///   target cannot return).
/// - Reservation conflicts and unit attentions are decided when a command begins; a command
///   already queued when another initiator PREEMPTs completes (SPC-3 5.6.10.4.3: PREEMPT,
///   unlike PREEMPT AND ABORT, aborts no task).
/// - A fresh target has no unit attention pending; ``powerRestored()`` establishes one.
public struct SCSITarget {
    public let configuration: SCSITargetConfiguration

    /// The medium and the volatile write cache.
    var store: BlockStore
    /// Unreadable LBAs (``injectMediaError(lbas:)``).
    var defects = MediaDefects()
    /// Registrations and the reservation.
    var reservations = PersistentReservations()
    /// Unit attention conditions waiting for each initiator.
    var attentions = UnitAttentions()
    /// Initiators whose tasks a PREEMPT AND ABORT has just aborted: the drive clears their queued
    /// commands (``takeAbortedInitiators()``).
    var abortedInitiators: [InitiatorID] = []

    public init(configuration: SCSITargetConfiguration) {
        self.configuration = configuration
        store = BlockStore(blockSize: configuration.blockSize)
    }

    /// Blocks acknowledged but held only in the volatile write cache.
    public var dirtyBlockCount: Int { store.dirtyBlockCount }

    /// Begins `command`: either its answer, or the media access it needs.
    public mutating func begin(_ command: DriveCommand) -> TargetStep {
        let decoded = CDB.decode(command.request.cdb)
        if let attention = reportUnitAttention(command, decoded) { return .respond(attention) }
        if reservations.conflicts(command.initiator, Self.reservationAccess(of: decoded)) {
            return .respond(answer(command, status: .reservationConflict))
        }
        switch decoded {
        case .testUnitReady:
            return .respond(good(command))
        case .inquiry(let inquiry):
            return .respond(answerInquiry(command, inquiry))
        case .requestSense(let requestSense):
            return .respond(answerRequestSense(command, requestSense))
        case .reportLUNs(let reportLUNs):
            return .respond(answerReportLUNs(command, reportLUNs))
        case .readCapacity10:
            return .respond(answerReadCapacity10(command))
        case .readCapacity16(let readCapacity):
            return .respond(answerReadCapacity16(command, readCapacity))
        case .modeSense6(let modeSense):
            return .respond(answerModeSense6(command, modeSense))
        case .modeSense10(let modeSense):
            return .respond(answerModeSense10(command, modeSense))
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
        case .synchronizeCache10(let synchronize):
            return beginSynchronizeCache(command, synchronize)
        case .persistentReserveIn(let reserveIn):
            return .respond(answerPersistentReserveIn(command, reserveIn))
        case .persistentReserveOut(let reserveOut):
            return .respond(answerPersistentReserveOut(command, reserveOut))
        case .ataPassThrough16(let passThrough) where configuration.interface == .ata:
            return beginATAPassThrough(command, passThrough)
        case .ataPassThrough16, .unsupported:
            return .respond(
                checkCondition(
                    command, .illegalRequest, .invalidCommandOperationCode,
                    fieldPointer: .fieldPointer(inCDB: true, byte: 0)))
        }
    }

    /// Answers a command whose media access the mechanism has finished.
    public mutating func finish(_ pending: PendingCommand) -> DriveResponse {
        switch pending.access {
        case .read(let lba, let blocks):
            return finishRead(pending, lba: lba, blocks: blocks)
        case .write(let lba, let blocks, let forceUnitAccess):
            return finishWrite(pending, lba: lba, blocks: blocks, forceUnitAccess: forceUnitAccess)
        case .flush:
            destageWriteCache()
            return good(pending.command)
        }
    }

    /// The mechanism has written every dirty cached block to the medium.
    public mutating func destageWriteCache() {
        store.destage()
    }

    /// Power is gone: the volatile write cache's contents are lost, with the unit attentions
    /// waiting and, unless the last registration asked for APTPL, the persistent reservations
    /// (SPC-3 5.6.4). Injected media errors stay: they are the medium's.
    public mutating func powerLost() {
        store.dropVolatile()
        attentions.removeAll()
        reservations.powerLost()
    }

    /// Power is back: every initiator's next command (but INQUIRY, REPORT LUNS and REQUEST
    /// SENSE) gets CHECK CONDITION, UNIT ATTENTION, POWER ON OCCURRED, once (SPC-4 6.39,
    /// SAM-4 5.9.7).
    public mutating func powerRestored() {
        attentions.establishPowerOn()
    }

    // MARK: - Answers

    func answer(
        _ command: DriveCommand, status: SCSIStatus, sense: [UInt8] = [], dataIn: [UInt8] = [], residual: Int = 0
    ) -> DriveResponse {
        DriveResponse(
            initiator: command.initiator, exchange: command.exchange, status: status, sense: sense, dataIn: dataIn,
            residual: residual)
    }

    func good(_ command: DriveCommand, residual: Int = 0) -> DriveResponse {
        answer(command, status: .good, residual: residual)
    }

    /// CHECK CONDITION with fixed-format sense.
    func checkCondition(
        _ command: DriveCommand, _ key: SenseKey, _ code: AdditionalSenseCode, information: UInt64? = nil,
        fieldPointer: SenseKeySpecific? = nil, dataIn: [UInt8] = []
    ) -> DriveResponse {
        let sense = SenseData(
            format: .fixed, senseKey: key, additionalSenseCode: code, information: information,
            senseKeySpecific: fieldPointer)
        return answer(
            command, status: .checkCondition, sense: sense.encoded(), dataIn: dataIn,
            residual: command.request.dataTransfer.byteCount - dataIn.count)
    }

    /// ILLEGAL REQUEST, INVALID FIELD IN CDB pointing at `byte` (and `bit`) of the CDB.
    func invalidField(_ command: DriveCommand, byte: UInt16, bit: UInt8? = nil) -> DriveResponse {
        checkCondition(
            command, .illegalRequest, .invalidFieldInCDB, fieldPointer: .fieldPointer(inCDB: true, byte: byte, bit: bit))
    }

    /// GOOD with `data` cut to the allocation length and to the data-in buffer; the residual
    /// is the buffer's length minus the bytes returned (SPC-4 4.3.5.6).
    func dataIn(_ command: DriveCommand, _ data: [UInt8], allocationLength: Int) -> DriveResponse {
        let buffer: Int
        if case .fromDevice(let count) = command.request.dataTransfer { buffer = count } else { buffer = 0 }
        let returned = min(data.count, allocationLength, buffer)
        let bytes = returned == data.count ? data : Array(data.prefix(returned))
        return answer(command, status: .good, dataIn: bytes, residual: buffer - returned)
    }
}
