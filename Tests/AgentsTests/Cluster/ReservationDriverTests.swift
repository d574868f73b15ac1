import Agents
import Hardware
import SimCore
import SimHardware
import Testing

/// Runs operations through a driver borrowed from its RTA and collects the results.
private final class ReservationRecorder: DeviceDriverDelegate {
    private(set) var results: [UInt64: DeviceResult] = [:]
    func deviceCompleted(_ driver: any DeviceDriver, tag: UInt64, result: DeviceResult) { results[tag] = result }
}

private struct Paths {
    let rig: UMAClusterRig
    private let recorder = ReservationRecorder()
    private var tag: UInt64 = 0

    init(ata: Bool) {
        rig = UMAClusterRig(bays: 1, ata: ata, cluster: false)
        for driver in [rig.red.primaryDrivers[0], rig.blue.partnerDrivers[0]] { driver.delegate = recorder }
    }

    /// Red's path to Red's bay 0 (loop A) and Blue's path to the same disk (loop B): two I_T nexuses.
    var red: any DeviceDriver { rig.red.primaryDrivers[0] }
    var blue: any DeviceDriver { rig.blue.partnerDrivers[0] }

    mutating func reserve(_ driver: any DeviceDriver, _ request: ReservationRequest) -> DeviceResult? {
        tag += 1
        driver.reserve(request, tag: tag)
        rig.simulator.run()
        return recorder.results[tag]
    }

    mutating func write(_ driver: any DeviceDriver) -> IOStatus? {
        tag += 1
        driver.write(lba: 16, data: [UInt8](repeating: 0x3C, count: 512), forceUnitAccess: false, tag: tag)
        rig.simulator.run()
        return recorder.results[tag]?.status
    }

    mutating func read(_ driver: any DeviceDriver) -> IOStatus? {
        tag += 1
        driver.read(lba: 16, blocks: 1, tag: tag)
        rig.simulator.run()
        return recorder.results[tag]?.status
    }
}

@Suite("Persistent reservations through the SCSI and ATA DDMs on simulated disks")
struct ReservationDriverTests {
    @Test("register, reserve (Write Exclusive), read keys and reservation, preempt: the victim's write gets RESERVATION CONFLICT", arguments: [false, true])
    func roundTrip(ata: Bool) {
        var paths = Paths(ata: ata)
        let red = UMAClusterRig.redKey
        let blue = UMAClusterRig.blueKey
        #expect(paths.reserve(paths.red, .register(key: red))?.status == .good)
        #expect(paths.reserve(paths.blue, .register(key: blue))?.status == .good)
        let keys = paths.reserve(paths.red, .readKeys)
        #expect(keys?.status == .good)
        #expect(keys?.reservation?.keys == [red, blue])
        // PRgeneration counts the two REGISTERs (SPC-3 6.11.2).
        #expect(keys?.reservation?.generation == 2)
        #expect(paths.reserve(paths.red, .reserve(key: red))?.status == .good)
        #expect(paths.reserve(paths.blue, .readReservation)?.reservation?.holder == red)
        // Write Exclusive: only the holder writes; anyone reads.
        #expect(paths.write(paths.red) == .good)
        #expect(paths.write(paths.blue) == .reservationConflict)
        #expect(paths.read(paths.blue) == .good)
        // Blue preempts Red: the reservation moves to Blue, Red's registration goes.
        #expect(paths.reserve(paths.blue, .preempt(key: blue, victim: red))?.status == .good)
        #expect(paths.reserve(paths.red, .readReservation)?.reservation?.holder == blue)
        #expect(paths.reserve(paths.red, .readKeys)?.reservation?.keys == [blue])
        #expect(paths.write(paths.red) == .reservationConflict)
        #expect(paths.write(paths.blue) == .good)
        // Red, no longer registered, cannot preempt back.
        #expect(paths.reserve(paths.red, .preempt(key: red, victim: blue))?.status == .reservationConflict)
        // Red re-registers ignoring its old key; Blue releases; Red reserves.
        #expect(paths.reserve(paths.red, .registerIgnoringExisting(key: red))?.status == .good)
        #expect(paths.reserve(paths.blue, .release(key: blue))?.status == .good)
        #expect(paths.reserve(paths.red, .readReservation)?.reservation?.holder == nil)
        #expect(paths.reserve(paths.red, .reserve(key: red))?.status == .good)
        #expect(paths.write(paths.red) == .good)
    }

    @Test("RESERVATION CONFLICT is counted and never retried")
    func conflictCounted() {
        var paths = Paths(ata: false)
        #expect(paths.reserve(paths.red, .register(key: UMAClusterRig.redKey))?.status == .good)
        #expect(paths.reserve(paths.red, .reserve(key: UMAClusterRig.redKey))?.status == .good)
        #expect(paths.write(paths.blue) == .reservationConflict)
        let statistics = (paths.blue as! SCSIDeviceDriver).statistics
        #expect(statistics.reservationConflicts == 1)
        #expect(statistics.commandsIssued == 1)
    }
}
