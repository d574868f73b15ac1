import Agents
import Hardware
import Testing

/// Heartbeats, partner failure and takeover, the loss of one of two interconnects, a partner
/// whose configuration never arrived, malformed messages. Red is side 0, Blue side 1; both start
/// at t = 0 and the links connect at t = 0, so heartbeat k leaves at k × interval.
@Suite("FailoverMonitor heartbeats and takeover")
struct FailoverMonitorTests {
    static let red = 0
    static let blue = 1

    /// The last heartbeat tick at or before `instant` of a monitor started at 0: floor(t / interval) × interval.
    static func lastTick(before instant: Instant, interval: TimeSpan) -> Instant {
        .zero + interval * (instant.picoseconds / interval.picoseconds)
    }

    @Test("Heartbeats flow both ways: floor(T / interval) sent and received per side, none missed")
    func heartbeatsFlow() {
        let pair = MonitorPair()
        pair.start(Self.red); pair.start(Self.blue); pair.connectAll()
        let horizon = Instant.zero + .seconds(1) + .milliseconds(1)
        pair.run(until: horizon)
        let expected = Int(horizon.picoseconds / pair.configuration.heartbeatInterval.picoseconds)  // 20
        for side in 0..<2 {
            let monitor = pair.monitors[side]
            #expect(monitor.state == .normal)
            #expect(monitor.statistics.interconnect(0).heartbeatsSent == expected)
            #expect(monitor.statistics.interconnect(0).heartbeatsReceived == expected)
            #expect(monitor.statistics.missedHeartbeats == 0)
            #expect(monitor.statistics.malformedMessages == 0)
            #expect(monitor.partnerConfiguration == pair.actions[1 - side].localConfiguration)
            #expect(pair.actions[side].callNames == [.serveOwnShelf])
            // Each side serves once the partner's hello (sent when the link came up) arrived:
            // serveOwnShelf is asked at link up (delay) + hello transit (delay).
            #expect(pair.actions[side].calls[0].at == Instant.zero + pair.linkDelay + pair.linkDelay)
        }
    }

    @Test("Partner crash: declared failed at last heartbeat + missed × interval, then fence, takeover, done, in order")
    func partnerCrashTakeover() throws {
        let pair = MonitorPair()
        pair.start(Self.red); pair.start(Self.blue); pair.connectAll()
        let crashAt = Instant.zero + .seconds(1) + .milliseconds(13)
        pair.run(until: crashAt)
        pair.crash(Self.red)
        pair.run(until: crashAt + .seconds(1))

        let interval = pair.configuration.heartbeatInterval
        let lastHeard = Self.lastTick(before: crashAt, interval: interval) + pair.linkDelay
        let failedAt = lastHeard + pair.configuration.failureTimeout
        let blue = pair.actions[Self.blue]
        #expect(blue.callNames == [.serveOwnShelf, .fencePartner, .takeOver(pair.actions[Self.red].localConfiguration)])
        #expect(blue.calls[1].at == failedAt)
        #expect(blue.calls[2].at == failedAt + pair.answerDelay)
        #expect(pair.monitors[Self.blue].state == .takenOver)
        #expect(blue.servesOwnShelf && blue.servesPartnerShelf)
        let reports = pair.recorders[Self.blue].reports
        #expect(reports.contains(.interconnectDown(interconnect: 0, at: crashAt + pair.failureDelay, upCount: 0)))
        #expect(reports.contains(.partnerFailed(at: failedAt, lastHeard: lastHeard)))
        // Takeover time = fence answer + takeover answer after the declaration.
        let doneAt = failedAt + pair.answerDelay + pair.answerDelay
        #expect(reports.last == .takeoverCompleted(at: doneAt, partnerFailedAt: failedAt))
        print("takeover: crash \(crashAt), declared \(failedAt) (\(failedAt - crashAt) after the crash), done \(doneAt)")
        // Missed: Blue's ticks in (lastHeard, failedAt] with nothing since the previous tick, i.e.
        // all but the first: floor(failedAt / interval) − floor(lastHeard / interval) − 1.
        let ticks = { (instant: Instant) in instant.picoseconds / interval.picoseconds }
        #expect(pair.monitors[Self.blue].statistics.missedHeartbeats == Int(ticks(failedAt) - ticks(lastHeard) - 1))
        #expect(pair.monitors[Self.blue].statistics.takeovers == 1)
    }

