/// A JSON document written the same way every time: object keys sorted by their UTF-8
/// bytes, no insignificant whitespace unless pretty-printed, numbers in Swift's shortest
/// round-trip form. Reports are compared byte for byte across processes, so their JSON
/// must not depend on dictionary order or on a platform's number formatting.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    /// A finite number; NaN and infinities are written as `null` (JSON has no such numbers).
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Members in any order; written sorted by key. Keys must be unique.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.rendered() == rhs.rendered()
    }

    /// The document as text; `pretty` indents by two spaces, one member per line.
    public func rendered(pretty: Bool = false) -> String {
        var out = ""
        write(into: &out, pretty: pretty, depth: 0)
        return out
    }

    private func write(into out: inout String, pretty: Bool, depth: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .integer(let value): out += String(value)
        case .unsigned(let value): out += String(value)
        case .number(let value): out += value.isFinite ? Self.number(value) : "null"
        case .string(let value): Self.quote(value, into: &out)
        case .array(let items):
            writeContainer(open: "[", close: "]", count: items.count, into: &out, pretty: pretty, depth: depth) {
                index, out in items[index].write(into: &out, pretty: pretty, depth: depth + 1)
            }
        case .object(let members):
            let sorted = members.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            for index in sorted.indices.dropFirst() {
                precondition(sorted[index - 1].0 != sorted[index].0, "duplicate JSON key '\(sorted[index].0)'")
            }
            writeContainer(open: "{", close: "}", count: sorted.count, into: &out, pretty: pretty, depth: depth) {
                index, out in
                Self.quote(sorted[index].0, into: &out)
                out += pretty ? ": " : ":"
                sorted[index].1.write(into: &out, pretty: pretty, depth: depth + 1)
            }
        }
    }

    private func writeContainer(
        open: String, close: String, count: Int, into out: inout String, pretty: Bool, depth: Int,
        element: (Int, inout String) -> Void
    ) {
        out += open
        guard count > 0 else {
            out += close
            return
        }
        let indent = pretty ? "\n" + String(repeating: "  ", count: depth + 1) : ""
        for index in 0..<count {
            if index > 0 { out += "," }
            out += indent
            element(index, &out)
        }
        out += pretty ? "\n" + String(repeating: "  ", count: depth) : ""
        out += close
    }

    /// Integral values within 2⁵³ print without a fraction (`3`, not `3.0`).
    private static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }
        return String(value)
    }

    private static func quote(_ string: String, into out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
