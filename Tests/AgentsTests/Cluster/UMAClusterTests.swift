import Agents
import Hardware
import SimCore
import SimHardware
import Testing

/// Collects a driver's completions while a test borrows it from its RTA.
private final class BorrowedDriver: DeviceDriverDelegate {
    private(set) var statuses: [UInt64: IOStatus] = [:]
    func deviceCompleted(_ driver: any DeviceDriver, tag: UInt64, result: DeviceResult) { statuses[tag] = result.status }

    /// Writes one block through `driver` and runs the simulation: the write's status.
    static func write(_ driver: any DeviceDriver, _ rig: UMAClusterRig, tag: UInt64) -> IOStatus? {
        let recorder = BorrowedDriver()
        let owner = driver.delegate
        driver.delegate = recorder
        driver.write(lba: 8, data: [UInt8](repeating: 0xA5, count: 512), forceUnitAccess: false, tag: tag)
        rig.simulator.run()
        driver.delegate = owner
        return recorder.statuses[tag]
    }
}

@Suite("UMA in cluster mode: reservations, fence, takeover, giveback")
struct UMAClusterTests {
    @Test("boot: own devices numbered from lunBase, partner devices kept aside by WWN, nothing served until serveOwnShelf")
    func boot() {
        let bays = 2
        let rig = UMAClusterRig(bays: bays)
        rig.boot()
        for system in [rig.red, rig.blue] {
            #expect(system.observer.ready == 1)
            #expect(system.uma.clusterStep == .idle)
            #expect(system.uma.statistics.ownDevicesHeldAtBoot == 0)
            // REGISTER on every path (2 × bays) and RESERVE on the primary ones (bays).
            #expect(system.uma.statistics.reservationsSent == 3 * bays)
            #expect(system.uma.statistics.reservationFailures == 0)
            #expect(system.uma.table.partnerDevices.count == bays)
            #expect(system.transport.advertisements.isEmpty)
        }
        #expect(rig.red.uma.table.luns == Array(0..<UInt16(bays)))
        #expect(rig.blue.uma.table.luns == Array(UInt16(bays)..<UInt16(2 * bays)))
        #expect(rig.red.uma.table.partnerDevices.map(\.identity.worldWideName) == (0..<bays).map { UMAClusterRig.wwn(shelf: 2, bay: $0) })
        rig.red.transport.connect(client: 0x77)
        #expect(rig.red.transport.rejected == [.notReady])
        rig.red.uma.serveOwnShelf()
        #expect(rig.red.transport.advertisedLUNs == [0, 1])
        rig.red.transport.connect(client: 0x77)
        #expect(rig.red.transport.accepted.map(\.luns) == [[0, 1]])
        // Each system holds its own disks: the partner's write through its B loop conflicts.
        #expect(BorrowedDriver.write(rig.blue.partnerDrivers[1], rig, tag: 1) == .reservationConflict)
        #expect(BorrowedDriver.write(rig.red.primaryDrivers[1], rig, tag: 2) == .good)
    }

    @Test("fence race: both preempt on the mailbox disk at the same instant; exactly one wins, the same one on every run",
          arguments: [1, 2, 3] as [UInt64])
    func fenceRace(seed: UInt64) {
        func race(seed: UInt64) -> (FenceOutcome?, FenceOutcome?) {
            let rig = UMAClusterRig(bays: 2, seed: seed)
            rig.boot()
            var red: FenceOutcome?
            var blue: FenceOutcome?
            rig.red.uma.fencePartner { red = $0 }
            rig.blue.uma.fencePartner { blue = $0 }
            rig.simulator.run()
            return (red, blue)
        }
        let first = race(seed: seed)
        #expect([first.0, first.1].filter { $0 == .won }.count == 1)
        #expect([first.0, first.1].filter { $0 == .lost }.count == 1)
        let again = race(seed: seed)
        #expect(again.0 == first.0 && again.1 == first.1)
    }

    @Test("fence won: the partner's writes to its own disks get RESERVATION CONFLICT, the winner's through the B loop succeed")
    func fenceWon() {
        let rig = UMAClusterRig(bays: 2)
        rig.boot()
        var outcome: FenceOutcome?
        rig.red.uma.fencePartner { outcome = $0 }
        rig.simulator.run()
        #expect(outcome == .won)
        #expect(BorrowedDriver.write(rig.blue.primaryDrivers[0], rig, tag: 1) == .reservationConflict)
        #expect(BorrowedDriver.write(rig.blue.primaryDrivers[1], rig, tag: 2) == .reservationConflict)
        #expect(BorrowedDriver.write(rig.red.partnerDrivers[1], rig, tag: 3) == .good)
        // The loser fences too, later: it is no longer registered on the mailbox disk.
        var late: FenceOutcome?
        rig.blue.uma.fencePartner { late = $0 }
        rig.simulator.run()
        #expect(late == .lost)
    }

