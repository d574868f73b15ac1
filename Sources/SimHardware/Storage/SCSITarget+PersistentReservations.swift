import Hardware

/// Persistent reservations (SPC-3 5.6, 6.11, 6.12), per initiator.
///
/// ATA disks behave the same: the shelf's dual-port bridge emulates persistent reservations
/// for the ATA disk behind it, as the AT-FC bridges of NetApp-style shelves did, so an
/// initiator cannot tell the interfaces apart here.
extension SCSITarget {
    /// The keys registered, in registration order (which READ KEYS reports).
    public var registeredKeys: [(initiator: InitiatorID, key: UInt64)] {
        reservations.registrations.map { ($0.initiator, $0.key) }
    }

    /// The initiators whose tasks the last PREEMPT AND ABORT aborted (taken once).
    public mutating func takeAbortedInitiators() -> [InitiatorID] {
        defer { abortedInitiators = [] }
        return abortedInitiators
    }

    /// The initiator holding the persistent reservation and its type, if one is held.
    public var reservationHolder: (initiator: InitiatorID, type: PersistentReservationType)? {
        reservations.reservation.map { ($0.holder, $0.type) }
    }

    /// PRgeneration (SPC-3 6.11.2).
    public var reservationGeneration: UInt32 { reservations.generation }

    /// How a command stands against a reservation (SPC-3 5.6.1 table "SPC commands that are
    /// allowed in the presence of various reservations", SBC-3 table "SBC commands that are
    /// allowed in the presence of various reservations").
    static func reservationAccess(of command: CDB.Command) -> ReservationAccess {
        switch command {
        case .inquiry, .reportLUNs, .requestSense, .persistentReserveIn, .testUnitReady, .readCapacity10,
            .readCapacity16, .unsupported:
            return .allowed
        case .modeSense6, .modeSense10:
            return .modeSense
        case .read10, .read16:
            return .read
        case .write10, .write16, .synchronizeCache10:
            return .write
        case .persistentReserveOut(let out):
            return .reserveOut(out.serviceAction)
        case .ataPassThrough16(let passThrough):
            switch passThrough.taskFile.command {
            case .identifyDevice: return .allowed
            case .readDMAExt: return .read
            default: return .write
            }
        }
    }

    /// PERSISTENT RESERVE IN: READ KEYS or READ RESERVATION; another service action is
    /// INVALID FIELD IN CDB (byte 1).
    func answerPersistentReserveIn(_ command: DriveCommand, _ reserveIn: CDB.PersistentReserveIn) -> DriveResponse {
        let data: [UInt8]
        switch reserveIn.serviceAction {
        case .readKeys:
            data = PersistentReserveInKeys(
                generation: reservations.generation, keys: reservations.registrations.map(\.key)
            ).bytes
        case .readReservation:
            let held = reservations.reservation.map {
                PersistentReserveInReservation.Reservation(
                    key: reservations.key(of: $0.holder) ?? 0, type: $0.type)
            }
            data = PersistentReserveInReservation(generation: reservations.generation, reservation: held).bytes
        default:
            return invalidField(command, byte: 1, bit: 4)
        }
        return dataIn(command, data, allocationLength: Int(reserveIn.allocationLength))
    }

    /// PERSISTENT RESERVE OUT (SPC-3 6.12): the 24-byte parameter list must be there
    /// (PARAMETER LIST LENGTH ERROR otherwise); SPEC_I_PT is not supported (INVALID FIELD IN
    /// PARAMETER LIST); ALL_TG_PT changes nothing (registrations are per initiator).
    mutating func answerPersistentReserveOut(_ command: DriveCommand, _ reserveOut: CDB.PersistentReserveOut)
        -> DriveResponse
    {
        guard reserveOut.parameterListLength == UInt32(PersistentReserveOutParameters.length),
            case .toDevice(let bytes) = command.request.dataTransfer,
            let parameters = PersistentReserveOutParameters(bytes: bytes)
        else {
            return checkCondition(
                command, .illegalRequest, .parameterListLengthError, fieldPointer: .fieldPointer(inCDB: true, byte: 5))
        }
        if parameters.specifyInitiatorPorts {
            return checkCondition(
                command, .illegalRequest, .invalidFieldInParameterList,
                fieldPointer: .fieldPointer(inCDB: false, byte: 20, bit: 3))
        }
        let initiator = command.initiator
        let outcome: PersistentReservations.Outcome
        switch reserveOut.serviceAction {
        case .register:
            outcome = reservations.register(initiator, parameters, ignoringExistingKey: false)
        case .registerAndIgnoreExistingKey:
            outcome = reservations.register(initiator, parameters, ignoringExistingKey: true)
        case .reserve, .release, .preempt, .preemptAndAbort:
            guard reserveOut.scope == CDB.PersistentReserveOut.logicalUnitScope else {
                return invalidField(command, byte: 2, bit: 7)
            }
            guard PersistentReservations.supportedTypes.contains(reserveOut.type) else {
                return invalidField(command, byte: 2, bit: 3)
            }
            switch reserveOut.serviceAction {
            case .reserve: outcome = reservations.reserve(initiator, key: parameters.reservationKey, reserveOut.type)
            case .release: outcome = reservations.release(initiator, key: parameters.reservationKey, reserveOut.type)
            default:
                outcome = reservations.preempt(initiator, parameters, reserveOut.type)
                // PREEMPT AND ABORT (SPC-3 5.6.10.5): the preempted initiators' tasks are aborted
                // too, so none of their queued writes reaches the medium after the preemption.
                if reserveOut.serviceAction == .preemptAndAbort, case .done(let notices) = outcome {
                    abortedInitiators = notices.map(\.initiator)
                }
            }
        case .clear:
            outcome = reservations.clear(initiator, key: parameters.reservationKey)
        default:
            return invalidField(command, byte: 1, bit: 4)
        }
        switch outcome {
        case .done(let notices):
            for notice in notices { attentions.establish(notice.code, for: notice.initiator) }
            return answer(command, status: .good, residual: bytes.count - PersistentReserveOutParameters.length)
        case .conflict:
            return answer(command, status: .reservationConflict, residual: bytes.count)
        case .invalidRelease:
            return checkCondition(command, .illegalRequest, PersistentReservations.invalidReleaseOfReservation)
        case .invalidParameter(let byte):
            return checkCondition(
                command, .illegalRequest, .invalidFieldInParameterList,
                fieldPointer: .fieldPointer(inCDB: false, byte: byte))
        }
    }
}

