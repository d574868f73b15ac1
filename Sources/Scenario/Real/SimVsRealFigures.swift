import Reports
import Timebase

/// One client's figures, real or simulated, as the sim-vs-real report compares them. Nil
/// where the side has no such figure (no reads at all, a client that wrote no result).
public struct SimVsRealFigures: Sendable, Equatable {
    public var passed: Bool
    public var reads: Int?
    public var writes: Int?
    /// Reads whose every byte the oracle checked.
    public var verifiedReads: Int?
    public var readMBps: Double?
    public var writeMBps: Double?
    public var iops: Double?
    /// Latency percentiles in seconds, keyed `p50`, `p90`, `p99`.
    public var readLatency: [String: Double]
    public var writeLatency: [String: Double]

    /// The percentiles the report compares.
    public static let percentiles: [(label: String, percentile: Double)] = [("p50", 50), ("p90", 90), ("p99", 99)]

    public init(
        passed: Bool, reads: Int?, writes: Int?, verifiedReads: Int?, readMBps: Double?, writeMBps: Double?, iops: Double?,
        readLatency: [String: Double], writeLatency: [String: Double]
    ) {
        self.passed = passed
        self.reads = reads
        self.writes = writes
        self.verifiedReads = verifiedReads
        self.readMBps = readMBps
        self.writeMBps = writeMBps
        self.iops = iops
        self.readLatency = readLatency
        self.writeLatency = writeLatency
    }

    /// A real client's figures from the result JSON it wrote (``RealClientResult/json``;
    /// latencies there are nanoseconds).
    public static func real(_ result: JSONValue?) -> SimVsRealFigures {
        func int(_ key: String) -> Int? { result?[key]?.doubleValue.map { Int($0) } }
        func latency(_ key: String) -> [String: Double] {
            guard let histogram = result?[key], let count = histogram["count"]?.doubleValue, count > 0 else { return [:] }
            var values: [String: Double] = [:]
            for (label, _) in percentiles {
                if let nanoseconds = histogram["percentiles"]?[label]?.doubleValue { values[label] = nanoseconds / 1e9 }
            }
            return values
        }
        return SimVsRealFigures(
            passed: result?["passed"] == .bool(true), reads: int("reads"), writes: int("writes"),
            verifiedReads: int("verifiedReads"), readMBps: result?["readMBps"]?.doubleValue,
            writeMBps: result?["writeMBps"]?.doubleValue, iops: result?["iops"]?.doubleValue,
            readLatency: latency("readLatency"), writeLatency: latency("writeLatency"))
    }

    /// The simulated workload `name`'s figures from a run's report (its metrics
    /// `<name>.readMBps`… and histograms `<name>.read` / `<name>.write`); `verify` says whether
    /// the workload verified its reads (every read is then checked by the oracle).
    public static func simulated(_ report: RunReport, workload name: String, verify: Bool) -> SimVsRealFigures {
        func metric(_ key: String) -> Double? { report.metrics[name + "." + key]?.doubleValue }
        func latency(_ key: String) -> [String: Double] {
            guard let histogram = report.latencies[name + "." + key], histogram.count > 0 else { return [:] }
            var values: [String: Double] = [:]
            for (label, percentile) in percentiles { values[label] = histogram.percentile(percentile).seconds }
            return values
        }
        let reads = metric("reads").map { Int($0) }
        let clean = ["errors", "timeouts", "lostAcknowledgedWrites", "integrityViolations"].allSatisfy { (metric($0) ?? 0) == 0 }
        return SimVsRealFigures(
            passed: report.verdict == .pass && clean && verify, reads: reads, writes: metric("writes").map { Int($0) },
            verifiedReads: verify ? reads : 0, readMBps: metric("readMBps"), writeMBps: metric("writeMBps"),
            iops: metric("iops"), readLatency: latency("read"), writeLatency: latency("write"))
    }
}