    @Test("takeover maps the partner's LUNs by WWN and serves them under the partner's numbers and masks")
    func takeover() throws {
        let rig = UMAClusterRig(bays: 2)
        rig.boot()
        rig.red.uma.serveOwnShelf()
        var outcome: FenceOutcome?
        rig.red.uma.fencePartner { outcome = $0 }
        rig.simulator.run()
        #expect(outcome == .won)
        rig.blue.uma.stopServing()
        #expect(rig.blue.transport.advertisedLUNs == [])
        let partner = try ClusterUnitConfiguration(decoding: rig.blue.uma.clusterConfiguration)
        #expect(partner.luns.map(\.lun) == [2, 3])
        #expect(partner.luns.map(\.worldWideName) == [UMAClusterRig.wwn(shelf: 2, bay: 0), UMAClusterRig.wwn(shelf: 2, bay: 1)])
        var masked = partner
        masked.lunMasks = [0x99: [3]]
        let mapping = rig.red.uma.takeOverPartner(configuration: masked)
        #expect(mapping.luns == [2, 3])
        #expect(mapping.unmapped.isEmpty)
        #expect(rig.red.transport.advertisedLUNs == [0, 1])  // not yet online
        rig.red.uma.bringPartnerOnline()
        #expect(rig.red.transport.advertisedLUNs == [0, 1, 2, 3])
        #expect(rig.red.transport.advertisements.map(\.changeID) == [1, 2])
        // Each taken LUN is served through the partner path to the disk of the same WWN.
        for lun: UInt16 in [2, 3] {
            let entry = try #require(rig.red.uma.table.entry(lun: lun))
            #expect(entry.takenOver)
            #expect(entry.identity.worldWideName == partner.luns.first { $0.lun == lun }!.worldWideName)
            #expect(Int(entry.device) >= rig.red.rta.primaryDeviceCount)
        }
        rig.red.transport.connect(client: 0x99)
        rig.red.transport.connect(client: 0x55, luns: [2])
        #expect(rig.red.transport.accepted.map(\.luns) == [[0, 1, 3], [2]])
        rig.blue.transport.connect(client: 0x55)
        #expect(rig.blue.transport.rejected == [.notReady])
    }

    @Test("giveback: release on the taker, then reclaim on the returning side; its writes succeed again")
    func giveback() throws {
        let rig = UMAClusterRig(bays: 2)
        rig.boot()
        rig.red.uma.serveOwnShelf()
        rig.red.uma.fencePartner { _ in }
        rig.simulator.run()
        rig.blue.uma.stopServing()
        rig.red.uma.takeOverPartner(configuration: try ClusterUnitConfiguration(decoding: rig.blue.uma.clusterConfiguration))
        rig.red.uma.bringPartnerOnline()
        rig.red.transport.connect(client: 0x55, luns: [0])
        rig.red.transport.connect(client: 0x56, luns: [2])
        var heldByPartner: Bool?
        rig.blue.uma.checkOwnShelf { heldByPartner = $0 }
        rig.simulator.run()
        #expect(heldByPartner == true)

        var released: Bool?
        rig.red.uma.releasePartner { released = $0 }
        // The connection to LUN 2 is closed at once, the one to LUN 0 kept; LUNs 2, 3 no longer advertised.
        #expect(rig.red.transport.closed == [rig.red.transport.accepted[1].connection])
        #expect(rig.red.transport.advertisedLUNs == [0, 1])
        rig.simulator.run()
        #expect(released == true)
        #expect(rig.red.uma.table.luns == [0, 1])
        #expect(rig.red.uma.partnerShelf == .none)

        rig.blue.uma.checkOwnShelf { heldByPartner = $0 }
        rig.simulator.run()
        #expect(heldByPartner == false)
        var reclaimed: Bool?
        rig.blue.uma.reclaimOwnShelf { reclaimed = $0 }
        rig.simulator.run()
        #expect(reclaimed == true)
        #expect(rig.blue.uma.ownShelf == .serving)
        #expect(rig.blue.transport.advertisedLUNs == [2, 3])
        #expect(BorrowedDriver.write(rig.blue.primaryDrivers[0], rig, tag: 1) == .good)
        #expect(BorrowedDriver.write(rig.red.partnerDrivers[0], rig, tag: 2) == .reservationConflict)
    }

    @Test("reclaim without a release (the taker died): the returning side preempts the partner's key and reserves")
    func reclaimPreempts() {
        let rig = UMAClusterRig(bays: 2)
        rig.boot()
        rig.red.uma.fencePartner { _ in }
        rig.simulator.run()
        rig.blue.uma.stopServing()
        var reclaimed: Bool?
        rig.blue.uma.reclaimOwnShelf { reclaimed = $0 }
        rig.simulator.run()
        #expect(reclaimed == true)
        #expect(BorrowedDriver.write(rig.blue.primaryDrivers[1], rig, tag: 1) == .good)
        #expect(BorrowedDriver.write(rig.red.partnerDrivers[1], rig, tag: 2) == .reservationConflict)
    }

    @Test("ATA disks report their WWN (IDENTIFY words 108–111): the fence wins through them; a WWN of 0 maps nothing")
    func ataWorldWideName() {
        let rig = UMAClusterRig(bays: 1, ata: true)
        rig.boot()
        #expect(rig.red.uma.table.entries.allSatisfy { $0.identity.worldWideName != 0 })
        var outcome: FenceOutcome?
        rig.red.uma.fencePartner { outcome = $0 }
        rig.simulator.run()
        #expect(outcome == .won)
        #expect(rig.red.uma.takeOverPartner(configuration: ClusterUnitConfiguration(
            luns: [.init(lun: 1, worldWideName: 0, blockLength: 512, blockCount: 8)])).unmapped == [1])
    }

    @Test("without cluster mode the UMA advertises at once from lunBase and reserves nothing (partner paths set aside)")
    func lone() {
        let rig = UMAClusterRig(bays: 2, cluster: false)
        rig.boot()
        #expect(rig.red.transport.advertisedLUNs == [0, 1])
        #expect(rig.blue.transport.advertisedLUNs == [2, 3])
        #expect(rig.red.uma.statistics.reservationsSent == 0)
        #expect(rig.red.uma.ownShelf == .serving)
        #expect(BorrowedDriver.write(rig.blue.partnerDrivers[0], rig, tag: 1) == .good)
    }
}
