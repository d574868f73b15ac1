import Foundation
import Reports

/// The report of a real-mode cluster run (`run --backend real CLUSTER.json`): each system's
/// status (what its process last wrote: slam connect, heartbeats, the takeover timeline) and
/// the clients' results, with the figures on CLOCK_MONOTONIC, shared by the processes:
/// slam-connect time per system, the failover time (the kill → the survivor serving the
/// partner's LUNs), the clients' failover, lost acknowledged writes.
public struct RealClusterReport: RealReportDocument {
    public struct SystemOutcome {
        public var name: String
        public var ending: String
        public var status: JSONValue?

        public init(name: String, ending: String, status: JSONValue?) {
            self.name = name
            self.ending = ending
            self.status = status
        }

        func time(_ key: String) -> UInt64? { status?[key]?.unsignedValue }
        func count(_ key: String) -> Int? { status?[key]?.doubleValue.map { Int($0) } }
        /// Seconds from the slam connect's start (the partner's endpoint read) to Connected.
        public var slamConnectSeconds: Double? { status?["slamConnectSeconds"]?.doubleValue }
        public var connected: Bool { time("slamConnected") != nil }
    }

    public var topology: RealTopology
    public var deviceOptions: [String]
    /// When the clients started and when the kill was sent (CLOCK_MONOTONIC ns).
    public var clientsStarted: UInt64
    public var killedAt: UInt64?
    public var systems: [SystemOutcome]
    public var clients: [RealRunReport.ClientOutcome]

    public init(topology: RealTopology, deviceOptions: [String], clientsStarted: UInt64, killedAt: UInt64?, systems: [SystemOutcome],
                clients: [RealRunReport.ClientOutcome]) {
        self.topology = topology
        self.deviceOptions = deviceOptions
        self.clientsStarted = clientsStarted
        self.killedAt = killedAt
        self.systems = systems
        self.clients = clients
    }

    var killed: String? { topology.cluster?.kill?.system }
    /// The system that should take over (the partner of the one killed).
    var survivor: SystemOutcome? { killed.flatMap { name in systems.first { $0.name != name } } }

    static func seconds(_ from: UInt64?, _ to: UInt64?) -> Double? {
        guard let from, let to else { return nil }
        return (Double(to) - Double(from)) / 1e9
    }

    /// From the kill to the survivor's partner-declared-failed (missed heartbeats).
    public var detectionSeconds: Double? { Self.seconds(killedAt, survivor?.time("partnerFailed")) }
    /// From the kill to the survivor serving the killed system's LUNs (fenced, drained, replayed).
    public var failoverSeconds: Double? { Self.seconds(killedAt, survivor?.time("takeoverCompleted")) }
    /// From the kill to the clients' first good response after reconnecting (the longest).
    public var clientFailoverSeconds: Double? {
        let times = clients.compactMap { client in
            client.result?["failovers"]?.arrayValue?.last?["firstGoodResponse"]?.unsignedValue
        }
        return times.max().flatMap { Self.seconds(killedAt, $0) }
    }
    public var lostAcknowledgedWrites: Int {
        clients.reduce(0) { $0 + Int($1.result?["lostAcknowledgedWrites"]?.doubleValue ?? 0) }
    }

    /// Both systems reached Connected; the clients passed (every read verified, no lost write);
    /// with a kill, the survivor completed its takeover and exited cleanly.
    public var passed: Bool {
        guard systems.allSatisfy(\.connected), !clients.isEmpty, clients.allSatisfy(\.passed) else { return false }
        guard killed != nil else { return systems.allSatisfy { $0.ending == "exited with status 0" } }
        return killedAt != nil && failoverSeconds != nil && survivor?.ending == "exited with status 0"
    }

