import Foundation

/// A scenario file's JSON as read by Foundation's `JSONDecoder`, before anything is
/// checked: the input of ``SchemaWalker``.
///
/// Integers are kept apart from other numbers so a seed of 2^60 is not rounded through a
/// `Double`. Object members come from a dictionary: anything that reports on them walks
/// the keys sorted, never in dictionary order.
indirect enum JSONNode: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONNode])
    case object([String: JSONNode])

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [String: JSONNode] = [:]
            for key in container.allKeys {
                members[key.stringValue] = try container.decode(JSONNode.self, forKey: key)
            }
            self = .object(members)
        } else if var container = try? decoder.unkeyedContainer() {
            var items: [JSONNode] = []
            while !container.isAtEnd { items.append(try container.decode(JSONNode.self)) }
            self = .array(items)
        } else {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Int64.self) {
                self = .integer(value)
            } else if let value = try? container.decode(Double.self) {
                self = .number(value)
            } else {
                self = .string(try container.decode(String.self))
            }
        }
    }

    /// What kind of value this is, for "found …" in messages: `a string "pci33"`, `a number 2`.
    var summary: String {
        switch self {
        case .null: "null"
        case .bool(let value): "the boolean \(value)"
        case .integer(let value): "the number \(value)"
        case .number(let value): "the number \(value)"
        case .string(let value): "the string \"\(value.count > 40 ? String(value.prefix(40)) + "…" : value)\""
        case .array(let items): "an array of \(items.count) item\(items.count == 1 ? "" : "s")"
        case .object: "an object"
        }
    }

    /// Parses `data` with `JSONDecoder`, after ``JSONSyntaxLocator`` has located any syntax
    /// error (Foundation's message on Linux says only that the data is not valid JSON).
    static func parse(_ data: Data, file: String) throws(ScenarioErrors) -> JSONNode {
        // The locator runs first: it is strict RFC 8259, while Foundation's parser on Linux
        // accepts some things JSON does not (a trailing comma), which other tools reject.
        if let located = JSONSyntaxLocator.firstError(in: Array(data)) {
            throw ScenarioErrors([
                ScenarioIssue(file: file, path: "line \(located.line), column \(located.column)", message: "not valid JSON: " + located.message)
            ])
        }
        do {
            return try JSONDecoder().decode(JSONNode.self, from: data)
        } catch {
            throw ScenarioErrors([ScenarioIssue(file: file, path: "(file)", message: "not valid JSON: \(error)")])
        }
    }
}
