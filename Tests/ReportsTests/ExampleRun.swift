import Foundation
import Reports
import Timebase

/// A synthetic run for the writer tests: 100 ms of reads and writes from a seeded stream,
/// with a loop fault at 40 ms that slows everything until the failover at 60 ms.
enum ExampleRun {
    static let duration = TimeSpan.milliseconds(100)
    static let faultAt = Instant.zero + .milliseconds(40)
    static let failoverAt = Instant.zero + .milliseconds(60)
    static let ioBytes = 4096.0
    static let operations = 4_000
    /// A component name with markup in it, to check that every writer escapes user text.
    static let hostileName = "<script>alert('x')</script> & \"disk\""

    /// Exponential service times (mean 200 µs reads, 350 µs writes) over a 50 µs floor,
    /// five times longer while the loop is failed; arrivals evenly spread over the run.
    static func make(seed: UInt64 = 42) -> (report: RunReport, trace: ChromeTrace) {
        var random = RandomStream(seed: seed, name: "example")
        var report = RunReport(scenario: "example-failover", description: "Synthetic run for the report writers.",
                               seed: seed, simulatedDuration: duration, eventCount: 123_456,
                               traceDigest: "0123456789abcdef")
        var trace = ChromeTrace()
        let interval = TimeSpan.milliseconds(2)
        var histograms = ["read": LatencyHistogram(), "write": LatencyHistogram()]
        var series: [String: TimeSeries] = [
            "read throughput": TimeSeries(kind: .rate, unit: "B", interval: interval),
            "write throughput": TimeSeries(kind: .rate, unit: "B", interval: interval),
            "read latency": TimeSeries(kind: .mean, unit: "ns", interval: interval),
            "write latency": TimeSeries(kind: .mean, unit: "ns", interval: interval),
        ]
        let stages = ["fabric", "CTA", "PCI", "RTA", "disk"]
        let tracks = stages.map { trace.track(process: $0 == "disk" ? "shelf A" : "host node", thread: $0) }
        for index in 0..<operations {
            let operation = index % 3 == 0 ? "write" : "read"
            let start = Instant.zero + TimeSpan(picoseconds: duration.picoseconds * Int64(index) / Int64(operations + 200))
            let degraded = start >= faultAt && start < failoverAt
            let mean = (operation == "read" ? 200e-6 : 350e-6) * (degraded ? 5 : 1)
            let latency = TimeSpan(seconds: 50e-6 - mean * log(random.unitIntervalOpenClosed()))
            let end = start + latency
            histograms[operation]!.record(latency)
            series[operation + " throughput"]!.add(ioBytes, at: end)
            series[operation + " latency"]!.add(latency, at: end)
            if index < 60 {
                var at = start
                for (stage, track) in zip(stages, tracks) {
                    let part = TimeSpan(picoseconds: latency.picoseconds * (stage == "disk" ? 6 : 1) / 10)
                    let span = TimeSpan(picoseconds: part.picoseconds)
                    trace.complete("\(operation) #\(index)", category: stage, on: track, start: at, duration: span,
                                   args: [("bytes", .integer(4096))])
                    at = at + span
                }
            }
        }
        for name in series.keys { series[name]!.extend(through: Instant.zero + duration) }
        report.latencies = histograms
        report.series = series
        report.metrics = ["read_ops": .integer(Int64(histograms["read"]!.count)),
                          "write_ops": .integer(Int64(histograms["write"]!.count)),
                          "bytes_moved": .integer(Int64(Double(operations) * ioBytes)),
                          "takeover_time_ms": .number(20)]
        report.utilisations = [
            ComponentUtilisation(name: "pci0", kind: .pci, utilisation: 0.63, bytes: 16_384_000),
            ComponentUtilisation(name: "hca0", kind: .hca, utilisation: 0.41, bytes: 16_384_000),
            ComponentUtilisation(name: "link host-switch", kind: .link, utilisation: 0.22, bytes: 16_500_000),
            ComponentUtilisation(name: "loop A", kind: .loop, utilisation: 0.35, bytes: 9_000_000),
            ComponentUtilisation(name: "loop B", kind: .loop, utilisation: 0.18, bytes: 7_384_000),
            ComponentUtilisation(name: hostileName, kind: .disk, utilisation: 0.9, bytes: 4_000_000),
            ComponentUtilisation(name: "disk 1", kind: .disk, utilisation: 0.55, bytes: 4_100_000),
        ]
        report.timeline = [
            TimelineEntry(time: Instant.zero + duration, component: "checker", kind: .expectation,
                          text: "no acknowledged write lost", passed: true),
            TimelineEntry(time: faultAt, component: "loop A", kind: .fault, text: "loop A fails (LIP storm)"),
            TimelineEntry(time: faultAt + .microseconds(300), component: "red", kind: .state, text: "heartbeat missed"),
            TimelineEntry(time: failoverAt, component: "red", kind: .state, text: "takeover via loop B"),
            TimelineEntry(time: failoverAt, component: hostileName, kind: .state, text: "reachable on loop B"),
        ]
        let p99 = histograms["read"]!.percentile(99)
        report.expectations = [
            ExpectationResult(text: "read p99 < 5 ms", passed: p99 < .milliseconds(5), measured: p99.description),
            ExpectationResult(text: "no acknowledged write lost", passed: true, measured: "0 lost"),
        ]
        report.wallClock = WallClock(seconds: 0.5, eventsPerSecond: 246_912)
        trace.instant("loop A fails", category: "fault", on: tracks[4], at: faultAt, scope: .global)
        trace.instant("takeover", category: "state", on: tracks[1], at: failoverAt)
        trace.counter("queue depth", process: "shelf A", at: faultAt, values: [("loop A", 12), ("loop B", 0)])
        return (report, trace)
    }
}
