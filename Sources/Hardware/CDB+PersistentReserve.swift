/// The SERVICE ACTION of PERSISTENT RESERVE IN (SPC-3 6.11.1, table "PERSISTENT RESERVE IN
/// service action codes"). Any 5-bit value parses; the device decides which it supports.
public struct PersistentReserveInAction: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    /// - Precondition: `rawValue` fits the 5-bit field.
    public init(rawValue: UInt8) {
        precondition(rawValue <= 0x1f, "service action \(rawValue) exceeds 5 bits")
        self.rawValue = rawValue
    }

    /// READ KEYS: the PRgeneration and every registered reservation key (SPC-3 6.11.2).
    public static let readKeys = PersistentReserveInAction(rawValue: 0x00)
    /// READ RESERVATION: the PRgeneration and the reservation, if any (SPC-3 6.11.3).
    public static let readReservation = PersistentReserveInAction(rawValue: 0x01)
    /// REPORT CAPABILITIES (SPC-3 6.11.4).
    public static let reportCapabilities = PersistentReserveInAction(rawValue: 0x02)
    /// READ FULL STATUS (SPC-4 6.15.5).
    public static let readFullStatus = PersistentReserveInAction(rawValue: 0x03)

    public var description: String {
        switch rawValue {
        case 0x00: "READ KEYS"
        case 0x01: "READ RESERVATION"
        case 0x02: "REPORT CAPABILITIES"
        case 0x03: "READ FULL STATUS"
        default: "PR IN service action 0x" + HexFormatting.hex(rawValue, digits: 2)
        }
    }
}

/// The SERVICE ACTION of PERSISTENT RESERVE OUT (SPC-3 6.12.2, table "PERSISTENT RESERVE OUT
/// service action codes"). Any 5-bit value parses.
public struct PersistentReserveOutAction: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    /// - Precondition: `rawValue` fits the 5-bit field.
    public init(rawValue: UInt8) {
        precondition(rawValue <= 0x1f, "service action \(rawValue) exceeds 5 bits")
        self.rawValue = rawValue
    }

    /// REGISTER: register, change or (with a zero service action key) remove this I_T nexus's
    /// reservation key.
    public static let register = PersistentReserveOutAction(rawValue: 0x00)
    /// RESERVE: create a persistent reservation of the given scope and type.
    public static let reserve = PersistentReserveOutAction(rawValue: 0x01)
    /// RELEASE: release the reservation this I_T nexus holds.
    public static let release = PersistentReserveOutAction(rawValue: 0x02)
    /// CLEAR: remove every registration and the reservation.
    public static let clear = PersistentReserveOutAction(rawValue: 0x03)
    /// PREEMPT: remove the registrations with the service action key; take over the
    /// reservation if that key held it.
    public static let preempt = PersistentReserveOutAction(rawValue: 0x04)
    /// PREEMPT AND ABORT: PREEMPT, and abort the preempted initiators' tasks.
    public static let preemptAndAbort = PersistentReserveOutAction(rawValue: 0x05)
    /// REGISTER AND IGNORE EXISTING KEY: register whatever the current key is.
    public static let registerAndIgnoreExistingKey = PersistentReserveOutAction(rawValue: 0x06)
    /// REGISTER AND MOVE.
    public static let registerAndMove = PersistentReserveOutAction(rawValue: 0x07)

    public var description: String {
        switch rawValue {
        case 0x00: "REGISTER"
        case 0x01: "RESERVE"
        case 0x02: "RELEASE"
        case 0x03: "CLEAR"
        case 0x04: "PREEMPT"
        case 0x05: "PREEMPT AND ABORT"
        case 0x06: "REGISTER AND IGNORE EXISTING KEY"
        case 0x07: "REGISTER AND MOVE"
        default: "PR OUT service action 0x" + HexFormatting.hex(rawValue, digits: 2)
        }
    }
}

