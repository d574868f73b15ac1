/// Escaping for HTML and SVG text and attribute values: every piece of user text (component
/// and series names come from scenario files) goes through ``escape(_:)``.
enum HTMLText {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case _ where scalar.value < 0x20 && scalar != "\n" && scalar != "\t": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate with one decimal, for SVG attributes.
    static func coordinate(_ value: Double) -> String {
        Format.fixed(value.isFinite ? value : 0, 1)
    }
}
