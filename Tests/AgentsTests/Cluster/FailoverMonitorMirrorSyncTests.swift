import Agents
import Hardware
import Testing

/// No takeover from an unsynchronised mirror: a failed partner whose last word said its NVRAM
/// log is not in sync in this node's mirror half (a resync under way, or never done) is not
/// taken over; the survivor keeps what it serves and waits for the partner to boot. Red is
/// side 0, Blue side 1; d is the link delay, a the actions' answer delay.
@Suite("FailoverMonitor mirror sync")
struct FailoverMonitorMirrorSyncTests {
    static let red = 0
    static let blue = 1

    /// When the partner is declared failed after a crash at `crashAt` with heartbeats every
    /// interval from 0: last tick ≤ crashAt, + d (its transit), + the failure timeout.
    static func failedAt(_ pair: MonitorPair, crashAt: Instant) -> Instant {
        let interval = pair.configuration.heartbeatInterval
        return Instant.zero + interval * (crashAt.picoseconds / interval.picoseconds) + pair.linkDelay
            + pair.configuration.failureTimeout
    }

    @Test("The guarded edge: only moves into fencing need the partner's log in sync, and every takeover goes through fencing")
    func guardedEdge() {
        #expect(FailoverMonitorState.allCases.filter(\.requiresPartnerLogInSync) == [.fencing])
        #expect(FailoverMonitorState.allCases.filter { $0.successors.contains(.takingOver) } == [.fencing])
        // A refusal has somewhere to go from each state that can declare the partner failed.
        #expect(FailoverMonitorState.normal.successors.contains(.partnerFailed))
        #expect(FailoverMonitorState.waitingForGiveback.successors.contains(.booting))
        #expect(TakeoverSkipReason.partnerLogNotMirrored.isRefusal && !TakeoverSkipReason.noPartnerConfiguration.isRefusal)
        #expect("\(TakeoverSkipReason.partnerLogNotMirrored)" == "partner's NVRAM log not mirrored (resync incomplete)")
    }

