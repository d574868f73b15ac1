import Foundation
import Reports

/// The report of `iofabric run --backend real`: the target's process and each client's
/// result (read back from the JSON the client wrote), as `report.json` (sorted keys) and
/// `report.md`, in the style of simulated runs. Real runs carry wall-clock figures: unlike a
/// simulated report, no two are byte-identical.
public struct RealRunReport: RealReportDocument {
    /// One client process: how it ended and what it wrote (nil when it wrote nothing).
    public struct ClientOutcome {
        public var name: String
        public var ending: String
        public var result: JSONValue?

        public init(name: String, ending: String, result: JSONValue?) {
            self.name = name
            self.ending = ending
            self.result = result
        }

        public var passed: Bool { ending == "exited with status 0" && result?["passed"] == .bool(true) }
    }

    public var topology: RealTopology
    /// The device options the processes were given, e.g. `--ib-dev rxe0`.
    public var deviceOptions: [String]
    public var targetEnding: String
    /// The target's summary line (its last line on standard output), if any.
    public var targetSummary: String?
    public var clients: [ClientOutcome]
    /// perftest's figures on the same device in the same boot, when given
    /// (`--ib-write-bw`, `--ib-read-bw`): the report then compares each client with them.
    public var reference: PerftestReference?

    public init(
        topology: RealTopology, deviceOptions: [String], targetEnding: String, targetSummary: String?, clients: [ClientOutcome],
        reference: PerftestReference? = nil
    ) {
        self.reference = reference?.isEmpty == true ? nil : reference
        self.topology = topology
        self.deviceOptions = deviceOptions
        self.targetEnding = targetEnding
        self.targetSummary = targetSummary
        self.clients = clients
    }

    public var passed: Bool { !clients.isEmpty && clients.allSatisfy(\.passed) }

    public var json: JSONValue {
        .object([
            ("name", .string(topology.name)),
            ("file", .string(topology.file)),
            ("backend", .string("real")),
            ("verdict", .string(passed ? "pass" : "fail")),
            ("deviceOptions", .array(deviceOptions.map(JSONValue.string))),
            ("target", .object([
                ("name", .string(topology.target.name)),
                ("luns", .array(topology.target.luns.map(JSONValue.string))),
                ("rtas", .integer(Int64(topology.target.rtas))),
                ("process", .string(targetEnding)),
                ("summary", targetSummary.map(JSONValue.string) ?? .null),
            ])),
            ("clients", .array(clients.map { client in
                .object([
                    ("name", .string(client.name)), ("process", .string(client.ending)),
                    ("result", client.result ?? .null), ("passed", .bool(client.passed)),
                ])
            })),
            ("perftest", perftestJSON),
        ])
    }

    public var markdown: String {
        var out = "# \(topology.name) on real devices: \(passed ? "PASS" : "FAIL")\n\n"
        if !topology.description.isEmpty { out += topology.description + "\n\n" }
        out += "- file: `\(topology.file)`\n"
        out += "- target `\(topology.target.name)`: \(topology.target.luns.joined(separator: ", ")) through \(topology.target.rtas) RTA(s); process \(targetEnding)\n"
        if let targetSummary { out += "- \(targetSummary)\n" }
        if let port = clients.compactMap({ $0.result?["port"]?.stringValue }).first { out += "- RDMA port: \(port)\n" }
        out += "\n## Clients\n\n"
        out += "| client | verdict | reads | writes | verified reads | read MB/s | write MB/s | IOPS | errors | timeouts | lost writes | violations |\n"
        out += "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for client in clients {
            let r = client.result
            func int(_ key: String) -> String { r?[key]?.doubleValue.map { String(Int64($0)) } ?? "-" }
            func num(_ key: String) -> String { r?[key]?.doubleValue.map { Format.fixed($0, 2) } ?? "-" }
            out += "| \(client.name) | \(client.passed ? "PASS" : "FAIL") | \(int("reads")) | \(int("writes")) | \(int("verifiedReads")) | \(num("readMBps")) | \(num("writeMBps")) | \(num("iops")) | \(int("errors")) | \(int("timeouts")) | \(int("lostAcknowledgedWrites")) | \(int("integrityViolations")) |\n"
        }
        out += "\n## Latency\n\n| client | op | count | " + LatencyHistogram.reportedPercentiles.map(\.label).joined(separator: " | ") + " | max |\n"
        out += "|---|---|---:|" + String(repeating: "---:|", count: LatencyHistogram.reportedPercentiles.count + 1) + "\n"
        for client in clients {
            for op in ["read", "write"] {
                guard let histogram = client.result?[op + "Latency"], let count = histogram["count"]?.doubleValue, count > 0 else { continue }
                let labels = LatencyHistogram.reportedPercentiles.map(\.label) + ["max"]
                let cells = labels.map { label in
                    histogram["percentiles"]?[label]?.doubleValue.map { Format.duration(seconds: $0 / 1e9) } ?? "-"
                }
                out += "| \(client.name) | \(op) | \(Int64(count)) | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        out += perftestMarkdown
        let problems = clients.compactMap { client in client.result?["problem"]?.stringValue.map { "- \(client.name): \($0)" } }
            + clients.filter { $0.result == nil }.map { "- \($0.name): wrote no result (\($0.ending))" }
        if !problems.isEmpty { out += "\n## Problems\n\n" + problems.joined(separator: "\n") + "\n" }
        return out
    }
}

/// A real-mode run's report, written as `report.json` (the CI artefact) and `report.md`.
public protocol RealReportDocument {
    var json: JSONValue { get }
    var markdown: String { get }
}

extension RealReportDocument {
    /// Writes `report.json` and `report.md` into `directory`; returns their paths.
    public func write(to directory: String) throws(RealModeError) -> [String] {
        let json = directory + "/report.json", markdown = directory + "/report.md"
        try RealBootstrap.write(self.json.rendered(pretty: true) + "\n", to: json)
        try RealBootstrap.write(self.markdown, to: markdown)
        return [json, markdown]
    }
}