/// The TYPE of a persistent reservation (SPC-3 6.11.3.4, table "Persistent reservation type
/// codes"): who may read and who may write while it is held.
public struct PersistentReservationType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    /// - Precondition: `rawValue` fits the 4-bit field.
    public init(rawValue: UInt8) {
        precondition(rawValue <= 0x0f, "reservation type \(rawValue) exceeds 4 bits")
        self.rawValue = rawValue
    }

    /// Write Exclusive: only the holder writes; anyone reads.
    public static let writeExclusive = PersistentReservationType(rawValue: 1)
    /// Exclusive Access: only the holder reads or writes.
    public static let exclusiveAccess = PersistentReservationType(rawValue: 3)
    /// Write Exclusive – Registrants Only: registered initiators write; anyone reads.
    public static let writeExclusiveRegistrantsOnly = PersistentReservationType(rawValue: 5)
    /// Exclusive Access – Registrants Only: only registered initiators read or write.
    public static let exclusiveAccessRegistrantsOnly = PersistentReservationType(rawValue: 6)
    /// Write Exclusive – All Registrants.
    public static let writeExclusiveAllRegistrants = PersistentReservationType(rawValue: 7)
    /// Exclusive Access – All Registrants.
    public static let exclusiveAccessAllRegistrants = PersistentReservationType(rawValue: 8)

    public var description: String {
        switch rawValue {
        case 1: "Write Exclusive"
        case 3: "Exclusive Access"
        case 5: "Write Exclusive - Registrants Only"
        case 6: "Exclusive Access - Registrants Only"
        case 7: "Write Exclusive - All Registrants"
        case 8: "Exclusive Access - All Registrants"
        default: "reservation type \(rawValue)"
        }
    }
}

extension CDB {
    /// PERSISTENT RESERVE IN (SPC-3 6.11): read the registered keys or the reservation, as
    /// ``PersistentReserveInKeys`` or ``PersistentReserveInReservation``. Data in.
    ///
    /// Layout: `5E service-action 00 00 00 00 00 allocation-length(2) control`.
    public struct PersistentReserveIn: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.persistentReserveIn
        public static let length = 10

        /// SERVICE ACTION (byte 1, bits 4…0).
        public var serviceAction: PersistentReserveInAction
        /// The most bytes to return.
        public var allocationLength: UInt16
        /// The CONTROL byte.
        public var control: UInt8

        public init(serviceAction: PersistentReserveInAction, allocationLength: UInt16 = 0x2000, control: UInt8 = 0) {
            self.serviceAction = serviceAction
            self.allocationLength = allocationLength
            self.control = control
        }

        public var bytes: [UInt8] {
            var b = CDB.template(Self.self, control: control)
            b[1] = serviceAction.rawValue
            BigEndianBytes.write(UInt64(allocationLength), into: &b, at: 7, count: 2)
            return b
        }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            serviceAction = PersistentReserveInAction(rawValue: b[1] & 0x1f)
            allocationLength = UInt16(BigEndianBytes.read(b, at: 7, count: 2))
            control = b[9]
        }
    }

    /// PERSISTENT RESERVE OUT (SPC-3 6.12): register, reserve, release, clear, preempt. Data
    /// out: a ``PersistentReserveOutParameters`` list of 24 bytes.
    ///
    /// Layout: `5F service-action scope|type 00 00 parameter-list-length(4) control`; SCOPE is
    /// bits 7…4 and TYPE bits 3…0 of byte 2.
    public struct PersistentReserveOut: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.persistentReserveOut
        public static let length = 10

        /// SCOPE value for a reservation of the whole logical unit (LU_SCOPE, SPC-3 6.11.3.3).
        public static let logicalUnitScope: UInt8 = 0

        /// SERVICE ACTION (byte 1, bits 4…0).
        public var serviceAction: PersistentReserveOutAction
        /// SCOPE (4 bits): ``logicalUnitScope``; ignored by REGISTER and CLEAR.
        public var scope: UInt8
        /// TYPE (4 bits); ignored by REGISTER and CLEAR.
        public var type: PersistentReservationType
        /// PARAMETER LIST LENGTH: 24 for the basic parameter list.
        public var parameterListLength: UInt32
        /// The CONTROL byte.
        public var control: UInt8

        public init(
            serviceAction: PersistentReserveOutAction, type: PersistentReservationType = PersistentReservationType(
                rawValue: 0), scope: UInt8 = PersistentReserveOut.logicalUnitScope,
            parameterListLength: UInt32 = UInt32(PersistentReserveOutParameters.length), control: UInt8 = 0
        ) {
            self.serviceAction = serviceAction
            self.scope = scope & 0x0f
            self.type = type
            self.parameterListLength = parameterListLength
            self.control = control
        }

        public var bytes: [UInt8] {
            var b = CDB.template(Self.self, control: control)
            b[1] = serviceAction.rawValue
            b[2] = (scope & 0x0f) << 4 | type.rawValue
            BigEndianBytes.write(UInt64(parameterListLength), into: &b, at: 5, count: 4)
            return b
        }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            serviceAction = PersistentReserveOutAction(rawValue: b[1] & 0x1f)
            scope = b[2] >> 4
            type = PersistentReservationType(rawValue: b[2] & 0x0f)
            parameterListLength = UInt32(BigEndianBytes.read(b, at: 5, count: 4))
            control = b[9]
        }
    }
}

