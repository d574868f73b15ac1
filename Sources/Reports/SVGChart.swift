/// A line chart drawn as inline SVG: a title, two ``ChartAxis`` with grid, ticks and
/// labels, one polyline per series with a legend, and vertical markers (faults, state
/// changes, percentiles) with labels. Native `<title>` tooltips; no script, no external
/// reference. All text is escaped.
public struct SVGChart: Sendable {
    /// One series: points in the axes' base units.
    public struct Line: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var color: String

        public init(name: String, points: [(x: Double, y: Double)], color: String) {
            self.name = name
            self.points = points
            self.color = color
        }
    }

    /// A vertical line across the plot at `x`, labelled at the top.
    public struct Marker: Sendable {
        public var x: Double
        public var label: String
        /// Tooltip text (defaults to the label).
        public var detail: String
        public var color: String
        public var dashed: Bool

        public init(x: Double, label: String, detail: String? = nil, color: String, dashed: Bool = true) {
            self.x = x
            self.label = label
            self.detail = detail ?? label
            self.color = color
            self.dashed = dashed
        }
    }

    public var title: String
    public var x: ChartAxis
    public var y: ChartAxis
    public var lines: [Line]
    public var markers: [Marker]
    public var width: Double
    public var height: Double

    /// Plot margins: room for tick labels and axis titles (left, right, top, bottom).
    static let margin = (left: 78.0, right: 24.0, top: 60.0, bottom: 48.0)

    /// Default size 920 × 300 (assumption: fits the 960-pixel page of ``HTMLReport``).
    public init(title: String, x: ChartAxis, y: ChartAxis, lines: [Line], markers: [Marker] = [],
                width: Double = 920, height: Double = 300) {
        self.title = title
        self.x = x
        self.y = y
        self.lines = lines
        self.markers = markers
        self.width = width
        self.height = height
    }

    /// A fixed palette (Tableau 10) so that series keep their colour across charts.
    public static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
                                 "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#d62728"]

    var plotWidth: Double { width - Self.margin.left - Self.margin.right }
    var plotHeight: Double { height - Self.margin.top - Self.margin.bottom }

    func px(_ value: Double) -> Double { Self.margin.left + x.fraction(value) * plotWidth }
    func py(_ value: Double) -> Double { Self.margin.top + (1 - y.fraction(value)) * plotHeight }

    /// The chart as one `<svg>` element.
    public func rendered() -> String {
        let c = HTMLText.coordinate
        let e = HTMLText.escape
        let (left, top) = (Self.margin.left, Self.margin.top)
        let (right, bottom) = (left + plotWidth, top + plotHeight)
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(c(width)) \(c(height))\" width=\"\(c(width))\" height=\"\(c(height))\" role=\"img\" aria-label=\"\(e(title))\">\n"
        svg += "<text class=\"title\" x=\"\(c(left))\" y=\"18\">\(e(title))</text>\n"

        // Grid, ticks and tick labels.
        for tick in y.ticks() {
            let yy = py(tick.value)
            svg += "<line class=\"grid\" x1=\"\(c(left))\" y1=\"\(c(yy))\" x2=\"\(c(right))\" y2=\"\(c(yy))\"/>"
            svg += "<text class=\"tick\" x=\"\(c(left - 6))\" y=\"\(c(yy + 4))\" text-anchor=\"end\">\(e(tick.label))</text>\n"
        }
        for tick in x.ticks() {
            let xx = px(tick.value)
            svg += "<line class=\"grid\" x1=\"\(c(xx))\" y1=\"\(c(top))\" x2=\"\(c(xx))\" y2=\"\(c(bottom))\"/>"
            svg += "<line class=\"axis\" x1=\"\(c(xx))\" y1=\"\(c(bottom))\" x2=\"\(c(xx))\" y2=\"\(c(bottom + 5))\"/>"
            svg += "<text class=\"tick\" x=\"\(c(xx))\" y=\"\(c(bottom + 18))\" text-anchor=\"middle\">\(e(tick.label))</text>\n"
        }
        svg += "<line class=\"axis\" x1=\"\(c(left))\" y1=\"\(c(bottom))\" x2=\"\(c(right))\" y2=\"\(c(bottom))\"/>"
        svg += "<line class=\"axis\" x1=\"\(c(left))\" y1=\"\(c(top))\" x2=\"\(c(left))\" y2=\"\(c(bottom))\"/>\n"
        svg += "<text class=\"label\" x=\"\(c((left + right) / 2))\" y=\"\(c(height - 6))\" text-anchor=\"middle\">\(e(x.label))</text>\n"
        svg += "<text class=\"label\" transform=\"translate(14 \(c((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(e(y.label))</text>\n"

        // Markers under the lines, labels staggered on three rows so neighbours do not collide.
        for (index, marker) in markers.enumerated() {
            let xx = px(marker.x)
            guard xx >= left - 0.5, xx <= right + 0.5 else { continue }
            let dash = marker.dashed ? " stroke-dasharray=\"5 3\"" : ""
            svg += "<g class=\"marker\"><title>\(e(marker.detail))</title>"
            svg += "<line x1=\"\(c(xx))\" y1=\"\(c(top - 4))\" x2=\"\(c(xx))\" y2=\"\(c(bottom))\" stroke=\"\(marker.color)\" stroke-width=\"1.5\"\(dash)/>"
            let labelY = top - 6 - Double(index % 3) * 10
            let anchor = xx > right - 80 ? "end" : "start"
            svg += "<text class=\"marker-label\" x=\"\(c(xx + (anchor == "end" ? -3 : 3)))\" y=\"\(c(labelY))\" text-anchor=\"\(anchor)\" fill=\"\(marker.color)\">\(e(marker.label))</text></g>\n"
        }

        // Lines.
        for line in lines where !line.points.isEmpty {
            let points = line.points.map { "\(c(px($0.x))),\(c(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline class=\"series\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.8\" points=\"\(points)\"><title>\(e(line.name))</title></polyline>\n"
            if line.points.count == 1 {
                svg += "<circle cx=\"\(c(px(line.points[0].x)))\" cy=\"\(c(py(line.points[0].y)))\" r=\"3\" fill=\"\(line.color)\"/>\n"
            }
        }

        // Legend, right-aligned on the title row.
        var legendX = right
        for line in lines.reversed() {
            let textWidth = Double(line.name.count) * 6.6 + 24
            legendX -= textWidth
            svg += "<g class=\"legend\"><rect x=\"\(c(legendX))\" y=\"9\" width=\"14\" height=\"4\" fill=\"\(line.color)\"/>"
            svg += "<text x=\"\(c(legendX + 18))\" y=\"15\">\(e(line.name))</text></g>\n"
        }
        return svg + "</svg>\n"
    }
}