    @Test("The partner's flag is kept from its newest message; a sync announcement reaches the partner after d, not at the next heartbeat")
    func flagTracked() {
        let pair = MonitorPair()
        pair.actions[Self.red].localMirrorInSync = false
        pair.start(Self.red); pair.start(Self.blue); pair.connectAll()
        let syncAt = Instant.zero + .milliseconds(120)  // between the ticks at 100 and 150 ms
        pair.run(until: syncAt)
        #expect(!pair.monitors[Self.blue].partnerMirrorInSync)
        #expect(pair.monitors[Self.red].partnerMirrorInSync)  // Blue's double: in sync from its first message
        pair.actions[Self.red].localMirrorInSync = true
        pair.monitors[Self.red].localMirrorSyncChanged()
        pair.run(until: syncAt + .milliseconds(1))
        #expect(pair.monitors[Self.blue].partnerMirrorInSync)
        #expect(pair.monitors[Self.red].statistics.syncAnnouncements == 1)
        #expect(pair.recorders[Self.blue].reports.filter { if case .partnerMirror = $0 { true } else { false } }
            == [.partnerMirror(inSync: true, at: syncAt + pair.linkDelay)])
        // And back: Red's next heartbeat (tick at 150 ms) after it goes alone says not in sync.
        pair.actions[Self.red].localMirrorInSync = false
        let tick = Instant.zero + .milliseconds(150) + pair.linkDelay
        pair.run(until: tick)
        #expect(!pair.monitors[Self.blue].partnerMirrorInSync)
        #expect(pair.recorders[Self.blue].reports.last == .partnerMirror(inSync: false, at: tick))
    }

    @Test("Partner fails never in sync: declared failed at the usual instant, refused, own shelf kept; it reboots and serves its own, the survivor back to normal")
    func refusedFromNormal() {
        let pair = MonitorPair()
        pair.actions[Self.red].localMirrorInSync = false
        pair.start(Self.red); pair.start(Self.blue); pair.connectAll()
        let crashAt = Instant.zero + .seconds(1) + .milliseconds(13)
        pair.run(until: crashAt)
        pair.crash(Self.red)
        let failedAt = Self.failedAt(pair, crashAt: crashAt)
        pair.run(until: failedAt + .milliseconds(100))
        let blue = pair.monitors[Self.blue]
        #expect(blue.state == .partnerFailed)
        #expect(pair.actions[Self.blue].callNames == [.serveOwnShelf])
        #expect(pair.actions[Self.blue].servesOwnShelf && !pair.actions[Self.blue].servesPartnerShelf)
        #expect(blue.statistics.takeoversRefused == 1 && blue.statistics.takeoversSkipped == 1 && blue.statistics.takeovers == 0)
        #expect(pair.recorders[Self.blue].reports.suffix(2) == [
            .partnerFailed(at: failedAt, lastHeard: failedAt - pair.configuration.failureTimeout),
            .takeoverSkipped(at: failedAt, reason: .partnerLogNotMirrored),
        ])
        // Red boots: nobody holds its shelf, so it serves it (its coordinator replays its own
        // battery-backed log first); Blue hears it and is normal again.
        pair.reboot(Self.red)
        pair.connectAll()
        pair.run(until: failedAt + .seconds(1))
        #expect(pair.actions[Self.red].callNames == [.serveOwnShelf])
        #expect(blue.state == .normal && pair.monitors[Self.red].state == .normal)
        #expect(pair.actions[Self.blue].callNames == [.serveOwnShelf])
    }

    @Test("Double failure: the holder crashes during its resync (refused: the waiting node keeps waiting) or after it (both shelves taken)",
          arguments: [false, true])
    func doubleFailure(syncedBeforeCrash: Bool) {
        let pair = MonitorPair()
        pair.start(Self.red); pair.start(Self.blue); pair.connectAll()
        pair.run(until: Instant.zero + .seconds(1) + .milliseconds(13))
        pair.crash(Self.red)
        let rebootAt = Instant.zero + .seconds(2)
        pair.run(until: rebootAt)
        #expect(pair.monitors[Self.blue].state == .takenOver)
        pair.actions[Self.blue].localMirrorInSync = false  // alone since the fence: acknowledged locally
        pair.reboot(Self.red)
        pair.actions[Self.red].ownShelfHeldByPartner = true  // Blue's reservation survives its crash
        pair.arbiter.register("red")  // its UMA registers its key again at boot (so a fence of its own can win)
        let connectAt = rebootAt + .milliseconds(300)
        pair.run(until: connectAt)
        pair.connectAll()
        let d = pair.linkDelay
        let up = connectAt + d
        // Red heard Blue's hello (holding Red's shelf, log not in sync): waits for the giveback.
        pair.run(until: up + d + .microseconds(1))
        #expect(pair.monitors[Self.red].state == .waitingForGiveback)
        var lastHeard = up + d
        if syncedBeforeCrash {
            pair.actions[Self.blue].localMirrorInSync = true
            pair.monitors[Self.blue].localMirrorSyncChanged()
            lastHeard = pair.now + d
        }
        // Blue got the giveback request at up + 2d and answers at + a: it dies before.
        let crashAt = up + d * 2 + TimeSpan(picoseconds: pair.answerDelay.picoseconds / 2)
        pair.run(until: crashAt)
        pair.crash(Self.blue)
        let failedAt = lastHeard + pair.configuration.failureTimeout
        pair.run(until: failedAt + pair.configuration.bootPartnerWait * 2 + .milliseconds(100))
        let red = pair.monitors[Self.red]
        #expect(red.partnerMirrorInSync == syncedBeforeCrash)
        #expect(pair.recorders[Self.red].reports.contains(.partnerFailed(at: failedAt, lastHeard: lastHeard)))
        if syncedBeforeCrash {
            #expect(pair.actions[Self.red].callNames == [.fencePartner, .takeOver(pair.actions[Self.blue].localConfiguration)])
            #expect(red.state == .takenOver && red.takingOverBothShelves)
        } else {
            #expect(pair.recorders[Self.red].reports.contains(.takeoverSkipped(at: failedAt, reason: .partnerLogNotMirrored)))
            #expect(red.statistics.takeoversRefused == 1)
            // Back to booting: the own shelf checked every boot wait, held, so never served.
            let calls = pair.actions[Self.red].callNames
            #expect(calls == [.checkOwnShelf, .checkOwnShelf])
            #expect(pair.actions[Self.red].calls[0].at == failedAt + pair.configuration.bootPartnerWait)
            #expect(red.state == .booting && !red.takingOverBothShelves)
        }
    }
}