/// What a command may do under a reservation it does not hold.
enum ReservationAccess: Hashable {
    /// Allowed under every reservation (INQUIRY, REPORT LUNS, REQUEST SENSE, PR IN, TEST UNIT
    /// READY, READ CAPACITY).
    case allowed
    /// MODE SENSE: allowed to registrants and under Write Exclusive types (SPC-4 table 45, as
    /// LIO's `core_scsi3_pr_seq_non_holder` reads it).
    case modeSense
    /// Reads the medium.
    case read
    /// Changes the medium (WRITE, SYNCHRONIZE CACHE, ATA writes and flushes).
    case write
    /// PERSISTENT RESERVE OUT with this service action (SPC-3 table "PERSISTENT RESERVE OUT
    /// service actions that are allowed in the presence of various reservations").
    case reserveOut(PersistentReserveOutAction)
}

/// The persistent reservation state of one logical unit.
struct PersistentReservations {
    struct Registration {
        var initiator: InitiatorID
        var key: UInt64
    }

    struct Reservation {
        var holder: InitiatorID
        var type: PersistentReservationType
    }

    /// What a service action did.
    enum Outcome {
        /// Done; these initiators get these unit attentions.
        case done([(initiator: InitiatorID, code: AdditionalSenseCode)])
        case conflict
        /// RELEASE by the holder with another type.
        case invalidRelease
        /// INVALID FIELD IN PARAMETER LIST at this byte.
        case invalidParameter(UInt16)
    }

    /// The types supported (SPC-3 6.11.3.4): not the All Registrants ones.
    static let supportedTypes: [PersistentReservationType] = [
        .writeExclusive, .exclusiveAccess, .writeExclusiveRegistrantsOnly, .exclusiveAccessRegistrantsOnly,
    ]

    /// INVALID RELEASE OF PERSISTENT RESERVATION (SPC-4 table D.1, 26h/04h).
    static let invalidReleaseOfReservation = AdditionalSenseCode(asc: 0x26, ascq: 0x04)

    private(set) var registrations: [Registration] = []
    private(set) var reservation: Reservation?
    /// PRgeneration: incremented by REGISTER, REGISTER AND IGNORE EXISTING KEY (when they
    /// change something), CLEAR and PREEMPT (SPC-3 6.11.2).
    private(set) var generation: UInt32 = 0
    /// APTPL of the last registration that set it (SPC-3 5.6.4).
    private var persistThroughPowerLoss = false

    func key(of initiator: InitiatorID) -> UInt64? {
        registrations.first { $0.initiator == initiator }?.key
    }

    /// Whether `initiator` may run a command of `access` now.
    func conflicts(_ initiator: InitiatorID, _ access: ReservationAccess) -> Bool {
        let registered = key(of: initiator) != nil
        if case .reserveOut(let action) = access {
            switch action {
            case .register, .registerAndIgnoreExistingKey: return false
            case .clear, .preempt, .preemptAndAbort, .release: return !registered && reservation != nil
            case .reserve: return reservation.map { $0.holder != initiator } ?? false
            default: return false
            }
        }
        guard let reservation, reservation.holder != initiator else { return false }
        let writeExclusive = reservation.type == .writeExclusive || reservation.type == .writeExclusiveRegistrantsOnly
        let registrantsOnly =
            reservation.type == .writeExclusiveRegistrantsOnly || reservation.type == .exclusiveAccessRegistrantsOnly
        switch access {
        case .allowed: return false
        case .modeSense: return !(registered || writeExclusive)
        case .read: return !(writeExclusive || (registrantsOnly && registered))
        case .write: return !(registrantsOnly && registered)
        case .reserveOut: return false
        }
    }

