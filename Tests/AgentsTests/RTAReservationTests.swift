import Agents
import Hardware
import SimCore
import SimHardware
import Testing

@Suite("RTA: reservations and partner devices")
struct RTAReservationTests {
    @Test("partner drivers follow the primary ones and are reported as partner devices")
    func partnerProfiles() {
        let harness = RTAHarness(seed: 1, drivers: 2, partnerDrivers: 1)
        harness.bootstrap()
        #expect(harness.rta.primaryDeviceCount == 2)
        #expect(harness.cta.resources?.map(\.device) == [0, 1, 2])
        #expect(harness.cta.resources?.map(\.partner) == [false, false, true])
    }

    @Test("a reservation runs once through the device's driver and is answered with its result")
    func roundTrip() {
        let harness = RTAHarness(seed: 1, drivers: 2)
        harness.bootstrap()
        harness.cta.send(.reservation(transaction: 1, device: 1, .readKeys))
        harness.simulator.run()
        #expect(harness.drivers[1].reservations.map(\.request) == [.readKeys])
        #expect(harness.drivers[0].reservations.isEmpty)
        #expect(harness.cta.reservationAnswers[1]?.status == .good)
        #expect(harness.cta.reservationAnswers[1]?.result == ReservationResult(generation: 1, keys: [7]))
        #expect(harness.rta.statistics.reservations == 1)
    }

    @Test("RESERVATION CONFLICT passes through and is counted; an unknown device is refused without a command")
    func conflictAndUnknown() {
        let harness = RTAHarness(seed: 1, drivers: 1)
        harness.bootstrap(devices: [0])
        harness.drivers[0].reservationStatus = .reservationConflict
        harness.cta.send(.reservation(transaction: 1, device: 0, .preempt(key: 1, victim: 2)))
        harness.cta.send(.reservation(transaction: 2, device: 5, .reserve(key: 1)))
        harness.simulator.run()
        #expect(harness.cta.reservationAnswers[1]?.status == .reservationConflict)
        #expect(harness.cta.reservationAnswers[2]?.status == .rejected(.unavailable))
        #expect(harness.rta.statistics.reservationConflicts == 1)
        #expect(harness.drivers[0].reservations.count == 1)
    }

    @Test("RELEASE waits until nothing is in flight on its device; another device's RELEASE goes at once")
    func releaseDrains() {
        let harness = RTAHarness(seed: 1, drivers: 2)
        harness.bootstrap()
        harness.cta.holdTransferDone = true
        harness.request(10, .read, device: 0, lba: 0, blocks: 8)
        harness.simulator.run()
        #expect(harness.cta.outcomes[10] == .good)  // the data is in the buffers; transferDone held
        harness.cta.send(.reservation(transaction: 1, device: 0, .release(key: 1)))
        harness.cta.send(.reservation(transaction: 2, device: 1, .release(key: 1)))
        harness.simulator.run()
        #expect(harness.drivers[1].reservations.count == 1)
        #expect(harness.drivers[0].reservations.isEmpty)  // the read still holds device 0
        #expect(harness.cta.reservationAnswers[1] == nil)
        let released = harness.simulator.now
        harness.cta.releaseHeld()
        harness.simulator.run()
        #expect(harness.drivers[0].reservations.map(\.request) == [.release(key: 1)])
        #expect(harness.drivers[0].reservations.allSatisfy { $0.at > released })
        #expect(harness.cta.reservationAnswers[1]?.status == .good)
        #expect(harness.rta.activeTransactions == 0)
    }
}
