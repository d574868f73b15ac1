import Agents
import Hardware
import Testing

/// Boot orders and the giveback round trip. d = the link's one-way delay, a = the actions
/// double's answer delay, W = the boot wait.
@Suite("FailoverMonitor boot and giveback")
struct FailoverMonitorBootTests {
    @Test("One node boots alone: checks its shelf at W, serves at W + 2a; the other boots later and serves on the hello", arguments: [0, 1])
    func bootsAlone(first: Int) {
        let pair = MonitorPair()
        let second = 1 - first
        pair.start(first)
        let wait = pair.configuration.bootPartnerWait
        let laterAt = Instant.zero + wait + .seconds(1)
        pair.run(until: laterAt)
        let early = pair.actions[first]
        #expect(early.callNames == [.checkOwnShelf, .serveOwnShelf])
        #expect(early.calls[0].at == Instant.zero + wait)
        #expect(pair.recorders[first].reports == [.servingOwnShelf(at: Instant.zero + wait + pair.answerDelay + pair.answerDelay)])
        #expect(pair.monitors[first].state == .normal)

        pair.start(second)
        pair.connectAll()
        pair.run(until: laterAt + .seconds(1))
        // The latecomer sees the early one's hello (state normal) at link up + transit: it serves at once.
        #expect(pair.actions[second].callNames == [.serveOwnShelf])
        #expect(pair.actions[second].calls[0].at == laterAt + pair.linkDelay + pair.linkDelay)
        #expect(early.callNames == [.checkOwnShelf, .serveOwnShelf])
        for side in 0..<2 {
            #expect(pair.monitors[side].state == .normal)
            #expect(pair.monitors[side].partnerConfiguration == pair.actions[1 - side].localConfiguration)
        }
    }

    @Test("Both boot at the same instant, the interconnect connects later: both serve at connect + 2d, no shelf check")
    func bothBootTogether() {
        let pair = MonitorPair()
        pair.start(0); pair.start(1)
        let connectAt = Instant.zero + .milliseconds(100)
        pair.run(until: connectAt)
        pair.connectAll()
        pair.run(until: connectAt + .seconds(2))
        for side in 0..<2 {
            #expect(pair.actions[side].callNames == [.serveOwnShelf])
            #expect(pair.actions[side].calls[0].at == connectAt + pair.linkDelay + pair.linkDelay)
            #expect(pair.monitors[side].state == .normal)
        }
    }

    @Test("Own shelf held by an unreachable partner: check k at k × W + (k − 1) × a, never serve")
    func heldShelfKeepsWaiting() {
        let pair = MonitorPair()
        pair.actions[0].ownShelfHeldByPartner = true
        pair.start(0)
        let wait = pair.configuration.bootPartnerWait
        let horizon = Instant.zero + wait * 3 + .milliseconds(500)
        pair.run(until: horizon)
        let checks = pair.actions[0].calls
        #expect(checks.count == 3)
        for (index, check) in checks.enumerated() {
            let k = Int64(index + 1)
            #expect(check.call == .checkOwnShelf)
            #expect(check.at == Instant.zero + wait * k + pair.answerDelay * (k - 1))
        }
        #expect(pair.monitors[0].state == .booting)
    }

