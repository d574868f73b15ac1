import Reports

/// perftest's bandwidth on the same device, measured in the same boot just before the run: the
/// reference the data path through the agents is held to (issue #8: at least 90 %).
///
/// Figures in MiB/s (2²⁰ bytes per second), as perftest prints them ("BW average[MB/sec]";
/// `ib_write_bw --help`: "MiB/sec ... MiB=2^20 byte").
public struct PerftestReference: Hashable, Sendable {
    /// `ib_write_bw`: what the target's RDMA WRITEs of read data are compared with.
    public var writeMiBps: Double?
    /// `ib_read_bw`: what the target's RDMA READs of written data are compared with.
    public var readMiBps: Double?

    public init(writeMiBps: Double? = nil, readMiBps: Double? = nil) {
        self.writeMiBps = writeMiBps
        self.readMiBps = readMiBps
    }

    public var isEmpty: Bool { writeMiBps == nil && readMiBps == nil }
}

/// One direction of one client against its perftest reference.
public struct BandwidthRatio: Hashable, Sendable {
    /// The client's name.
    public var client: String
    /// `reads` (the target RDMA-WRITEs the data: against `ib_write_bw`) or `writes` (the target
    /// RDMA-READs it: against `ib_read_bw`).
    public var direction: String
    /// The client's payload through the agents, MiB/s: bytes ÷ the load's seconds ÷ 2²⁰.
    public var agentsMiBps: Double
    /// `ib_write_bw` or `ib_read_bw`.
    public var reference: String
    public var referenceMiBps: Double
    /// What served it: the LUNs, and whether they are disks or memory.
    public var lunKind: String

    /// agentsMiBps ÷ referenceMiBps.
    public var ratio: Double { referenceMiBps > 0 ? agentsMiBps / referenceMiBps : 0 }

    /// Whether it meets the issue's 90 %.
    public var meetsTarget: Bool { ratio >= BandwidthRatio.target }

    /// Issue #8's "at least 90 % of perftest's `ib_write_bw`/`ib_read_bw`".
    public static let target = 0.9

    /// E.g. `read: reads 38.21 MiB/s through the agents vs ib_write_bw 41.40 MiB/s = 92.3 % (disk path: /dev/sg0)`.
    public var line: String {
        "\(client): \(direction) \(Format.fixed(agentsMiBps, 2)) MiB/s through the agents vs \(reference) \(Format.fixed(referenceMiBps, 2)) MiB/s = \(Format.fixed(ratio * 100, 1)) % (\(lunKind))"
    }

    public var json: JSONValue {
        .object([
            ("client", .string(client)), ("direction", .string(direction)), ("agentsMiBps", .number(agentsMiBps)),
            ("reference", .string(reference)), ("referenceMiBps", .number(referenceMiBps)), ("ratio", .number(ratio)),
            ("lunKind", .string(lunKind)), ("meetsTarget", .bool(meetsTarget)),
        ])
    }
}

extension RealRunReport {
    /// What serves the topology's LUNs, e.g. `disk path: /dev/sg0` or `memory LUN, no disk: ram:64MiB`.
    public var lunKind: String {
        let luns = topology.target.luns
        let memory = luns.filter { RealTarget.memoryDiskCapacity($0) != nil }
        let kind =
            memory.isEmpty ? "disk path" : memory.count == luns.count ? "memory LUN, no disk" : "disks and memory LUNs"
        return "\(kind): \(luns.joined(separator: ", "))"
    }

    /// Each client's reads against `ib_write_bw` and writes against `ib_read_bw`, where the
    /// reference gives the figure and the client moved bytes that way.
    public var bandwidthRatios: [BandwidthRatio] {
        guard let reference else { return [] }
        var ratios: [BandwidthRatio] = []
        for client in clients {
            guard let result = client.result, let seconds = result["seconds"]?.doubleValue, seconds > 0 else { continue }
            let directions: [(String, String, String, Double?)] = [
                ("reads", "bytesRead", "ib_write_bw", reference.writeMiBps),
                ("writes", "bytesWritten", "ib_read_bw", reference.readMiBps),
            ]
            for (direction, key, name, figure) in directions {
                guard let figure, let bytes = result[key]?.doubleValue, bytes > 0 else { continue }
                ratios.append(BandwidthRatio(
                    client: client.name, direction: direction, agentsMiBps: bytes / seconds / 1_048_576, reference: name,
                    referenceMiBps: figure, lunKind: lunKind))
            }
        }
        return ratios
    }

    /// The report's section on the ratios (empty without a reference).
    var perftestMarkdown: String {
        guard let reference else { return "" }
        var out = "\n## Data path against perftest\n\n"
        out += "perftest on the same device in the same boot: "
        out += [("ib_write_bw", reference.writeMiBps), ("ib_read_bw", reference.readMiBps)].map { name, figure in
            "`\(name)` " + (figure.map { Format.fixed($0, 2) + " MiB/s" } ?? "not given")
        }.joined(separator: ", ")
        out += ". Served by the \(lunKind). Issue #8 asks for at least \(Format.fixed(BandwidthRatio.target * 100, 0)) %.\n\n"
        out += "| client | direction | through the agents MiB/s | perftest | perftest MiB/s | ratio |\n|---|---|---:|---|---:|---:|\n"
        for ratio in bandwidthRatios {
            out += "| \(ratio.client) | \(ratio.direction) | \(Format.fixed(ratio.agentsMiBps, 2)) | `\(ratio.reference)` | \(Format.fixed(ratio.referenceMiBps, 2)) | \(Format.fixed(ratio.ratio * 100, 1)) % |\n"
        }
        return out
    }

    var perftestJSON: JSONValue {
        guard let reference else { return .null }
        return .object([
            ("ib_write_bw", reference.writeMiBps.map(JSONValue.number) ?? .null),
            ("ib_read_bw", reference.readMiBps.map(JSONValue.number) ?? .null),
            ("unit", .string("MiB/s")),
            ("lunKind", .string(lunKind)),
            ("ratios", .array(bandwidthRatios.map(\.json))),
        ])
    }
}
