/// Per-component utilisation as horizontal bars (one row per component, grouped by kind in
/// ``ComponentUtilisation/Kind`` order), with the percentage and the bytes carried.
enum SVGUtilisationBars {
    static let kindColors: [ComponentUtilisation.Kind: String] = [
        .pci: "#1f77b4", .link: "#ff7f0e", .loop: "#9467bd", .disk: "#2ca02c", .hca: "#8c564b",
    ]

    static func render(_ utilisations: [ComponentUtilisation], width: Double = 920) -> String {
        let rows = ComponentUtilisation.Kind.allCases.flatMap { kind in utilisations.filter { $0.kind == kind } }
        let c = HTMLText.coordinate
        let e = HTMLText.escape
        let rowHeight = 22.0
        let (labelWidth, valueWidth, top) = (260.0, 190.0, 30.0)
        let barWidth = width - labelWidth - valueWidth
        let height = top + Double(rows.count) * rowHeight + 28
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(c(width)) \(c(height))\" width=\"\(c(width))\" height=\"\(c(height))\" role=\"img\" aria-label=\"utilisation\">\n"
        svg += "<text class=\"title\" x=\"8\" y=\"18\">Utilisation per component</text>\n"
        for percent in stride(from: 0, through: 100, by: 25) {
            let xx = labelWidth + barWidth * Double(percent) / 100
            svg += "<line class=\"grid\" x1=\"\(c(xx))\" y1=\"\(c(top - 4))\" x2=\"\(c(xx))\" y2=\"\(c(height - 22))\"/>"
            svg += "<text class=\"tick\" x=\"\(c(xx))\" y=\"\(c(height - 8))\" text-anchor=\"middle\">\(percent) %</text>\n"
        }
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            let color = kindColors[row.kind] ?? "#7f7f7f"
            let percent = Format.fixed(row.utilisation * 100, 1) + " %"
            svg += "<g><title>\(e(row.name)) (\(row.kind.rawValue)): \(percent) busy, \(Format.grouped(row.bytes)) bytes</title>"
            svg += "<text class=\"tick\" x=\"\(c(labelWidth - 8))\" y=\"\(c(y + 15))\" text-anchor=\"end\">\(e(row.name)) · \(row.kind.rawValue)</text>"
            svg += "<rect x=\"\(c(labelWidth))\" y=\"\(c(y + 3))\" width=\"\(c(barWidth))\" height=\"\(c(rowHeight - 6))\" fill=\"#eeeeee\"/>"
            svg += "<rect x=\"\(c(labelWidth))\" y=\"\(c(y + 3))\" width=\"\(c(barWidth * row.utilisation))\" height=\"\(c(rowHeight - 6))\" fill=\"\(color)\"/>"
            svg += "<text class=\"tick\" x=\"\(c(labelWidth + barWidth + 8))\" y=\"\(c(y + 15))\">\(percent), \(e(Format.si(Double(row.bytes), unit: "B")))</text></g>\n"
        }
        return svg + "</svg>\n"
    }
}
