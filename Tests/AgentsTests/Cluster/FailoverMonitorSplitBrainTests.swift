import Agents
import Hardware
import Testing

/// Both interconnects cut with both nodes alive: both declare the other failed at the same
/// instant and fence; the fence lets exactly one win, the loser stops serving at once and stays
/// out until it reboots, then gets its shelf back by giveback.
@Suite("FailoverMonitor split brain")
struct FailoverMonitorSplitBrainTests {
    @Test("Partition: both fence at last heard + missed × interval, exactly one wins, the loser serves nothing")
    func partition() throws {
        let pair = MonitorPair(interconnects: 2)
        pair.start(0); pair.start(1); pair.connectAll()
        let cutAt = Instant.zero + .seconds(1) + .milliseconds(13)
        pair.run(until: cutAt)
        for link in pair.links { link.cut() }
        pair.run(until: cutAt + .seconds(1))

        let interval = pair.configuration.heartbeatInterval
        let lastHeard = Instant.zero + interval * (cutAt.picoseconds / interval.picoseconds) + pair.linkDelay
        let failedAt = lastHeard + pair.configuration.failureTimeout
        #expect(pair.arbiter.fences.count == 2)
        #expect(pair.arbiter.fences.filter(\.won).count == 1)
        let winner = try #require(pair.monitors.firstIndex { $0.state == .takenOver })
        let loser = 1 - winner
        #expect(pair.monitors[loser].state == .fencedOut)
        for side in 0..<2 {
            #expect(pair.actions[side].calls[1] == (.fencePartner, failedAt) as (FailoverActionsDouble.Call, Instant))
        }
        #expect(pair.actions[winner].callNames == [.serveOwnShelf, .fencePartner, .takeOver(pair.actions[loser].localConfiguration)])
        #expect(pair.actions[loser].callNames == [.serveOwnShelf, .fencePartner, .stopServing])
        #expect(!pair.actions[loser].servesOwnShelf && !pair.actions[loser].servesPartnerShelf)
        #expect(pair.actions[winner].servesOwnShelf && pair.actions[winner].servesPartnerShelf)
        // The loser stopped (at its fence answer) before the winner serves its shelf (takeover answer).
        let stoppedAt = try #require(pair.actions[loser].calls.last?.at)
        #expect(stoppedAt == failedAt + pair.answerDelay)
        #expect(pair.recorders[winner].reports.last == .takeoverCompleted(at: failedAt + pair.answerDelay * 2, partnerFailedAt: failedAt))
        #expect(stoppedAt < failedAt + pair.answerDelay * 2)
        #expect(pair.recorders[loser].reports.last == .fencedOut(at: stoppedAt))

        // The interconnects come back: the loser stays out and silent; the winner keeps both shelves.
        let loserSent = pair.monitors[loser].statistics.interconnects.map(\.messagesSent)
        pair.connectAll()
        pair.run(until: cutAt + .seconds(2))
        #expect(pair.monitors[loser].statistics.interconnects.map(\.messagesSent) == loserSent)
        #expect(pair.monitors[loser].statistics.ignoredMessages > 0)
        #expect(pair.monitors[winner].state == .takenOver)

        // The loser reboots: giveback, both normal.
        pair.crash(loser)
        pair.reboot(loser)
        pair.run(until: cutAt + .seconds(2) + .milliseconds(100))
        pair.connectAll()
        pair.run(until: cutAt + .seconds(3))
        #expect(pair.monitors[loser].state == .normal && pair.monitors[winner].state == .normal)
        #expect(pair.actions[loser].callNames == [.reclaimOwnShelf])
        #expect(pair.actions[winner].callNames.last == .releasePartnerShelf)
    }
}