    public var json: JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }
        return .object([
            ("name", .string(topology.name)),
            ("file", .string(topology.file)),
            ("backend", .string("real")),
            ("verdict", .string(passed ? "pass" : "fail")),
            ("deviceOptions", .array(deviceOptions.map(JSONValue.string))),
            ("clientsStarted", .unsigned(clientsStarted)),
            ("killed", killed.map(JSONValue.string) ?? .null),
            ("killedAt", killedAt.map { .unsigned($0) } ?? .null),
            ("figures", .object([
                ("slamConnectSeconds", .object(systems.map { ($0.name, number($0.slamConnectSeconds)) })),
                ("detectionSeconds", number(detectionSeconds)),
                ("failoverSeconds", number(failoverSeconds)),
                ("clientFailoverSeconds", number(clientFailoverSeconds)),
                ("lostAcknowledgedWrites", .integer(Int64(lostAcknowledgedWrites))),
                ("heartbeatsSent", .object(systems.map { ($0.name, $0.count("heartbeatsSent").map { .integer(Int64($0)) } ?? .null) })),
                ("heartbeatsReceived", .object(systems.map { ($0.name, $0.count("heartbeatsReceived").map { .integer(Int64($0)) } ?? .null) })),
            ])),
            ("systems", .array(systems.map { system in
                .object([("name", .string(system.name)), ("process", .string(system.ending)), ("status", system.status ?? .null)])
            })),
            ("clients", .array(clients.map { client in
                .object([
                    ("name", .string(client.name)), ("process", .string(client.ending)),
                    ("result", client.result ?? .null), ("passed", .bool(client.passed)),
                ])
            })),
        ])
    }

    /// The figures, a few lines (the run prints them).
    public var figuresText: String {
        func s(_ value: Double?) -> String { value.map { Format.duration(seconds: $0) } ?? "-" }
        var lines: [String] = []
        for system in systems {
            lines.append("\(system.name): slam connect \(s(system.slamConnectSeconds)) (\(system.count("slamAttemptsToConnect") ?? 0) attempt(s)), heartbeats \(system.count("heartbeatsSent") ?? 0) sent / \(system.count("heartbeatsReceived") ?? 0) received, process \(system.ending)")
        }
        if let killed {
            lines.append("\(killed) killed: detected after \(s(detectionSeconds)), \(survivor?.name ?? "?") serving its LUNs after \(s(failoverSeconds)), clients' first good response after \(s(clientFailoverSeconds)); lost acknowledged writes: \(lostAcknowledgedWrites)")
        }
        return lines.joined(separator: "\n")
    }

    /// The survivor's journal from the kill on, with times from the kill.
    var takeoverTimeline: [(seconds: Double, text: String)] {
        guard let killedAt, let entries = survivor?.status?["journal"]?.arrayValue else { return [] }
        return entries.compactMap { entry in
            guard let time = entry["time"]?.unsignedValue, time >= killedAt, let text = entry["text"]?.stringValue else { return nil }
            return ((Double(time) - Double(killedAt)) / 1e9, text)
        }
    }

    public var markdown: String {
        func s(_ value: Double?) -> String { value.map { Format.duration(seconds: $0) } ?? "-" }
        var out = "# \(topology.name) on real devices (HA cluster): \(passed ? "PASS" : "FAIL")\n\n"
        if !topology.description.isEmpty { out += topology.description + "\n\n" }
        out += "- file: `\(topology.file)`\n"
        if let cluster = topology.cluster {
            out += "- heartbeats every \(s(cluster.heartbeatInterval.seconds)), failed after \(cluster.missedHeartbeats) missed; NVRAM \(cluster.nvramBytes >> 10) KiB per system in \(cluster.nvramFolder) (a shared mapping: it survives SIGKILL)\n"
        }
        out += "\n## Systems\n\n| system | process | slam connect | attempts | heartbeats sent | received | takeovers | log records replayed | LUNs served |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for system in systems {
            func c(_ key: String) -> String { system.count(key).map(String.init) ?? "-" }
            out += "| \(system.name) | \(system.ending) | \(s(system.slamConnectSeconds)) | \(c("slamAttemptsToConnect")) | \(c("heartbeatsSent")) | \(c("heartbeatsReceived")) | \(c("takeovers")) | \(c("replayedRecords")) | \(c("lunsServed")) |\n"
        }
        if let killed {
            out += "\n## Takeover of \(killed)\n\n"
            out += "- detected (missed heartbeats) \(s(detectionSeconds)) after the SIGKILL\n"
            out += "- failover (kill → \(survivor?.name ?? "?") serving \(killed)'s LUNs): **\(s(failoverSeconds))**\n"
            out += "- clients' first good response after the kill: \(s(clientFailoverSeconds))\n"
            out += "- lost acknowledged writes: **\(lostAcknowledgedWrites)**\n\n"
            out += "| after the kill | \(survivor?.name ?? "survivor") |\n|---:|---|\n"
            for entry in takeoverTimeline { out += "| \(s(entry.seconds)) | \(entry.text) |\n" }
        }
        out += "\n## Clients\n\n| client | verdict | reads | writes | verified reads | IOPS | errors | timeouts | lost writes | violations | failovers |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for client in clients {
            let r = client.result
            func int(_ key: String) -> String { r?[key]?.doubleValue.map { String(Int64($0)) } ?? "-" }
            out += "| \(client.name) | \(client.passed ? "PASS" : "FAIL") | \(int("reads")) | \(int("writes")) | \(int("verifiedReads")) | \(r?["iops"]?.doubleValue.map { Format.fixed($0, 0) } ?? "-") | \(int("errors")) | \(int("timeouts")) | \(int("lostAcknowledgedWrites")) | \(int("integrityViolations")) | \(r?["failovers"]?.arrayValue?.count ?? 0) |\n"
        }
        let problems = clients.compactMap { client in client.result?["problem"]?.stringValue.map { "- \(client.name): \($0)" } }
            + clients.filter { $0.result == nil }.map { "- \($0.name): wrote no result (\($0.ending))" }
            + systems.flatMap { system in (system.status?["problems"]?.arrayValue ?? []).compactMap { $0.stringValue.map { "- \(system.name): \($0)" } } }
            + systems.filter { $0.status == nil }.map { "- \($0.name): wrote no status (\($0.ending))" }
        if !problems.isEmpty { out += "\n## Problems\n\n" + problems.joined(separator: "\n") + "\n" }
        return out
    }
}
