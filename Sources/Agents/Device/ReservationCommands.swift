import Hardware

/// The commands of a ``ReservationRequest`` and what their answers mean: the same in both
/// formats. The SCSI DDM sends them to the disk; the ATA DDM sends the same CDBs, which the
/// shelf's bridge emulates for its ATA disk (SATA has no persistent reservations).
enum ReservationCommands {
    /// READ KEYS allocation: the header and 64 keys. Assumption: a cluster registers two keys
    /// per disk (one per system, one I_T nexus each); 64 leaves room for many more paths.
    static let readKeysAllocation: UInt16 = 8 + 8 * 64
    /// READ RESERVATION allocation: the header and one reservation descriptor (SPC-3 6.11.3).
    static let readReservationAllocation: UInt16 = 8 + 16

    /// The one command of `request`. ``ReservationRequest/drain`` is the format's cache flush:
    /// the SCSI one here, SYNCHRONIZE CACHE (10) over the whole medium (the ATA command set sends
    /// FLUSH CACHE EXT instead).
    static func command(_ request: ReservationRequest) -> DeviceCommand {
        switch request {
        case .drain:
            return DeviceCommand(cdb: CDB.SynchronizeCache10().bytes, transfer: .none)
        case .register(let key):
            return out(.register, PersistentReserveOutParameters(reservationKey: 0, serviceActionReservationKey: key))
        case .registerIgnoringExisting(let key):
            return out(
                .registerAndIgnoreExistingKey, PersistentReserveOutParameters(reservationKey: 0, serviceActionReservationKey: key))
        case .reserve(let key):
            return out(.reserve, PersistentReserveOutParameters(reservationKey: key), type: .writeExclusive)
        case .preempt(let key, let victim):
            // PREEMPT AND ABORT (SPC-3 5.6.10.5): the victim's commands queued at the disk are
            // aborted too, so none of its writes reaches the medium after the fence.
            return out(
                .preemptAndAbort, PersistentReserveOutParameters(reservationKey: key, serviceActionReservationKey: victim),
                type: .writeExclusive)
        case .release(let key):
            return out(.release, PersistentReserveOutParameters(reservationKey: key), type: .writeExclusive)
        case .readKeys:
            return DeviceCommand(
                cdb: CDB.PersistentReserveIn(serviceAction: .readKeys, allocationLength: readKeysAllocation).bytes,
                transfer: .fromDevice(count: Int(readKeysAllocation)))
        case .readReservation:
            return DeviceCommand(
                cdb: CDB.PersistentReserveIn(serviceAction: .readReservation, allocationLength: readReservationAllocation)
                    .bytes,
                transfer: .fromDevice(count: Int(readReservationAllocation)))
        }
    }

    private static func out(
        _ action: PersistentReserveOutAction, _ parameters: PersistentReserveOutParameters,
        type: PersistentReservationType = PersistentReservationType(rawValue: 0)
    ) -> DeviceCommand {
        DeviceCommand(
            cdb: CDB.PersistentReserveOut(serviceAction: action, type: type).bytes, transfer: .toDevice(parameters.bytes))
    }

    /// Takes in the GOOD answer: decodes READ KEYS / READ RESERVATION data.
    static func absorbGood(_ completion: SCSICompletion, _ request: ReservationRequest, into operation: inout DeviceOperation)
        -> StepVerdict
    {
        switch request {
        case .readKeys:
            guard let keys = PersistentReserveInKeys(bytes: completion.dataIn) else { return .malformed }
            operation.reservation = ReservationResult(generation: keys.generation, keys: keys.keys)
        case .readReservation:
            guard let answer = PersistentReserveInReservation(bytes: completion.dataIn) else { return .malformed }
            operation.reservation = ReservationResult(generation: answer.generation, holder: answer.reservation?.key)
        default:
            operation.reservation = ReservationResult()
        }
        operation.step += 1
        return .advance
    }
}
