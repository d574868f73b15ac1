import Agents
import Foundation
import Reports
import Timebase

/// What a real-mode cluster system saw, with CLOCK_MONOTONIC times (``RealClock``): the slam
/// connect's edges, the failover monitor's reports, notes. Rewritten to the system's status
/// file on every entry, so it survives the process's SIGKILL up to its last entry.
public struct RealClusterJournal: Sendable {
    public struct Entry: Sendable {
        public var time: UInt64
        /// `slam`, `monitor` or `note`.
        public var kind: String
        public var text: String
    }

    /// When the system began its boot (``RealClusterSystem/start(partnerTimeout:)``).
    public var started: UInt64?
    /// When the slam connect began (the partner's endpoint read).
    public var slamStarted: UInt64?
    /// The first Connected.
    public var slamConnected: UInt64?
    /// Slam-connect attempts (from Initial) up to the first Connected.
    public var slamAttemptsToConnect: Int?
    public var servingOwnShelf: UInt64?
    public var partnerFailed: UInt64?
    public var takeoverCompleted: UInt64?
    public var entries: [Entry] = []

    mutating func note(_ text: String, kind: String = "note") {
        entries.append(Entry(time: RealClock.monotonicNanoseconds(), kind: kind, text: text))
    }

    /// Seconds from `start` to `end`, if both are known.
    static func seconds(_ start: UInt64?, _ end: UInt64?) -> Double? {
        guard let start, let end, end >= start else { return nil }
        return Double(end - start) / 1e9
    }
}

extension RealClusterSystem: FailoverMonitorObserver, ClusterConnectionManagerObserver {
    /// Prints `text` with the time since boot and records it.
    private func log(_ text: String, kind: String) {
        journal.note(text, kind: kind)
        let since = RealClusterJournal.seconds(journal.started, journal.entries.last!.time) ?? 0
        print("\(system.name) +\(Format.fixed(since, 3)) s: \(text)")
        fflush(nil)
        writeStatus()
    }

    public func slamConnectTransition(_ transition: SlamConnectTransition, interconnect: Int, at time: Instant, manager: ClusterConnectionManager) {
        // Every edge until the first Connected; then only changes to Connected or Error (a retry
        // loop against a dead partner repeats them every retry delay).
        if journal.slamConnected == nil {
            if transition.to == .connected {
                journal.slamConnected = RealClock.monotonicNanoseconds()
                journal.slamAttemptsToConnect = manager.statistics.slamAttempts
            }
            log("slam connect: \(transition)", kind: "slam")
            return
        }
        guard transition.to == .connected || transition.to == .error else { return }
        if lastSlamLogged == transition.to { return }
        lastSlamLogged = transition.to
        let reason = transition.to == .error ? " (\(manager.lastError(ofInterconnect: interconnect) ?? "?"))" : ""
        log("slam connect: \(transition.to)\(reason)", kind: "slam")
    }

    public func clusterConnectionsReady(interconnect: Int, connections: Int, at time: Instant, manager: ClusterConnectionManager) {
        log("cluster connections ready: \(connections) (failover monitor, NVRAM mirror)", kind: "slam")
    }