    @Test("One of two interconnects cut: no takeover; heartbeats continue on the survivor; switch time = RC failure delay")
    func oneInterconnectCut() {
        let failureDelay = TimeSpan.milliseconds(50)
        let pair = MonitorPair(interconnects: 2, failureDelay: failureDelay)
        pair.start(Self.red); pair.start(Self.blue); pair.connectAll()
        let cutAt = Instant.zero + .seconds(1) + .milliseconds(13)
        pair.run(until: cutAt)
        pair.links[1].cut()
        let horizon = Instant.zero + .seconds(3) + .milliseconds(1)
        pair.run(until: horizon)

        let interval = pair.configuration.heartbeatInterval
        let downAt = cutAt + failureDelay
        let ticks = { (instant: Instant) in Int(instant.picoseconds / interval.picoseconds) }
        for side in 0..<2 {
            let monitor = pair.monitors[side]
            #expect(monitor.state == .normal)
            #expect(!pair.actions[side].callNames.contains(.fencePartner))
            #expect(monitor.upInterconnects == [0])
            #expect(pair.recorders[side].reports.contains(.interconnectDown(interconnect: 1, at: downAt, upCount: 1)))
            let survivor = monitor.statistics.interconnect(0)
            let lost = monitor.statistics.interconnect(1)
            #expect(survivor.heartbeatsSent == ticks(horizon))
            #expect(survivor.heartbeatsReceived == ticks(horizon))
            // On the cut one: sent until it was known down, received until the cut; what was sent
            // between the cut and the down failed.
            #expect(lost.heartbeatsSent == ticks(downAt))
            #expect(lost.heartbeatsReceived == ticks(cutAt))
            #expect(lost.sendFailures == ticks(downAt) - ticks(cutAt))
            #expect(monitor.statistics.missedHeartbeats == 0)
        }
        print("interconnect cut at \(cutAt): traffic only on the survivor from \(downAt) (\(downAt - cutAt) after the cut)")
    }

    @Test("A partner whose hello never arrived is declared failed but not taken over; heard again, back to normal")
    func noConfigurationNoTakeover() {
        let pair = MonitorPair()
        let fake = RawPartner(runtime: pair.runtimes[Self.red], interval: pair.configuration.heartbeatInterval)
        pair.links[0].revive(side: Self.red, client: fake)
        pair.start(Self.blue); pair.connectAll()
        let silentFrom = Instant.zero + .milliseconds(520)
        pair.run(until: silentFrom)
        fake.sending = .nothing
        let lastHeard = Self.lastTick(before: silentFrom, interval: fake.interval) + pair.linkDelay
        let failedAt = lastHeard + pair.configuration.failureTimeout
        pair.run(until: failedAt + .milliseconds(100))
        let monitor = pair.monitors[Self.blue]
        #expect(monitor.state == .partnerFailed)
        #expect(pair.actions[Self.blue].callNames == [.serveOwnShelf])
        #expect(monitor.statistics.takeoversSkipped == 1)
        #expect(pair.recorders[Self.blue].reports.suffix(2) == [
            .partnerFailed(at: failedAt, lastHeard: lastHeard),
            .takeoverSkipped(at: failedAt, reason: .noPartnerConfiguration),
        ])
        fake.sending = .heartbeats
        pair.run(until: failedAt + .seconds(1))
        #expect(monitor.state == .normal)
        #expect(pair.recorders[Self.blue].reports.contains { if case .partnerRecovered = $0 { true } else { false } })
    }

    @Test("Malformed messages are counted and dropped, and keep nobody alive")
    func malformedMessages() {
        let pair = MonitorPair()
        let fake = RawPartner(runtime: pair.runtimes[Self.red], interval: pair.configuration.heartbeatInterval)
        pair.links[0].revive(side: Self.red, client: fake)
        pair.start(Self.blue); pair.connectAll()
        fake.sending = .heartbeatsAndGarbage
        let garbageOnlyFrom = Instant.zero + .milliseconds(520)
        pair.run(until: garbageOnlyFrom)
        fake.sending = .garbage
        pair.run(until: garbageOnlyFrom + .seconds(1))
        let monitor = pair.monitors[Self.blue]
        #expect(monitor.statistics.malformedMessages == fake.garbageSent)
        #expect(monitor.statistics.interconnect(0).heartbeatsReceived == fake.heartbeatsSent)
        // Garbage is no heartbeat: the partner is declared failed on time (and not taken over: no hello).
        let lastHeard = Self.lastTick(before: garbageOnlyFrom, interval: fake.interval) + pair.linkDelay
        #expect(pair.recorders[Self.blue].reports.contains(
            .partnerFailed(at: lastHeard + pair.configuration.failureTimeout, lastHeard: lastHeard)))
    }
}

