import Agents
import Reports

/// What one real-mode client did: its load, totals, the oracle's findings and latency
/// histograms. The client process writes it as JSON (``json``); `run --backend real` reads the
/// clients' files back into its report (``RealRunReport``).
public struct RealClientResult: Sendable {
    public var name: String
    public var port: String
    public var luns: Int
    public var blockSize: Int
    public var queueDepth: Int
    public var readPercent: Int
    public var pattern: String
    public var verify: Bool
    /// From the load's start to its last completion.
    public var seconds: Double
    public var totals: DiskLoadTotals
    public var readLatency: LatencyHistogram
    public var writeLatency: LatencyHistogram
    public var bytesZeroed: Int64
    public var zeroSeconds: Double
    /// Why it did not run its load to the end, if it did not.
    public var problem: String?
    /// A cluster client's failovers (CLOCK_MONOTONIC nanoseconds, ``RealClock``).
    public var failovers: [Failover] = []

    /// One reconnection after a lost connection.
    public struct Failover: Sendable {
        public var lostAtMonotonic: UInt64
        public var reconnectedAtMonotonic: UInt64?
        public var firstGoodResponseAtMonotonic: UInt64?
        public var attempts: Int
        public var requestsReissued: Int
        /// The address that serves now: 0 the primary, 1 the partner.
        public var servedBy: Int?

        var json: JSONValue {
            .object([
                ("lost", .unsigned(lostAtMonotonic)),
                ("reconnected", reconnectedAtMonotonic.map { .unsigned($0) } ?? .null),
                ("firstGoodResponse", firstGoodResponseAtMonotonic.map { .unsigned($0) } ?? .null),
                ("attempts", .integer(Int64(attempts))),
                ("requestsReissued", .integer(Int64(requestsReissued))),
                ("servedBy", servedBy.map { .integer(Int64($0)) } ?? .null),
            ])
        }
    }

    /// Reads the oracle checked (every byte of each, against the last acknowledged write).
    public var verifiedReads: Int { verify ? totals.reads : 0 }

    /// The load ran, did I/O, and nothing failed: no error, timeout or unusable LUN, and the
    /// oracle found no lost write and no corruption — every byte read was verified.
    public var passed: Bool {
        problem == nil && verify && totals.reads + totals.writes > 0 && totals.errors == 0 && totals.timeouts == 0
            && totals.unusableDevices == 0 && totals.lostAcknowledgedWrites == 0 && totals.integrityViolations == 0
    }

    /// Decimal megabytes per second (10^6 bytes, as fio prints MB/s; perftest's MB/sec are MiB/s:
    /// see ``PerftestReference``).
    public var readMBps: Double { seconds > 0 ? Double(totals.bytesRead) / seconds / 1e6 : 0 }
    public var writeMBps: Double { seconds > 0 ? Double(totals.bytesWritten) / seconds / 1e6 : 0 }
    public var iops: Double { seconds > 0 ? Double(totals.reads + totals.writes) / seconds : 0 }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(name)),
            ("port", .string(port)),
            ("luns", .integer(Int64(luns))),
            ("load", .object([
                ("blockSize", .integer(Int64(blockSize))), ("queueDepth", .integer(Int64(queueDepth))),
                ("readPercent", .integer(Int64(readPercent))), ("pattern", .string(pattern)), ("verify", .bool(verify)),
            ])),
            ("seconds", .number(seconds)),
            ("reads", .integer(Int64(totals.reads))),
            ("writes", .integer(Int64(totals.writes))),
            ("bytesRead", .integer(totals.bytesRead)),
            ("bytesWritten", .integer(totals.bytesWritten)),
            ("readMBps", .number(readMBps)),
            ("writeMBps", .number(writeMBps)),
            ("iops", .number(iops)),
            ("verifiedReads", .integer(Int64(verifiedReads))),
            ("errors", .integer(Int64(totals.errors))),
            ("timeouts", .integer(Int64(totals.timeouts))),
            ("refused", .integer(Int64(totals.refused))),
            ("lostAcknowledgedWrites", .integer(Int64(totals.lostAcknowledgedWrites))),
            ("integrityViolations", .integer(Int64(totals.integrityViolations))),
            ("unusableLUNs", .integer(Int64(totals.unusableDevices))),
            ("zeroed", .object([("bytes", .integer(bytesZeroed)), ("seconds", .number(zeroSeconds))])),
            ("readLatency", readLatency.jsonValue),
            ("writeLatency", writeLatency.jsonValue),
            ("passed", .bool(passed)),
        ]
        if let problem { members.append(("problem", .string(problem))) }
        if !failovers.isEmpty { members.append(("failovers", .array(failovers.map(\.json)))) }
        return .object(members)
    }

    /// The summary the client prints, e.g. `c0: PASS — 1234 reads, 1200 writes (every read
    /// verified), 3.2 MB/s read, 3.1 MB/s write, read p50 1.2ms p99 4ms …`.
    public var summary: String {
        var line = "\(name): \(passed ? "PASS" : "FAIL")"
        if let problem { line += " — \(problem)" }
        line += " — \(totals.reads) reads, \(totals.writes) writes on \(luns) LUN\(luns == 1 ? "" : "s") in \(Format.fixed(seconds, 2)) s"
        line += verify ? " (\(verifiedReads) reads verified, every byte)" : " (not verified)"
        line += "; \(Format.fixed(readMBps, 2)) MB/s read, \(Format.fixed(writeMBps, 2)) MB/s write, \(Format.fixed(iops, 0)) IOPS"
        for (label, histogram) in [("read", readLatency), ("write", writeLatency)] where histogram.count > 0 {
            line += "; \(label) p50 \(Format.duration(seconds: histogram.percentile(50).seconds)) p99 \(Format.duration(seconds: histogram.percentile(99).seconds))"
        }
        let bad = [("errors", totals.errors), ("timeouts", totals.timeouts), ("refused", totals.refused),
                   ("lost acknowledged writes", totals.lostAcknowledgedWrites),
                   ("integrity violations", totals.integrityViolations), ("unusable LUNs", totals.unusableDevices)]
            .filter { $0.1 > 0 }
        if !bad.isEmpty { line += "; " + bad.map { "\($0.1) \($0.0)" }.joined(separator: ", ") }
        for failover in failovers {
            let reconnected = failover.firstGoodResponseAtMonotonic.map { Format.duration(seconds: Double($0 - min($0, failover.lostAtMonotonic)) / 1e9) } ?? "not yet"
            line += "; failed over to \(failover.servedBy == 1 ? "the partner" : failover.servedBy == 0 ? "the primary" : "nothing") (lost → first good response \(reconnected), \(failover.requestsReissued) requests re-issued)"
        }
        return line
    }
}
