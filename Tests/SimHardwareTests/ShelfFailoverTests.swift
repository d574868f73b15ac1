import Hardware
import SimCore
import Testing
@testable import SimHardware

@Suite("Disk shelf")
struct ShelfFailoverTests {
    @Test("loop A fails: Red's outstanding commands fail with DID_NO_CONNECT and its submits throw; Blue reads and writes the same disks through loop B")
    func loopAFailover() throws {
        let simulator = Simulator(seed: 3)
        let disks = (0..<4).map {
            StreamingSource(name: "shelf0.bay\($0)", accessTime: .milliseconds(2), bytesPerSecond: 40_000_000, simulator: simulator)
        }
        let rig = ShelfRig(devices: disks, simulator: simulator)
        let redPaths = rig.red.scsiDevices(port: 0)
        let bluePaths = rig.blue.scsiDevices(port: 0)
        #expect(redPaths.map(\.name) == (0..<4).map { "red.hba0.portA.bay\($0)" })
        #expect(bluePaths.map(\.name) == (0..<4).map { "blue.hba0.portB.bay\($0)" })
        let blueRecorder = CompletionRecorder(now: { simulator.now })

        for (tag, path) in redPaths.enumerated() { try rig.recorder.submit(rig.read(65_536, tag: UInt64(tag)), to: path) }
        rig.simulator.run(until: Instant.zero + .milliseconds(1))
        rig.shelf.failLoop(.a)
        rig.simulator.run(until: Instant.zero + .milliseconds(2))
        #expect(rig.recorder.completions.count == 4)
        #expect(rig.recorder.completions.allSatisfy { $0.hostStatus == .noConnect })
        #expect(throws: SCSIGenericError.deviceGone) { try rig.recorder.submit(rig.read(512, tag: 10), to: redPaths[0]) }
        #expect(redPaths.allSatisfy { !$0.isReachable } && bluePaths.allSatisfy { $0.isReachable })

        for (tag, path) in bluePaths.enumerated() {
            try blueRecorder.submit(rig.read(65_536, tag: UInt64(100 + tag)), to: path)
            try blueRecorder.submit(rig.write(65_536, tag: UInt64(200 + tag)), to: path)
        }
        rig.simulator.run()
        #expect(blueRecorder.completions.count == 8 && blueRecorder.completions.allSatisfy { $0.isGood })
        #expect(blueRecorder.completions.filter { $0.tag < 200 }.allSatisfy { $0.dataIn.count == 65_536 })
        #expect(rig.red.statistics.lateAnswersDiscarded == 0, "answers to Red's lost commands never cross the dead loop")
        #expect(rig.shelf.loop(.b).statistics.commandsDelivered == 8)

        rig.shelf.repairLoop(.a)
        rig.simulator.run()
        try rig.recorder.submit(rig.read(4096, tag: 11), to: redPaths[0])
        rig.simulator.run()
        #expect(rig.recorder.completions.last?.isGood == true, "Red's path is back after loop initialisation")
    }

    @Test("bays take loop IDs 0…13: AL_PA 0xEF first; each disk's port A is on loop A and port B on loop B")
    func addressing() {
        let simulator = Simulator(seed: 1)
        let shelf = DiskShelf(name: "shelf0", simulator: simulator)
        let devices = (0..<shelf.bayCount).map { InstantResponder(name: "bay\($0)") }
        for (bay, device) in devices.enumerated() { shelf.install(device, inBay: bay) }
        #expect(shelf.bayCount == 14)
        #expect(shelf.loop(.a).address(of: shelf.loopPort(bay: 0, .a)).rawValue == 0xEF)
        #expect(shelf.loop(.b).address(of: shelf.loopPort(bay: 13, .b)) == ArbitratedLoopPhysicalAddress(loopID: 13))
        #expect(devices.allSatisfy { $0.paths[0] === shelf.loop(.a) && $0.paths[1] === shelf.loop(.b) })
        #expect(ArbitratedLoopPhysicalAddress.table.count == 127 && Set(ArbitratedLoopPhysicalAddress.table).count == 127)
    }

    @Test("same seed ⇒ same trace digest for a mixed run with a loop failure; another workload differs")
    func determinism() throws {
        func run(seed: UInt64, reads: Int) throws -> StableDigest {
            let simulator = Simulator(seed: seed)
            let disks = (0..<3).map {
                StreamingSource(name: "shelf0.bay\($0)", accessTime: .microseconds(300), bytesPerSecond: 40_000_000, simulator: simulator)
            }
            let rig = ShelfRig(devices: disks, simulator: simulator)
            let blue = CompletionRecorder(now: { simulator.now })
            for index in 0..<reads {
                try rig.recorder.submit(rig.read(16_384, tag: UInt64(index)), to: rig.red.scsiDevices(port: 0)[index % 3])
                try blue.submit(rig.write(8192, tag: UInt64(index)), to: rig.blue.scsiDevices(port: 0)[index % 3])
            }
            rig.shelf.loop(.a).scheduleFailure(at: Instant.zero + .milliseconds(1))
            rig.simulator.run()
            return rig.simulator.traceDigest
        }
        let first = try run(seed: 5, reads: 12)
        let again = try run(seed: 5, reads: 12)
        let other = try run(seed: 5, reads: 11)
        #expect(first == again)
        #expect(first != other)
    }
}
