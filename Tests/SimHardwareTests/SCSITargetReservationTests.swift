import Hardware
import SimHardware
import Testing

@Suite("SCSITarget persistent reservations")
struct SCSITargetReservationTests {
    private func readKeys(_ rig: inout TargetRig, from initiator: InitiatorID) -> PersistentReserveInKeys? {
        let response = rig.run(
            CDB.PersistentReserveIn(serviceAction: .readKeys).bytes, .fromDevice(count: 256), from: initiator)
        return PersistentReserveInKeys(bytes: response.dataIn)
    }

    private func readReservation(_ rig: inout TargetRig, from initiator: InitiatorID)
        -> PersistentReserveInReservation?
    {
        let response = rig.run(
            CDB.PersistentReserveIn(serviceAction: .readReservation).bytes, .fromDevice(count: 256), from: initiator)
        return PersistentReserveInReservation(bytes: response.dataIn)
    }

    @Test("Red and Blue register; Red reserves WERO; Blue preempts; Red's write conflicts and stores nothing")
    func takeover() {
        var rig = TargetRig()
        let old = TargetRig.pattern(4_096, seed: 1)
        let new = TargetRig.pattern(4_096, seed: 99)
        #expect(rig.write(old, at: 100).status == .good)

        #expect(rig.reserveOut(.register, key: 0, serviceActionKey: 0xDEAD, from: Controller.red).status == .good)
        #expect(rig.reserveOut(.register, key: 0, serviceActionKey: 0xB1, from: Controller.blue).status == .good)
        #expect(
            rig.reserveOut(.reserve, type: .writeExclusiveRegistrantsOnly, key: 0xDEAD, from: Controller.red).status
                == .good)
        // PRgeneration counts the two REGISTERs; RESERVE does not count (SPC-3 6.11.2).
        #expect(readKeys(&rig, from: Controller.blue) == PersistentReserveInKeys(generation: 2, keys: [0xDEAD, 0xB1]))
        #expect(
            readReservation(&rig, from: Controller.blue)
                == PersistentReserveInReservation(
                    generation: 2, reservation: .init(key: 0xDEAD, type: .writeExclusiveRegistrantsOnly)))
        // Under WERO a registrant writes; an unregistered initiator only reads.
        #expect(rig.write(old, at: 200, from: Controller.blue).status == .good)
        #expect(rig.write(old, at: 200, from: Controller.green).status == .reservationConflict)
        #expect(rig.read(8, at: 100, from: Controller.green).status == .good)

        // Blue preempts Red's key: Red's registration goes, Blue holds the reservation.
        #expect(
            rig.reserveOut(
                .preempt, type: .writeExclusiveRegistrantsOnly, key: 0xB1, serviceActionKey: 0xDEAD,
                from: Controller.blue
            ).status == .good)
        #expect(readKeys(&rig, from: Controller.blue) == PersistentReserveInKeys(generation: 3, keys: [0xB1]))
        // (Asked by Green: Red's next command, whatever it is, reports the unit attention.)
        #expect(
            readReservation(&rig, from: Controller.green)
                == PersistentReserveInReservation(
                    generation: 3, reservation: .init(key: 0xB1, type: .writeExclusiveRegistrantsOnly)))
        #expect(rig.target.reservationHolder?.initiator == Controller.blue)

        // Red's next command hears REGISTRATIONS PREEMPTED once; then its write conflicts.
        let attention = rig.write(new, at: 100, from: Controller.red)
        #expect(attention.status == .checkCondition)
        #expect(TargetRig.sense(attention)?.senseKey == .unitAttention)
        #expect(TargetRig.sense(attention)?.additionalSenseCode == .registrationsPreempted)
        #expect(rig.write(new, at: 100, from: Controller.red).status == .reservationConflict)
        let readBack = rig.read(8, at: 100, from: Controller.blue)
        #expect(readBack.status == .good)
        #expect(readBack.dataIn == old)
        // Red can no longer register with its old key, nor release, nor reserve.
        #expect(rig.reserveOut(.register, key: 0xDEAD, serviceActionKey: 0xC0, from: Controller.red).status
            == .reservationConflict)
        #expect(rig.reserveOut(.reserve, type: .writeExclusive, key: 0xDEAD, from: Controller.red).status
            == .reservationConflict)
    }

    @Test("REGISTER with a wrong key conflicts; key 0 unregisters and releases; RELEASE of another type is invalid")
    func registerRules() {
        var rig = TargetRig()
        #expect(rig.reserveOut(.register, key: 5, serviceActionKey: 0xA, from: Controller.red).status
            == .reservationConflict)
        #expect(rig.reserveOut(.register, key: 0, serviceActionKey: 0xA, from: Controller.red).status == .good)
        #expect(rig.reserveOut(.register, key: 0xF, serviceActionKey: 0xB, from: Controller.red).status
            == .reservationConflict)
        #expect(rig.reserveOut(.registerAndIgnoreExistingKey, key: 0, serviceActionKey: 0xB, from: Controller.red)
            .status == .good)
        #expect(rig.reserveOut(.reserve, type: .exclusiveAccess, key: 0xB, from: Controller.red).status == .good)
        let wrongType = rig.reserveOut(.release, type: .writeExclusive, key: 0xB, from: Controller.red)
        #expect(wrongType.status == .checkCondition)
        #expect(TargetRig.sense(wrongType)?.additionalSenseCode == AdditionalSenseCode(asc: 0x26, ascq: 0x04))
        let unsupportedType = rig.reserveOut(
            .reserve, type: .writeExclusiveAllRegistrants, key: 0xB, from: Controller.red)
        #expect(TargetRig.sense(unsupportedType)?.additionalSenseCode == .invalidFieldInCDB)
        // Unregistering (key 0) releases the reservation it held.
        #expect(rig.reserveOut(.register, key: 0xB, serviceActionKey: 0, from: Controller.red).status == .good)
        #expect(rig.target.reservationHolder == nil)
        #expect(rig.target.registeredKeys.isEmpty)
        // Generations: REGISTER, REGISTER AND IGNORE, unregister = 3.
        #expect(rig.target.reservationGeneration == 3)
    }

    @Test("CLEAR removes everything and tells the other registrants RESERVATIONS PREEMPTED")
    func clear() {
        var rig = TargetRig()
        rig.reserveOut(.register, key: 0, serviceActionKey: 1, from: Controller.red)
        rig.reserveOut(.register, key: 0, serviceActionKey: 2, from: Controller.blue)
        rig.reserveOut(.reserve, type: .exclusiveAccess, key: 1, from: Controller.red)
        #expect(rig.reserveOut(.clear, key: 2, from: Controller.blue).status == .good)
        #expect(rig.target.registeredKeys.isEmpty && rig.target.reservationHolder == nil)
        let heard = rig.run(CDB.TestUnitReady().bytes, from: Controller.red)
        #expect(TargetRig.sense(heard)?.additionalSenseCode == .reservationsPreempted)
        #expect(rig.run(CDB.TestUnitReady().bytes, from: Controller.red).status == .good)
    }

    @Test("registrations survive power loss only with APTPL")
    func persistThroughPowerLoss() {
        var volatile = TargetRig()
        volatile.reserveOut(.register, key: 0, serviceActionKey: 7, from: Controller.red)
        volatile.reserveOut(.reserve, type: .writeExclusive, key: 7, from: Controller.red)
        volatile.target.powerLost()
        #expect(volatile.target.registeredKeys.isEmpty && volatile.target.reservationHolder == nil)

        var persistent = TargetRig()
        persistent.reserveOut(.register, key: 0, serviceActionKey: 7, aptpl: true, from: Controller.red)
        persistent.reserveOut(.reserve, type: .writeExclusive, key: 7, from: Controller.red)
        persistent.target.powerLost()
        #expect(persistent.target.registeredKeys.map(\.key) == [7])
        #expect(persistent.target.reservationHolder?.type == .writeExclusive)
    }
}
