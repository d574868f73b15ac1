import Agents
import Reports
import Timebase

/// Collects what one workload's I/Os did: latency histograms, throughput and latency over
/// time, and (optionally) a span per I/O for the trace.
final class WorkloadRecorder: DiskLoadObserver {
    let name: String
    /// Names of the devices, by the generator's index: the trace's tracks.
    var deviceNames: [String]
    var readLatency = LatencyHistogram()
    var writeLatency = LatencyHistogram()
    var throughput: TimeSeries
    var iops: TimeSeries
    var latencyOverTime: TimeSeries
    /// I/O spans for the trace: (device, read?, submitted, latency, outcome).
    private(set) var spans: [DiskIORecord] = []
    /// The most spans kept for the trace, so a long run's trace stays loadable.
    let spanLimit: Int
    private(set) var droppedSpans = 0

    init(name: String, deviceNames: [String], interval: TimeSpan, spanLimit: Int) {
        self.name = name
        self.deviceNames = deviceNames
        self.spanLimit = spanLimit
        throughput = TimeSeries(kind: .rate, unit: "B", interval: interval)
        iops = TimeSeries(kind: .rate, unit: "I/O", interval: interval)
        latencyOverTime = TimeSeries(kind: .mean, unit: "s", interval: interval)
    }

    func diskIOCompleted(_ record: DiskIORecord) {
        let completed = record.submitted + record.latency
        if record.outcome == .success {
            if record.isRead { readLatency.record(record.latency) } else { writeLatency.record(record.latency) }
            throughput.add(Double(record.bytes), at: completed)
            iops.add(1, at: completed)
            latencyOverTime.add(record.latency.seconds, at: completed)
        }
        if spans.count < spanLimit { spans.append(record) } else { droppedSpans += 1 }
    }
}
