import Hardware
import SimCore
import Testing
@testable import SimHardware

@Suite("FC-AL loop faults")
struct LoopFaultTests {
    @Test("a failed loop loses what is in flight, tells the initiator, carries nothing; repair brings it back after initialisation")
    func failureAndRepair() {
        var rig = LoopRig()
        let source = StreamingSource(name: "bay0", accessTime: .microseconds(100), bytesPerSecond: 40_000_000, simulator: rig.simulator)
        rig.attach(source)
        rig.reader.start(devices: rig.devicePorts, depth: 4)
        rig.simulator.run(until: Instant.zero + .milliseconds(5))
        let before = rig.reader.arrivals.count
        #expect(before > 0)

        rig.loop.fail()
        #expect(!rig.loop.isReachable(rig.devicePorts[0]))
        rig.simulator.run(until: Instant.zero + .milliseconds(20))
        #expect(rig.reader.stateChanges == [false])
        #expect(rig.reader.arrivals.count == before, "nothing crosses a failed loop")
        #expect(rig.loop.statistics.lostMessages > 0)
        rig.reader.issue(to: rig.devicePorts[0])
        #expect(rig.loop.statistics.lostMessages > 0)

        rig.loop.repair()
        let repairStarted = rig.simulator.now
        rig.simulator.run(until: repairStarted + rig.loop.configuration.initialisationTime - .nanoseconds(1))
        #expect(rig.reader.stateChanges == [false], "still initialising")
        rig.simulator.run(until: repairStarted + rig.loop.configuration.initialisationTime)
        #expect(rig.reader.stateChanges == [false, true])
        rig.reader.stopAfter = .zero  // this one read, no re-issue
        rig.reader.issue(to: rig.devicePorts[0])
        rig.simulator.run(until: repairStarted + .milliseconds(10))
        #expect(rig.reader.arrivals.count == before + 1, "traffic crosses the repaired loop")
    }

    @Test("a scheduled failure applies at its time")
    func scheduledFailure() {
        var rig = LoopRig()
        rig.attach(InstantResponder(name: "bay0"))
        rig.loop.scheduleFailure(at: Instant.zero + .milliseconds(1))
        rig.loop.scheduleRepair(at: Instant.zero + .milliseconds(3))
        rig.simulator.run(until: Instant.zero + .microseconds(999))
        #expect(rig.loop.isUp)
        rig.simulator.run(until: Instant.zero + .milliseconds(2))
        #expect(!rig.loop.isUp)
        rig.simulator.run(until: Instant.zero + .milliseconds(3) + rig.loop.configuration.initialisationTime)
        #expect(rig.loop.isUp && rig.reader.stateChanges == [false, true])
    }

    @Test("a command to a bypassed device costs ARB + OPN + R + R and comes back as 'could not open'")
    func bypassedDevice() {
        var rig = LoopRig()
        let device = InstantResponder(name: "bay0")
        rig.attach(device)
        rig.attach(InstantResponder(name: "bay1"))
        rig.loop.bypass(rig.devicePorts[0])
        #expect(!rig.loop.isReachable(rig.devicePorts[0]))
        rig.reader.stopAfter = .zero  // one read at a time, no re-issue
        rig.reader.start(devices: [rig.devicePorts[0]], depth: 1)
        rig.simulator.run()
        #expect(rig.reader.openFailures == 1 && device.received.isEmpty)
        // ARB round the ring of 2 ports (the initiator and bay1), OPN, and the OPN's own trip round.
        let c = rig.loop.configuration
        let roundTrip = 2 * c.portLatencyWords * 4
        #expect(rig.loop.statistics.busyTime == c.wireTime(bytes: roundTrip + 4 + roundTrip))

        rig.loop.restore(rig.devicePorts[0])
        rig.reader.issue(to: rig.devicePorts[0])
        rig.simulator.run()
        #expect(device.received.count == 1 && rig.reader.arrivals.count == 1)
    }

    @Test("a device that is not present is bypassed and its answers are lost")
    func absentDevice() {
        var rig = LoopRig()
        let device = StreamingSource(name: "bay0", accessTime: .milliseconds(1), bytesPerSecond: 40_000_000, simulator: rig.simulator)
        rig.attach(device)
        rig.reader.stopAfter = .zero
        rig.reader.start(devices: rig.devicePorts, depth: 1)
        rig.simulator.run(until: Instant.zero + .microseconds(500))
        device.isPresent = false
        rig.simulator.run()
        #expect(rig.reader.arrivals.isEmpty)
        #expect(!rig.loop.isReachable(rig.devicePorts[0]))
    }
}