    public func failoverMonitor(_ monitor: FailoverMonitor, reported report: FailoverReport) {
        switch report {
        case .interconnectUp(_, _, let up): log("interconnect up (\(up) up): heartbeats every \(Quantity.text(cluster.heartbeatInterval))", kind: "monitor")
        case .interconnectDown(_, _, let up): log("interconnect down (\(up) still up)", kind: "monitor")
        case .servingOwnShelf:
            journal.servingOwnShelf = RealClock.monotonicNanoseconds()
            log("serving its own shelf", kind: "monitor")
            publishTarget()
        case .partnerFailed(let at, let lastHeard):
            journal.partnerFailed = RealClock.monotonicNanoseconds()
            log("partner declared failed (last heard \(Quantity.text(at - lastHeard)) before; \(monitor.statistics.missedHeartbeats) missed heartbeats counted)", kind: "monitor")
        case .takeoverSkipped(_, let reason): log("takeover \(reason.isRefusal ? "refused" : "skipped"): \(reason)", kind: "monitor")
        case .partnerMirror(let inSync, _): log(inSync ? "partner's NVRAM log in sync here" : "partner's NVRAM log no longer in sync here", kind: "monitor")
        case .partnerRecovered: log("partner heard again", kind: "monitor")
        case .takeoverCompleted:
            journal.takeoverCompleted = RealClock.monotonicNanoseconds()
            log("took over \(partner.name): fenced (PERSISTENT RESERVE OUT PREEMPT AND ABORT — plain PREEMPT on a tcm_loop LUN —, drain, reserve), \(node.replayedRecords) mirrored log records replayed, its LUNs \(uma.table.takenOverLUNs) serve here", kind: "monitor")
        case .fencedOut: log("fenced out by its partner: stopped serving", kind: "monitor")
        case .givebackCompleted(_, let role): log(role == .reclaimed ? "giveback: serving its own shelf again" : "giveback: released the partner's shelf", kind: "monitor")
        }
        if monitor.state == .fencing { journal.note("fencing \(partner.name)", kind: "monitor") }
    }

    /// The status as JSON: the journal, the figures, the counters.
    public var status: JSONValue {
        let heartbeats = node.monitor.statistics.interconnect(0)
        func time(_ value: UInt64?) -> JSONValue { value.map { .unsigned($0) } ?? .null }
        func seconds(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }
        let identity: [(String, JSONValue)] = [
            ("system", .string(system.name)),
            ("processID", .integer(Int64(getpid()))),
            ("port", .string(portLabel)),
            ("localSlamEndpoint", localEndpoint.map { .string($0.description) } ?? .null),
            ("partnerSlamEndpoint", partnerEndpoint.map { .string($0.description) } ?? .null),
            ("mailboxWorldWideName", .string("0x" + String(mailboxWorldWideName, radix: 16))),
            ("nvram", .string(nvram.path)),
        ]
        let times: [(String, JSONValue)] = [
            ("started", time(journal.started)),
            ("slamStarted", time(journal.slamStarted)),
            ("slamConnected", time(journal.slamConnected)),
            ("slamConnectSeconds", seconds(RealClusterJournal.seconds(journal.slamStarted, journal.slamConnected))),
            ("servingOwnShelf", time(journal.servingOwnShelf)),
            ("partnerFailed", time(journal.partnerFailed)),
            ("takeoverCompleted", time(journal.takeoverCompleted)),
        ]
        let counters: [(String, JSONValue)] = [
            ("heartbeatsSent", .integer(Int64(heartbeats.heartbeatsSent))),
            ("heartbeatsReceived", .integer(Int64(heartbeats.heartbeatsReceived))),
            ("missedHeartbeats", .integer(Int64(node.monitor.statistics.missedHeartbeats))),
            ("monitorState", .string("\(node.monitor.state)")),
            ("takeovers", .integer(Int64(node.monitor.statistics.takeovers))),
            ("replayedRecords", .integer(Int64(node.replayedRecords))),
            ("lunsServed", .integer(Int64(uma.table.entries.count))),
            ("lunsTakenOver", .integer(Int64(uma.table.takenOverLUNs.count))),
            ("slamAttempts", .integer(Int64(node.manager.statistics.slamAttempts))),
            ("slamAttemptsToConnect", journal.slamAttemptsToConnect.map { .integer(Int64($0)) } ?? .null),
            ("slamErrors", .integer(Int64(node.manager.statistics.slamErrors))),
            ("problems", .array(node.problems.map(JSONValue.string))),
            ("failure", failure.map(JSONValue.string) ?? .null),
        ]
        let entries: [JSONValue] = journal.entries.map {
            .object([("time", .unsigned($0.time)), ("kind", .string($0.kind)), ("text", .string($0.text))])
        }
        return .object(identity + times + counters + [("journal", .array(entries))])
    }

    /// Writes ``status`` to ``statusPath`` (atomically), if one is set.
    public func writeStatus() {
        guard let statusPath else { return }
        try? RealBootstrap.write(status.rendered(pretty: true) + "\n", to: statusPath)
    }
}