    @Test("Giveback round trip: Red reboots, asks, Blue releases at U + 2d + a, Red serves at U + 3d + 2a, Blue done at U + 4d + 2a")
    func givebackRoundTrip() {
        let pair = MonitorPair()
        pair.start(0); pair.start(1); pair.connectAll()
        pair.run(until: Instant.zero + .seconds(1) + .milliseconds(13))
        pair.crash(0)
        let rebootAt = Instant.zero + .seconds(2)
        pair.run(until: rebootAt)
        #expect(pair.monitors[1].state == .takenOver)
        pair.reboot(0)
        let connectAt = rebootAt + .milliseconds(300)  // less than the boot wait: no shelf check
        pair.run(until: connectAt)
        #expect(pair.monitors[0].state == .booting)
        pair.connectAll()
        pair.run(until: connectAt + .seconds(2))

        let d = pair.linkDelay
        let a = pair.answerDelay
        let up = connectAt + d
        let red = pair.actions[0]
        let blue = pair.actions[1]
        #expect(red.callNames == [.reclaimOwnShelf])
        #expect(red.calls[0].at == up + d + d + d + a)
        #expect(blue.callNames.last == .releasePartnerShelf)
        #expect(blue.calls.last?.at == up + d + d)
        #expect(pair.recorders[0].reports.contains(.givebackCompleted(at: up + d * 3 + a * 2, role: .reclaimed)))
        #expect(pair.recorders[1].reports.last == .givebackCompleted(at: up + d * 4 + a * 2, role: .released))
        #expect(pair.monitors[0].state == .normal && pair.monitors[1].state == .normal)
        #expect(red.servesOwnShelf && !red.servesPartnerShelf)
        #expect(blue.servesOwnShelf && !blue.servesPartnerShelf)
        #expect(pair.monitors[0].statistics.givebacks == 1)
        // Heartbeats flow again; nobody declared anybody failed since.
        #expect(pair.monitors[1].partnerFailedAt == nil)
        #expect(pair.monitors[1].statistics.partnerDeclaredFailed == 1)
        #expect(pair.monitors[0].statistics.partnerDeclaredFailed == 0)
        #expect(pair.monitors[1].statistics.partnerIncarnations == 1)
        print("giveback: link up \(up), Red serves its shelf again at \(up + d * 3 + a * 2)")
    }

    @Test("Partner reboots while this node is fencing it: it waits, then asks for its shelf back once the takeover is done")
    func rebootDuringFence() {
        let pair = MonitorPair()
        pair.start(0); pair.start(1); pair.connectAll()
        let crashAt = Instant.zero + .seconds(1) + .milliseconds(13)
        pair.run(until: crashAt)
        pair.crash(0)
        let interval = pair.configuration.heartbeatInterval
        let failedAt = Instant.zero + interval * (crashAt.picoseconds / interval.picoseconds) + pair.linkDelay
            + pair.configuration.failureTimeout
        pair.run(until: failedAt + .milliseconds(1))
        #expect(pair.monitors[1].state == .fencing)
        pair.reboot(0)
        pair.connectAll()
        pair.run(until: failedAt + .milliseconds(2))
        // Red heard Blue's hello (state fencing): it serves nothing and waits.
        #expect(pair.monitors[0].state == .booting)
        #expect(pair.actions[0].calls.isEmpty)
        pair.run(until: failedAt + .seconds(1))
        #expect(pair.actions[1].callNames == [.serveOwnShelf, .fencePartner, .takeOver(pair.actions[0].localConfiguration), .releasePartnerShelf])
        #expect(pair.actions[0].callNames == [.reclaimOwnShelf])
        // Red asked on Blue's first heartbeat after the takeover: Blue's next tick after failedAt + 2a.
        let takenOverAt = failedAt + pair.answerDelay * 2
        let nextTick = Instant.zero + interval * (takenOverAt.picoseconds / interval.picoseconds + 1)
        #expect(pair.actions[1].calls[3].at == nextTick + pair.linkDelay * 2)
        #expect(pair.monitors[0].state == .normal && pair.monitors[1].state == .normal)
    }

    @Test("Answers given from inside the action calls: crash, takeover, reboot and giveback still complete")
    func inlineAnswers() {
        let pair = MonitorPair(answerDelay: .zero)
        pair.start(0); pair.start(1); pair.connectAll()
        pair.run(until: Instant.zero + .seconds(1))
        pair.crash(0)
        pair.run(until: Instant.zero + .seconds(2))
        #expect(pair.monitors[1].state == .takenOver)
        pair.reboot(0)
        pair.connectAll()
        pair.run(until: Instant.zero + .seconds(3))
        #expect(pair.monitors[0].state == .normal && pair.monitors[1].state == .normal)
        #expect(pair.actions[0].callNames == [.reclaimOwnShelf])
        #expect(pair.actions[1].callNames == [.serveOwnShelf, .fencePartner, .takeOver(pair.actions[0].localConfiguration), .releasePartnerShelf])
    }
}
