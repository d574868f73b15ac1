extension CDB {
    /// Any CDB, parsed into the command it is: what a simulated target switches over.
    ///
    /// The set of commands this module parses is closed; anything else is ``unsupported(_:)``
    /// with its bytes, for the target to answer with INVALID COMMAND OPERATION CODE.
    public enum Command: Hashable, Sendable {
        case testUnitReady(TestUnitReady)
        case inquiry(Inquiry)
        case readCapacity10(ReadCapacity10)
        case readCapacity16(ReadCapacity16)
        case read10(Read10)
        case read16(Read16)
        case write10(Write10)
        case write16(Write16)
        case synchronizeCache10(SynchronizeCache10)
        case requestSense(RequestSense)
        case reportLUNs(ReportLUNs)
        case ataPassThrough16(ATAPassThrough16)
        case modeSense6(ModeSense6)
        case modeSense10(ModeSense10)
        case persistentReserveIn(PersistentReserveIn)
        case persistentReserveOut(PersistentReserveOut)
        /// An operation code this module does not parse, or a known operation code with the
        /// wrong length or service action; the CDB as given.
        case unsupported([UInt8])
    }

    /// Parses `cdb` into a ``Command``. Never traps; an empty CDB is `.unsupported([])`.
    public static func decode(_ cdb: some Collection<UInt8>) -> Command {
        let bytes = Array(cdb)
        guard let first = bytes.first else { return .unsupported(bytes) }
        let parsed: Command? =
            switch SCSIOperationCode(rawValue: first) {
            case TestUnitReady.operationCode: TestUnitReady(bytes: bytes).map(Command.testUnitReady)
            case Inquiry.operationCode: Inquiry(bytes: bytes).map(Command.inquiry)
            case ReadCapacity10.operationCode: ReadCapacity10(bytes: bytes).map(Command.readCapacity10)
            case ReadCapacity16.operationCode: ReadCapacity16(bytes: bytes).map(Command.readCapacity16)
            case Read10.operationCode: Read10(bytes: bytes).map(Command.read10)
            case Read16.operationCode: Read16(bytes: bytes).map(Command.read16)
            case Write10.operationCode: Write10(bytes: bytes).map(Command.write10)
            case Write16.operationCode: Write16(bytes: bytes).map(Command.write16)
            case SynchronizeCache10.operationCode: SynchronizeCache10(bytes: bytes).map(Command.synchronizeCache10)
            case RequestSense.operationCode: RequestSense(bytes: bytes).map(Command.requestSense)
            case ReportLUNs.operationCode: ReportLUNs(bytes: bytes).map(Command.reportLUNs)
            case ATAPassThrough16.operationCode: ATAPassThrough16(bytes: bytes).map(Command.ataPassThrough16)
            case ModeSense6.operationCode: ModeSense6(bytes: bytes).map(Command.modeSense6)
            case ModeSense10.operationCode: ModeSense10(bytes: bytes).map(Command.modeSense10)
            case PersistentReserveIn.operationCode: PersistentReserveIn(bytes: bytes).map(Command.persistentReserveIn)
            case PersistentReserveOut.operationCode:
                PersistentReserveOut(bytes: bytes).map(Command.persistentReserveOut)
            default: nil
            }
        return parsed ?? .unsupported(bytes)
    }
}