    /// REGISTER (SPC-3 5.6.5) or REGISTER AND IGNORE EXISTING KEY: a zero service action key
    /// unregisters (releasing a reservation the initiator holds).
    mutating func register(
        _ initiator: InitiatorID, _ parameters: PersistentReserveOutParameters, ignoringExistingKey: Bool
    ) -> Outcome {
        let newKey = parameters.serviceActionReservationKey
        guard let index = registrations.firstIndex(where: { $0.initiator == initiator }) else {
            if !ignoringExistingKey && parameters.reservationKey != 0 { return .conflict }
            guard newKey != 0 else { return .done([]) }
            registrations.append(Registration(initiator: initiator, key: newKey))
            persistThroughPowerLoss = parameters.activatePersistThroughPowerLoss
            generation &+= 1
            return .done([])
        }
        if !ignoringExistingKey && parameters.reservationKey != registrations[index].key { return .conflict }
        persistThroughPowerLoss = parameters.activatePersistThroughPowerLoss
        generation &+= 1
        guard newKey == 0 else {
            registrations[index].key = newKey
            return .done([])
        }
        registrations.remove(at: index)
        return .done(releaseIfHeld(by: initiator))
    }

    /// RESERVE (SPC-3 5.6.6): by a registrant with its key; again by the holder with the same
    /// type is a no-op; anything else while a reservation exists is a conflict.
    mutating func reserve(_ initiator: InitiatorID, key: UInt64, _ type: PersistentReservationType) -> Outcome {
        guard let registered = self.key(of: initiator), registered == key else { return .conflict }
        if let reservation {
            return reservation.holder == initiator && reservation.type == type ? .done([]) : .conflict
        }
        reservation = Reservation(holder: initiator, type: type)
        return .done([])
    }

    /// RELEASE (SPC-3 5.6.10.2): by the holder with its key and the reservation's type; by
    /// another registrant, or with none held, nothing happens.
    mutating func release(_ initiator: InitiatorID, key: UInt64, _ type: PersistentReservationType) -> Outcome {
        guard let registered = self.key(of: initiator), registered == key else { return .conflict }
        guard let reservation, reservation.holder == initiator else { return .done([]) }
        guard reservation.type == type else { return .invalidRelease }
        return .done(releaseIfHeld(by: initiator))
    }

    /// CLEAR (SPC-3 5.6.10.6): every registration and the reservation go; the other
    /// registrants hear RESERVATIONS PREEMPTED.
    mutating func clear(_ initiator: InitiatorID, key: UInt64) -> Outcome {
        guard let registered = self.key(of: initiator), registered == key else { return .conflict }
        let others = registrations.filter { $0.initiator != initiator }.map {
            (initiator: $0.initiator, code: AdditionalSenseCode.reservationsPreempted)
        }
        registrations = []
        reservation = nil
        generation &+= 1
        return .done(others)
    }

    /// PREEMPT (SPC-3 5.6.10.4): removes the other registrations with the service action key
    /// (their initiators hear REGISTRATIONS PREEMPTED); if that key held the reservation, the
    /// preempting initiator takes it with `type`. A key nobody has is a conflict; a zero key
    /// is INVALID FIELD IN PARAMETER LIST (no All Registrants reservations here).
    mutating func preempt(
        _ initiator: InitiatorID, _ parameters: PersistentReserveOutParameters, _ type: PersistentReservationType
    ) -> Outcome {
        guard let registered = self.key(of: initiator), registered == parameters.reservationKey else {
            return .conflict
        }
        let victimKey = parameters.serviceActionReservationKey
        guard victimKey != 0 else { return .invalidParameter(8) }
        let holderKey = reservation.flatMap { key(of: $0.holder) }
        let victims = registrations.filter { $0.key == victimKey && $0.initiator != initiator }
        guard !victims.isEmpty || holderKey == victimKey else { return .conflict }
        registrations.removeAll { $0.key == victimKey && $0.initiator != initiator }
        if holderKey == victimKey {
            reservation = Reservation(holder: initiator, type: type)
        }
        generation &+= 1
        return .done(victims.map { (initiator: $0.initiator, code: AdditionalSenseCode.registrationsPreempted) })
    }

    /// Power lost: without APTPL, every registration and the reservation go, and PRgeneration
    /// starts again from 0 (assumption: SPC-3 leaves the counter's value after power on open).
    mutating func powerLost() {
        guard !persistThroughPowerLoss else { return }
        self = PersistentReservations()
    }

    /// Releases the reservation if `initiator` holds it; the other registrants hear
    /// RESERVATIONS RELEASED when the type was a Registrants Only one (SPC-3 5.6.10.2).
    private mutating func releaseIfHeld(by initiator: InitiatorID) -> [(initiator: InitiatorID, code: AdditionalSenseCode)]
    {
        guard let held = reservation, held.holder == initiator else { return [] }
        reservation = nil
        guard held.type == .writeExclusiveRegistrantsOnly || held.type == .exclusiveAccessRegistrantsOnly else {
            return []
        }
        return registrations.filter { $0.initiator != initiator }.map {
            (initiator: $0.initiator, code: AdditionalSenseCode.reservationsReleased)
        }
    }
}