/// The mirror's side: when the partner's copy is in sync.
@Suite("NVRAM mirror sync")
struct NVRAMMirrorSyncTests {
    static let recordBytes = NVRAMLogFormat.recordSize(dataLength: 4096)

    @Test("Not in sync at boot; in sync when the first re-send (header only) lands, t0 + writeTime(header); a switch keeps it")
    func freshBoot() {
        let pair = MirrorPair()
        var announced: [Instant] = []
        pair.red.onSynchronized = { announced.append(pair.simulator.now) }
        #expect(!pair.red.isInSync)
        let zero = pair.connect(interconnect: 0)
        let connected = pair.simulator.now
        #expect(!pair.red.isInSync)
        pair.run(for: .milliseconds(1))
        #expect(pair.red.isInSync)
        #expect(announced == [connected + zero.writeTime(NVRAMLogFormat.headerLength)])
        // Another interconnect: durability was held meanwhile, the copy is in the same NVRAM.
        pair.connect(interconnect: 1)
        zero.fail()
        #expect(pair.red.isInSync)
        pair.run(for: .milliseconds(1))
        #expect(announced.count == 1 && pair.red.statistics.resyncsCompleted == 2)
    }

    @Test("Alone: not in sync; the partner back, in sync only when the whole live log landed, t0 + writeTime(header) + writeTime(n × record)")
    func aloneThenResync() {
        let pair = MirrorPair()
        var announced: [Instant] = []
        pair.red.onSynchronized = { announced.append(pair.simulator.now) }
        let first = pair.connect(interconnect: 0)
        pair.run(for: .milliseconds(1))
        first.fail()
        pair.red.partnerFenced()
        #expect(!pair.red.isInSync)
        let n = 6
        for index in 0..<n {
            _ = pair.red.append(lun: 1, lba: UInt64(index) * 8, blocks: 8, data: testPayload(UInt64(index), bytes: 4096))
        }
        pair.run(for: .milliseconds(1))
        #expect(pair.recorder.durable.count == n)  // acknowledged from the local log alone
        let again = pair.connect(interconnect: 0)
        let reconnected = pair.simulator.now
        pair.run(for: .microseconds(1))
        #expect(!pair.red.isInSync)  // the re-send is under way: a takeover now would lose the n records
        pair.run(for: .milliseconds(1))
        #expect(pair.red.isInSync)
        #expect(announced.last == reconnected + again.writeTime(NVRAMLogFormat.headerLength) + again.writeTime(n * Self.recordBytes))
        #expect(pair.blueCopy.count == n)
    }
}

/// The giveback's side: the taker releases the partner's shelf only once its own log is in sync
/// in the returning partner's mirror.
@Suite("FailoverMonitor giveback after resync")
struct FailoverMonitorGivebackSyncTests {
    @Test("A giveback request while the taker's log is not in sync waits; the sync announcement starts the release at once")
    func givebackWaitsForSync() {
        let pair = MonitorPair()
        pair.start(0); pair.start(1); pair.connectAll()
        pair.run(until: Instant.zero + .seconds(1) + .milliseconds(13))
        pair.crash(0)
        let rebootAt = Instant.zero + .seconds(2)
        pair.run(until: rebootAt)
        pair.actions[1].localMirrorInSync = false  // alone since the fence
        pair.reboot(0)
        pair.run(until: rebootAt + .milliseconds(300))
        pair.connectAll()
        let syncAt = pair.now + .milliseconds(10)  // Blue's re-send ends: long after Red's request (up + 2d)
        pair.run(until: syncAt)
        #expect(pair.monitors[1].state == .takenOver)
        #expect(pair.actions[1].callNames.last != .releasePartnerShelf)
        #expect(pair.monitors[1].statistics.givebacksDeferred == 1)  // Red's repeated requests count once
        pair.actions[1].localMirrorInSync = true
        pair.monitors[1].localMirrorSyncChanged()
        #expect(pair.actions[1].calls.last?.call == .releasePartnerShelf && pair.actions[1].calls.last?.at == syncAt)
        pair.run(until: syncAt + .seconds(1))
        #expect(pair.monitors[0].state == .normal && pair.monitors[1].state == .normal)
        #expect(pair.actions[0].callNames == [.reclaimOwnShelf])
    }
}
