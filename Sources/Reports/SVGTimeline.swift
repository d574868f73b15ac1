import Timebase

/// The failover timeline: one row per component, a marker per entry (faults as red
/// diamonds, state changes as orange circles, expectations as green or red squares) on a
/// time axis covering the run, each with a tooltip and, while they fit, a short label.
enum SVGTimeline {
    static let faultColor = "#d62728"
    static let stateColor = "#ff7f0e"
    static let expectationColor = "#2ca02c"
    /// Past this many entries labels are left to tooltips (assumption: about where labels
    /// on a 920-pixel-wide chart start to overlap).
    static let labelLimit = 24

    static func render(_ entries: [TimelineEntry], duration: TimeSpan, width: Double = 920) -> String {
        var components: [String] = []
        for entry in entries where !components.contains(entry.component) { components.append(entry.component) }
        let c = HTMLText.coordinate
        let e = HTMLText.escape
        let rowHeight = 34.0
        let (left, right, top) = (170.0, 30.0, 34.0)
        let plotWidth = width - left - right
        let height = top + Double(components.count) * rowHeight + 46
        let bottom = height - 46
        let end = max(duration.seconds, entries.last.map { $0.time.seconds } ?? 0, 1e-9)
        let axis = ChartAxis(title: "simulated time", units: .seconds, values: [0, end])
        func px(_ seconds: Double) -> Double { left + axis.fraction(seconds) * plotWidth }

        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(c(width)) \(c(height))\" width=\"\(c(width))\" height=\"\(c(height))\" role=\"img\" aria-label=\"timeline\">\n"
        svg += "<text class=\"title\" x=\"8\" y=\"18\">Failover timeline</text>\n"
        for tick in axis.ticks() {
            let xx = px(tick.value)
            svg += "<line class=\"grid\" x1=\"\(c(xx))\" y1=\"\(c(top))\" x2=\"\(c(xx))\" y2=\"\(c(bottom))\"/>"
            svg += "<text class=\"tick\" x=\"\(c(xx))\" y=\"\(c(bottom + 16))\" text-anchor=\"middle\">\(e(tick.label))</text>\n"
        }
        svg += "<line class=\"axis\" x1=\"\(c(left))\" y1=\"\(c(bottom))\" x2=\"\(c(left + plotWidth))\" y2=\"\(c(bottom))\"/>\n"
        svg += "<text class=\"label\" x=\"\(c(left + plotWidth / 2))\" y=\"\(c(height - 8))\" text-anchor=\"middle\">\(e(axis.label))</text>\n"
        for (row, component) in components.enumerated() {
            let y = top + Double(row) * rowHeight + rowHeight / 2
            svg += "<line class=\"lane\" x1=\"\(c(left))\" y1=\"\(c(y))\" x2=\"\(c(left + plotWidth))\" y2=\"\(c(y))\"/>"
            svg += "<text class=\"tick\" x=\"\(c(left - 8))\" y=\"\(c(y + 4))\" text-anchor=\"end\"><title>\(e(component))</title>\(e(short(component, limit: 24)))</text>\n"
        }
        for (index, entry) in entries.enumerated() {
            guard let row = components.firstIndex(of: entry.component) else { continue }
            let xx = px(entry.time.seconds)
            let y = top + Double(row) * rowHeight + rowHeight / 2
            let time = TimeSpan(picoseconds: entry.time.picoseconds).description
            svg += "<g class=\"event\"><title>\(e(time)) \(e(entry.component)) [\(entry.kind.rawValue)]: \(e(entry.text))</title>"
            switch entry.kind {
            case .fault:
                svg += "<path d=\"M\(c(xx)) \(c(y - 7)) L\(c(xx + 7)) \(c(y)) L\(c(xx)) \(c(y + 7)) L\(c(xx - 7)) \(c(y)) Z\" fill=\"\(faultColor)\"/>"
            case .state:
                svg += "<circle cx=\"\(c(xx))\" cy=\"\(c(y))\" r=\"5\" fill=\"\(stateColor)\"/>"
            case .expectation:
                let passed = entry.passed ?? true
                svg += "<rect x=\"\(c(xx - 5))\" y=\"\(c(y - 5))\" width=\"10\" height=\"10\" fill=\"\(passed ? expectationColor : faultColor)\"/>"
            }
            if entries.count <= labelLimit {
                let anchor = xx > left + plotWidth - 120 ? "end" : "start"
                let dx = anchor == "end" ? -9.0 : 9.0
                let dy = index % 2 == 0 ? -8.0 : 14.0
                svg += "<text class=\"event-label\" x=\"\(c(xx + dx))\" y=\"\(c(y + dy))\" text-anchor=\"\(anchor)\">\(e(short(entry.text)))</text>"
            }
            svg += "</g>\n"
        }
        return svg + "</svg>\n"
    }

    /// `text` cut to `limit` characters with an ellipsis (the full text stays in the tooltip).
    static func short(_ text: String, limit: Int = 38) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