/// The basic PERSISTENT RESERVE OUT parameter list (SPC-3 6.12.3): 24 bytes.
///
/// Layout: `reservation-key(8) service-action-reservation-key(8) obsolete(4)
/// spec_i_pt|all_tg_pt|aptpl 00 obsolete(2)`; in byte 20 SPEC_I_PT is bit 3, ALL_TG_PT bit 2,
/// APTPL bit 0.
public struct PersistentReserveOutParameters: Hashable, Sendable {
    /// RESERVATION KEY: the key this I_T nexus is registered with (0 when not registered).
    public var reservationKey: UInt64
    /// SERVICE ACTION RESERVATION KEY: the new key (REGISTER) or the key to preempt (PREEMPT).
    public var serviceActionReservationKey: UInt64
    /// SPEC_I_PT: the list names further initiator ports (not supported here; always false
    /// when built by this type with the default).
    public var specifyInitiatorPorts: Bool
    /// ALL_TG_PT: register through every target port.
    public var allTargetPorts: Bool
    /// APTPL: activate persist through power loss.
    public var activatePersistThroughPowerLoss: Bool

    /// The length of the encoding.
    public static let length = 24

    public init(
        reservationKey: UInt64, serviceActionReservationKey: UInt64 = 0, activatePersistThroughPowerLoss: Bool = false,
        allTargetPorts: Bool = false, specifyInitiatorPorts: Bool = false
    ) {
        self.reservationKey = reservationKey
        self.serviceActionReservationKey = serviceActionReservationKey
        self.specifyInitiatorPorts = specifyInitiatorPorts
        self.allTargetPorts = allTargetPorts
        self.activatePersistThroughPowerLoss = activatePersistThroughPowerLoss
    }

    /// Decodes the first 24 bytes; nil when there are fewer.
    public init?(bytes input: some Collection<UInt8>) {
        let b = Array(input)
        guard b.count >= Self.length else { return nil }
        reservationKey = BigEndianBytes.read(b, at: 0, count: 8)
        serviceActionReservationKey = BigEndianBytes.read(b, at: 8, count: 8)
        specifyInitiatorPorts = b[20] & 0x08 != 0
        allTargetPorts = b[20] & 0x04 != 0
        activatePersistThroughPowerLoss = b[20] & 0x01 != 0
    }

    public var bytes: [UInt8] {
        var b = [UInt8](repeating: 0, count: Self.length)
        BigEndianBytes.write(reservationKey, into: &b, at: 0, count: 8)
        BigEndianBytes.write(serviceActionReservationKey, into: &b, at: 8, count: 8)
        b[20] =
            (specifyInitiatorPorts ? 0x08 : 0) | (allTargetPorts ? 0x04 : 0) | (activatePersistThroughPowerLoss ? 0x01 : 0)
        return b
    }
}

