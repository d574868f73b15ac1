import Agents
import Reports
import Timebase

/// The metrics of ``MetricCatalog`` computed from what a run's workloads recorded.
struct RunMetrics {
    /// Every metric by key: `"readIOPS"` for the whole run, `"<workload>.readIOPS"` per workload.
    private(set) var values: [String: MetricValue] = [:]

    /// Sets a run-wide count (the storage targets' counters).
    mutating func setCount(_ key: String, _ count: Int) {
        values[key] = .integer(Int64(count))
    }

    /// Sets a run-wide duration (seconds, as latencies are).
    mutating func setDuration(_ key: String, _ span: TimeSpan) {
        values[key] = .number(span.seconds)
    }

    /// Adds one workload's metrics under its name, and folds them into the run's totals.
    mutating func addDiskWorkload(
        _ name: String, totals: DiskLoadTotals, recorder: WorkloadRecorder, activeSeconds: Double
    ) {
        for (key, value) in Self.diskMetrics(totals: totals, reads: recorder.readLatency, writes: recorder.writeLatency, activeSeconds: activeSeconds) {
            values[name + "." + key] = value
        }
    }

    /// The run's totals: counts summed, rates summed (workloads run side by side), latencies
    /// from the merged histograms.
    mutating func addTotals(diskTotals: [DiskLoadTotals], recorders: [WorkloadRecorder], activeSeconds: [Double]) {
        var reads = LatencyHistogram()
        var writes = LatencyHistogram()
        for recorder in recorders {
            reads.merge(recorder.readLatency)
            writes.merge(recorder.writeLatency)
        }
        var sum = DiskLoadTotals()
        var perSecond: [String: Double] = [:]
        for (index, totals) in diskTotals.enumerated() {
            sum.reads += totals.reads
            sum.writes += totals.writes
            sum.bytesRead += totals.bytesRead
            sum.bytesWritten += totals.bytesWritten
            sum.errors += totals.errors
            sum.timeouts += totals.timeouts
            sum.lostAcknowledgedWrites += totals.lostAcknowledgedWrites
            sum.integrityViolations += totals.integrityViolations
            let seconds = activeSeconds[index]
            guard seconds > 0 else { continue }
            perSecond["readIOPS", default: 0] += Double(totals.reads) / seconds
            perSecond["writeIOPS", default: 0] += Double(totals.writes) / seconds
            perSecond["readMBps", default: 0] += Double(totals.bytesRead) / seconds / 1e6
            perSecond["writeMBps", default: 0] += Double(totals.bytesWritten) / seconds / 1e6
        }
        for (key, value) in Self.diskMetrics(totals: sum, reads: reads, writes: writes, activeSeconds: 0) {
            values[key] = value
        }
        for key in ["readIOPS", "writeIOPS", "readMBps", "writeMBps"] {
            values[key] = .number(perSecond[key] ?? 0)
        }
        values["iops"] = .number((perSecond["readIOPS"] ?? 0) + (perSecond["writeIOPS"] ?? 0))
    }

    private static func diskMetrics(
        totals: DiskLoadTotals, reads: LatencyHistogram, writes: LatencyHistogram, activeSeconds: Double
    ) -> [(String, MetricValue)] {
        var metrics: [(String, MetricValue)] = [
            ("reads", .integer(Int64(totals.reads))),
            ("writes", .integer(Int64(totals.writes))),
            ("errors", .integer(Int64(totals.errors))),
            ("timeouts", .integer(Int64(totals.timeouts))),
            ("lostAcknowledgedWrites", .integer(Int64(totals.lostAcknowledgedWrites))),
            ("integrityViolations", .integer(Int64(totals.integrityViolations))),
        ]
        if activeSeconds > 0 {
            metrics += [
                ("readIOPS", .number(Double(totals.reads) / activeSeconds)),
                ("writeIOPS", .number(Double(totals.writes) / activeSeconds)),
                ("iops", .number(Double(totals.reads + totals.writes) / activeSeconds)),
                ("readMBps", .number(Double(totals.bytesRead) / activeSeconds / 1e6)),
                ("writeMBps", .number(Double(totals.bytesWritten) / activeSeconds / 1e6)),
            ]
        }
        for (kind, histogram) in [("Read", reads), ("Write", writes)] where histogram.count > 0 {
            metrics += [
                ("mean\(kind)Latency", .number(histogram.mean.seconds)),
                ("p50\(kind)Latency", .number(histogram.percentile(50).seconds)),
                ("p90\(kind)Latency", .number(histogram.percentile(90).seconds)),
                ("p99\(kind)Latency", .number(histogram.percentile(99).seconds)),
                ("p999\(kind)Latency", .number(histogram.percentile(99.9).seconds)),
                ("max\(kind)Latency", .number(histogram.max.seconds)),
            ]
        }
        return metrics
    }

    /// Checks `expectation` against the metrics. A metric the run did not produce (a latency
    /// with no I/O of that kind) fails the expectation and says so.
    func evaluate(_ expectation: Expectation) -> ExpectationResult {
        guard let value = values[expectation.key] else {
            return ExpectationResult(text: expectation.text, passed: false, measured: "not measured (no such I/O in this run)")
        }
        let measured = value.doubleValue
        let unit = MetricCatalog.metric(named: expectation.metric)?.unit
        let text = unit == .duration ? Format.duration(seconds: measured) : value.formatted
        return ExpectationResult(text: expectation.text, passed: expectation.comparison.holds(measured, expectation.bound), measured: text)
    }
}
