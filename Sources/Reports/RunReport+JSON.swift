import Timebase

extension RunReport {
    /// The report as `report.json` content: deterministic, sorted keys, no ``wallClock``.
    /// Times are in nanoseconds (`*_ns` keys), as numbers.
    public var jsonValue: JSONValue {
        .object([
            ("format_version", .integer(Int64(Self.formatVersion))),
            ("scenario", .string(scenario)),
            ("scenario_file", scenarioFile.map { .string($0) } ?? .null),
            ("description", .string(description)),
            ("seed", .unsigned(seed)),
            ("backend", .string(backend)),
            ("simulated_duration_ns", .number(Double(simulatedDuration.picoseconds) / 1_000)),
            ("event_count", .unsigned(eventCount)),
            ("trace_digest", .string(traceDigest)),
            ("verdict", .string(verdict.rawValue)),
            ("metrics", .object(metricNames.map { ($0, metrics[$0]!.jsonValue) })),
            ("latency", .object(latencyNames.map { ($0, latencies[$0]!.jsonValue) })),
            ("series", .object(seriesNames.map { ($0, series[$0]!.jsonValue) })),
            ("utilisation", .array(utilisations.map(\.jsonValue))),
            ("timeline", .array(sortedTimeline.map(\.jsonValue))),
            ("expectations", .array(expectations.map(\.jsonValue))),
            ("problems", .array(problems.map { .string($0) })),
        ])
    }

    /// The exact text of `report.json`: pretty-printed JSON and a final newline.
    public var jsonText: String { jsonValue.rendered(pretty: true) + "\n" }
}