/// The READ KEYS parameter data (SPC-3 6.11.2): `PRgeneration(4) additional-length(4)` then
/// one 8-byte reservation key per registered I_T nexus.
public struct PersistentReserveInKeys: Hashable, Sendable {
    /// PRGENERATION: counts REGISTER, REGISTER AND IGNORE EXISTING KEY, CLEAR, PREEMPT.
    public var generation: UInt32
    /// The keys present in the data.
    public var keys: [UInt64]
    /// How many keys the device reported (ADDITIONAL LENGTH / 8): more than ``keys`` holds when
    /// the allocation length cut the list.
    public var reportedCount: Int

    public init(generation: UInt32, keys: [UInt64]) {
        self.generation = generation
        self.keys = keys
        reportedCount = keys.count
    }

    /// Decodes the header and the complete keys present; nil with fewer than 8 bytes.
    public init?(bytes input: some Collection<UInt8>) {
        let b = Array(input)
        guard b.count >= 8 else { return nil }
        generation = UInt32(BigEndianBytes.read(b, at: 0, count: 4))
        reportedCount = Int(BigEndianBytes.read(b, at: 4, count: 4)) / 8
        let present = min(reportedCount, (b.count - 8) / 8)
        keys = (0..<present).map { BigEndianBytes.read(b, at: 8 + 8 * $0, count: 8) }
    }

    public var bytes: [UInt8] {
        var b = [UInt8](repeating: 0, count: 8 + 8 * keys.count)
        BigEndianBytes.write(UInt64(generation), into: &b, at: 0, count: 4)
        BigEndianBytes.write(UInt64(8 * keys.count), into: &b, at: 4, count: 4)
        for (index, key) in keys.enumerated() {
            BigEndianBytes.write(key, into: &b, at: 8 + 8 * index, count: 8)
        }
        return b
    }
}

/// The READ RESERVATION parameter data (SPC-3 6.11.3): `PRgeneration(4) additional-length(4)`
/// and, when a reservation exists (ADDITIONAL LENGTH 16), `reservation-key(8) obsolete(4) 00
/// scope|type obsolete(2)`.
public struct PersistentReserveInReservation: Hashable, Sendable {
    /// The reservation: the holder's key, its scope and type.
    public struct Reservation: Hashable, Sendable {
        /// The reservation key of the holder.
        public var key: UInt64
        /// SCOPE (4 bits; 0 = LU_SCOPE).
        public var scope: UInt8
        /// TYPE.
        public var type: PersistentReservationType

        public init(key: UInt64, type: PersistentReservationType, scope: UInt8 = 0) {
            self.key = key
            self.scope = scope & 0x0f
            self.type = type
        }
    }

    /// PRGENERATION.
    public var generation: UInt32
    /// The reservation, or nil when none is held.
    public var reservation: Reservation?

    public init(generation: UInt32, reservation: Reservation?) {
        self.generation = generation
        self.reservation = reservation
    }

    /// Decodes the header and, when ADDITIONAL LENGTH is at least 16 and the bytes are there,
    /// the reservation; nil with fewer than 8 bytes.
    public init?(bytes input: some Collection<UInt8>) {
        let b = Array(input)
        guard b.count >= 8 else { return nil }
        generation = UInt32(BigEndianBytes.read(b, at: 0, count: 4))
        let additional = Int(BigEndianBytes.read(b, at: 4, count: 4))
        if additional >= 16 && b.count >= 24 {
            reservation = Reservation(
                key: BigEndianBytes.read(b, at: 8, count: 8), type: PersistentReservationType(rawValue: b[21] & 0x0f),
                scope: b[21] >> 4)
        } else {
            reservation = nil
        }
    }

    public var bytes: [UInt8] {
        guard let reservation else {
            var b = [UInt8](repeating: 0, count: 8)
            BigEndianBytes.write(UInt64(generation), into: &b, at: 0, count: 4)
            return b
        }
        var b = [UInt8](repeating: 0, count: 24)
        BigEndianBytes.write(UInt64(generation), into: &b, at: 0, count: 4)
        BigEndianBytes.write(16, into: &b, at: 4, count: 4)
        BigEndianBytes.write(reservation.key, into: &b, at: 8, count: 8)
        b[21] = (reservation.scope & 0x0f) << 4 | reservation.type.rawValue
        return b
    }
}
