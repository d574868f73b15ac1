/// The shape of a value in a scenario file: what the walker checks, what the JSON Schema
/// says, and what the README documents — one declaration for all three.
indirect enum ValueSpec: Sendable {
    case string
    /// A name of something in the topology (checked against it after the walk).
    case name
    case integer(minimum: Int64?, maximum: Int64?)
    case number(minimum: Double?, maximum: Double?)
    case boolean
    /// A string such as `"2s"`, `"500ms"`, `"10us"`.
    case duration
    /// A whole number of bytes, or a string such as `"4KiB"`, `"1MiB"`, `"4KB"`.
    case size
    /// One of these words.
    case choice([String])
    case object(ObjectSpec)
    case array(of: ValueSpec, minimumCount: Int)

    /// "a duration such as \"2s\"", for "expected …" in messages.
    var expectation: String {
        switch self {
        case .string: "a string"
        case .name: "a name (a string)"
        case .integer(let minimum, let maximum): "an integer" + Self.bounds(minimum.map(String.init), maximum.map(String.init))
        case .number(let minimum, let maximum): "a number" + Self.bounds(minimum.map { "\($0)" }, maximum.map { "\($0)" })
        case .boolean: "true or false"
        case .duration: "a duration with a unit, such as \"2s\", \"500ms\" or \"10us\""
        case .size: "a size in bytes, or with a unit such as \"4KiB\" or \"1MiB\""
        case .choice(let words): "one of " + words.map { "\"\($0)\"" }.joined(separator: ", ")
        case .object(let spec): "an object (\(spec.title))"
        case .array(let element, let minimum):
            "an array" + (minimum > 0 ? " of at least \(minimum)" : "") + " of " + element.expectationPlural
        }
    }

    private var expectationPlural: String {
        switch self {
        case .object(let spec): "\(spec.title) objects"
        default: "items, each \(expectation)"
        }
    }

    private static func bounds(_ minimum: String?, _ maximum: String?) -> String {
        switch (minimum, maximum) {
        case (let low?, let high?): " from \(low) to \(high)"
        case (let low?, nil): " of at least \(low)"
        case (nil, let high?): " of at most \(high)"
        case (nil, nil): ""
        }
    }
}

/// One member of an object in a scenario file.
struct FieldSpec: Sendable {
    var name: String
    var value: ValueSpec
    /// Whether the file must give it.
    var required: Bool
    /// The value used when the file leaves it out (nil: no default; the model sees nil).
    var defaultValue: JSONNode?
    /// One line for the schema's `description` and the README.
    var documentation: String

    static func required(_ name: String, _ value: ValueSpec, _ documentation: String) -> FieldSpec {
        FieldSpec(name: name, value: value, required: true, defaultValue: nil, documentation: documentation)
    }

    static func optional(
        _ name: String, _ value: ValueSpec, default defaultValue: JSONNode? = nil, _ documentation: String
    ) -> FieldSpec {
        FieldSpec(name: name, value: value, required: false, defaultValue: defaultValue, documentation: documentation)
    }
}

/// The members an object may have. A class so object specs can refer to each other.
final class ObjectSpec: Sendable {
    /// The name in the schema's `$defs` and in messages, e.g. `node`.
    let title: String
    let documentation: String
    let fields: [FieldSpec]

    init(_ title: String, _ documentation: String, _ fields: [FieldSpec]) {
        self.title = title
        self.documentation = documentation
        self.fields = fields
        precondition(Set(fields.map(\.name)).count == fields.count, "duplicate field in \(title)")
    }

    func field(_ name: String) -> FieldSpec? { fields.first { $0.name == name } }
}