/// A partner that is no failover monitor: on a timer it sends valid heartbeats (state normal,
/// never a hello), or garbage, or both, or nothing.
final class RawPartner: ClusterConnectionClient, TimerHandler {
    enum Sending { case heartbeats, heartbeatsAndGarbage, garbage, nothing }
    let clusterClientName = "failover-monitor"
    let clusterNeeds = ClusterClientNeeds(maxMessageBytes: FailoverMessage.maxEncodedLength, maxOutstanding: 64)
    let runtime: any NodeRuntime
    let interval: TimeSpan
    var sending = Sending.heartbeats
    private(set) var heartbeatsSent = 0
    private(set) var garbageSent = 0
    private var connection: (any ClusterConnection)?
    private var sequence: UInt64 = 0
    private var random: RandomStream

    init(runtime: any NodeRuntime, interval: TimeSpan) {
        self.runtime = runtime
        self.interval = interval
        random = runtime.randomStream(named: "raw-partner")
        runtime.scheduleTimer(after: interval, handler: self, token: 0)
    }

    func timerFired(_ token: UInt64) {
        runtime.scheduleTimer(after: interval, handler: self, token: 0)
        guard let connection else { return }
        if sending == .heartbeats || sending == .heartbeatsAndGarbage {
            sequence += 1
            let message = FailoverMessage(incarnation: 42, sequence: sequence, state: .normal, body: .heartbeat)
            if (try? connection.send(message.encoded(), tag: sequence)) != nil { heartbeatsSent += 1 }
        }
        if sending == .garbage || sending == .heartbeatsAndGarbage {
            // Random bytes, or a heartbeat with its state byte out of range.
            var bytes = FailoverMessage(incarnation: 42, sequence: sequence + 1, state: .normal, body: .heartbeat).encoded()
            if random.chance(1, outOf: 2) {
                bytes[20] = 0xee
            } else {
                bytes = (0..<Int(1 + random.below(40))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                bytes[0] = 0  // never the magic
            }
            if (try? connection.send(bytes, tag: 0)) != nil { garbageSent += 1 }
        }
    }

    func clusterConnectionUp(_ connection: any ClusterConnection) { self.connection = connection }
    func clusterConnectionDown(_ connection: any ClusterConnection) { self.connection = nil }
    func clusterMessageReceived(_ message: [UInt8], on connection: any ClusterConnection) {}
    func clusterOperationCompleted(tag: UInt64, on connection: any ClusterConnection, success: Bool) {}
}
