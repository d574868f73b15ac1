/// A plain-text table for terminals: a title, then rows of cells in aligned columns.
///
/// The first column is left-aligned (labels); the others are right-aligned (figures).
public struct TextTable: Sendable {
    public var title: String?
    public var header: [String]?
    public private(set) var rows: [[String]] = []

    public init(title: String? = nil, header: [String]? = nil) {
        self.title = title
        self.header = header
    }

    /// Appends a row; all rows (and the header) must have the same number of cells.
    public mutating func append(_ cells: [String]) {
        precondition(!cells.isEmpty && cells.count == (header?.count ?? rows.first?.count ?? cells.count),
            "TextTable rows must have equal widths")
        rows.append(cells)
    }

    /// The table as lines ending in newlines, indented by two spaces under the title.
    public func rendered() -> String {
        let all = (header.map { [$0] } ?? []) + rows
        guard let columns = all.first?.count else { return title.map { $0 + "\n" } ?? "" }
        let widths = (0..<columns).map { column in all.map { $0[column].count }.max() ?? 0 }
        var out = title.map { $0 + "\n" } ?? ""
        for (index, row) in all.enumerated() {
            let cells = row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }
            out += "  " + cells.joined(separator: "  ") + "\n"
            if index == 0, header != nil {
                out += "  " + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
            }
        }
        return out
    }
}
