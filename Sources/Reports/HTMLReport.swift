import Timebase

/// `report.html`: one self-contained page (inline CSS and SVG; no script, no network):
/// verdict and expectations, throughput and latency over time with fault markers, the
/// latency CDF on a log axis with percentile markers, utilisation bars, the failover
/// timeline, metrics and percentile tables. All user text is escaped.
public enum HTMLReport {
    public static func render(_ report: RunReport) -> String {
        let e = HTMLText.escape
        let verdict = report.verdict == .pass ? "PASS" : "FAIL"
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(report.scenario)): \(verdict)</title>
        <style>\(style)</style>
        </head><body>
        <h1>\(e(report.scenario)) <span class="verdict \(verdict.lowercased())">\(verdict)</span></h1>

        """
        if !report.description.isEmpty { html += "<p class=\"description\">\(e(report.description))</p>\n" }
        html += "<p class=\"meta\">seed \(report.seed) · \(e(report.backend)) backend · \(e(report.simulatedDuration.description)) simulated · "
            + "\(Format.grouped(report.eventCount)) events · trace digest <code>\(e(report.traceDigest))</code></p>\n"

        if !report.expectations.isEmpty || !report.problems.isEmpty {
            html += "<h2>Expectations</h2>\n"
            html += table(["", "Expectation", "Measured"], align: "llr", report.expectations.map {
                [$0.passed ? "✔ pass" : "✘ FAIL", $0.text, $0.measured]
            }, rowClasses: report.expectations.map { $0.passed ? "pass" : "fail" })
            if !report.problems.isEmpty {
                html += "<ul class=\"problems\">" + report.problems.map { "<li>\(e($0))</li>" }.joined() + "</ul>\n"
            }
        }

        let markers = timeMarkers(report)
        let rateCharts = timeCharts(report, kind: .rate, markers: markers)
        let meanCharts = timeCharts(report, kind: .mean, markers: markers)
        if !rateCharts.isEmpty { html += "<h2>Throughput over time</h2>\n" + rateCharts.joined() }
        if !meanCharts.isEmpty { html += "<h2>Latency over time</h2>\n" + meanCharts.joined() }
        if !report.latencies.isEmpty {
            html += "<h2>Latency distribution</h2>\n" + latencyCDF(report) + percentileTable(report)
        }
        if !report.utilisations.isEmpty {
            html += "<h2>Utilisation</h2>\n" + SVGUtilisationBars.render(report.utilisations)
        }
        let timeline = report.sortedTimeline
        if !timeline.isEmpty {
            html += "<h2>Timeline</h2>\n" + SVGTimeline.render(timeline, duration: report.simulatedDuration)
            html += table(["Time", "Component", "Kind", "Event"], align: "rlll", timeline.map {
                [TimeSpan(picoseconds: $0.time.picoseconds).description, $0.component, $0.kind.rawValue, $0.text]
            }, rowClasses: timeline.map { $0.kind.rawValue })
        }
        if !report.metrics.isEmpty {
            html += "<h2>Metrics</h2>\n" + table(["Metric", "Value"], align: "lr", report.metricNames.map { [$0, report.formattedMetric($0)] })
        }
        if let wall = report.wallClock {
            html += "<h2>This run's process</h2>\n<p class=\"meta\">Wall clock (not part of report.json): "
                + "\(Format.fixed(wall.seconds, 3)) s, \(Format.si(wall.eventsPerSecond)) events/s.</p>\n"
        }
        return html + "</body></html>\n"
    }

    /// Faults and state changes as vertical markers on the time charts (x in seconds).
    static func timeMarkers(_ report: RunReport) -> [SVGChart.Marker] {
        report.sortedTimeline.filter { $0.kind != .expectation }.map { entry in
            let time = TimeSpan(picoseconds: entry.time.picoseconds).description
            return SVGChart.Marker(
                x: entry.time.seconds, label: SVGTimeline.short(entry.component + ": " + entry.text),
                detail: "\(time) \(entry.component): \(entry.text)",
                color: entry.kind == .fault ? SVGTimeline.faultColor : SVGTimeline.stateColor,
                dashed: entry.kind == .state)
        }
    }

    /// One chart per value unit among the series of `kind`, each series a line.
    static func timeCharts(_ report: RunReport, kind: TimeSeries.Kind, markers: [SVGChart.Marker]) -> [String] {
        let names = report.seriesNames.filter { report.series[$0]!.kind == kind }
        var units: [String] = []
        for name in names where !units.contains(report.series[name]!.valueUnit) { units.append(report.series[name]!.valueUnit) }
        let end = report.simulatedDuration.seconds
        let places = colorPlaces(report)
        return units.map { unit in
            let group = names.filter { report.series[$0]!.valueUnit == unit }
            let lines = group.map { name in
                SVGChart.Line(name: name, points: report.series[name]!.points().map { ($0.time.seconds, $0.value) },
                              color: color(for: name, places: places))
            }
            let yUnits: ChartAxis.Units = kind == .mean && unit == "ns" ? .nanoseconds : .si(unit)
            let xValues: [Double] = [0, end] + lines.flatMap { $0.points.map { $0.x } }
            let chart = SVGChart(
                title: kind == .rate ? "Throughput (\(unit))" : "Mean latency per interval",
                x: ChartAxis(title: "simulated time", units: .seconds, values: xValues),
                y: ChartAxis(title: kind == .rate ? "rate" : "latency", units: yUnits,
                             values: lines.flatMap { $0.points.map(\.y) }),
                lines: lines, markers: markers)
            return chart.rendered()
        }
    }

    /// The CDF of every latency histogram on a log time axis, with p50/p99/p99.9 markers.
    static func latencyCDF(_ report: RunReport) -> String {
        var lines: [SVGChart.Line] = []
        var markers: [SVGChart.Marker] = []
        let places = colorPlaces(report)
        for name in report.latencyNames {
            let histogram = report.latencies[name]!
            guard histogram.count > 0 else { continue }
            let color = color(for: name, places: places)
            var points = histogram.cdf().map { (x: LatencyHistogram.nanoseconds($0.value), y: $0.fraction) }
            points.insert((x: LatencyHistogram.nanoseconds(histogram.min), y: 0), at: 0)
            lines.append(SVGChart.Line(name: name, points: points, color: color))
            for (label, percentile) in [("p50", 50.0), ("p99", 99), ("p99.9", 99.9)] {
                let value = histogram.percentile(percentile)
                markers.append(SVGChart.Marker(
                    x: LatencyHistogram.nanoseconds(value), label: "\(name) \(label)",
                    detail: "\(name) \(label) = \(value)", color: color))
            }
        }
        let xs = lines.flatMap { $0.points.map(\.x) }.filter { $0 > 0 }
        let chart = SVGChart(
            title: "Latency CDF (HdrHistogram buckets, log scale)",
            x: ChartAxis(title: "latency", units: .nanoseconds, scale: .logarithmic, values: xs),
            y: ChartAxis(title: "fraction of operations", units: .percent, values: [0, 1]),
            lines: lines, markers: markers, height: 340)
        return chart.rendered()
    }

    static func percentileTable(_ report: RunReport) -> String {
        let labels = LatencyHistogram.reportedPercentiles
        return table(["Operation", "Count", "Min", "Mean"] + labels.map(\.label) + ["Max"], align: "l", report.latencyNames.map { name in
            let h = report.latencies[name]!
            return [name, Format.grouped(h.count), h.min.description, h.mean.description]
                + labels.map { h.percentile($0.percentile).description } + [h.max.description]
        }, rowClasses: [])
    }

    /// A series' colour: its rank among all series and histogram names, so "read" keeps one
    /// colour across the throughput, latency and CDF charts when names are shared.
    static func color(for name: String, in report: RunReport) -> String {
        color(for: name, places: colorPlaces(report))
    }

    /// The colour of `name` given ``colorPlaces(_:)``, computed once per chart: with hundreds of
    /// workloads, rebuilding the list per line made rendering quadratic (160 s for 200 clients).
    static func color(for name: String, places: [String: Int]) -> String {
        SVGChart.palette[(places[stem(name)] ?? 0) % SVGChart.palette.count]
    }

    /// Each stem's place among the stems of the latency and series names, in their sorted
    /// order (the dictionary is only looked up, never iterated).
    static func colorPlaces(_ report: RunReport) -> [String: Int] {
        var places: [String: Int] = [:]
        for candidate in report.latencyNames + report.seriesNames where places[stem(candidate)] == nil {
            places[stem(candidate)] = places.count
        }
        return places
    }

    /// The first word of a name: "read throughput" and "read latency" share "read".
    static func stem(_ name: String) -> String {
        String(name.split(separator: " ").first ?? Substring(name))
    }

    /// An HTML table with escaped cells; `align` has one letter per column, `l` (text) or
    /// `r` (figures, right-aligned); columns past its end are figures.
    static func table(_ header: [String], align: String, _ rows: [[String]], rowClasses: [String] = []) -> String {
        let e = HTMLText.escape
        let letters = Array(align)
        func open(_ tag: String, _ column: Int) -> String {
            column < letters.count && letters[column] == "l" ? "<\(tag)>" : "<\(tag) class=\"num\">"
        }
        var html = "<table><thead><tr>" + header.enumerated().map { open("th", $0.offset) + e($0.element) + "</th>" }.joined()
            + "</tr></thead><tbody>\n"
        for (index, row) in rows.enumerated() {
            let rowClass = index < rowClasses.count ? " class=\"\(e(rowClasses[index]))\"" : ""
            html += "<tr\(rowClass)>" + row.enumerated().map { open("td", $0.offset) + e($0.element) + "</td>" }.joined() + "</tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    static let style = """
    body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:960px;color:#222;}
    h1{font-size:24px;margin-bottom:4px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
    .verdict{font-size:16px;padding:2px 10px;border-radius:4px;color:#fff;vertical-align:middle}
    .verdict.pass{background:#2ca02c}.verdict.fail{background:#d62728}
    .meta,.description{color:#555;font-size:14px}
    table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
    th.num,td.num{text-align:right;font-variant-numeric:tabular-nums}tr.fail td,tr.fault td{color:#d62728}tr.pass td:first-child{color:#2ca02c}
    svg.chart{display:block;margin:10px 0;font-size:11px;max-width:100%;height:auto}
    svg .title{font-size:13px;font-weight:600}svg .grid{stroke:#e6e6e6}svg .axis{stroke:#444}svg .lane{stroke:#ccc;stroke-dasharray:2 3}
    svg .label{font-size:12px;fill:#333}svg .tick{fill:#444}svg .marker-label,svg .event-label{font-size:10px}
    svg text{font-family:system-ui,sans-serif}svg .legend text{font-size:11px}
    """
}
