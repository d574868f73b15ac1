import Reports

/// The JSON Schema (draft 2020-12) of the scenario format, generated from ``ScenarioFormat``
/// so it cannot drift from what `iofabric validate` accepts. Committed as
/// `Scenarios/scenario.schema.json`; a test keeps the file equal to this.
public enum ScenarioSchema {
    /// The schema document, rendered deterministically with a trailing newline.
    public static func rendered() -> String {
        document().rendered(pretty: true) + "\n"
    }

    static func document() -> JSONValue {
        var definitions: [(String, JSONValue)] = []
        var seen: Set<String> = []
        collect(ScenarioFormat.scenarioSpec, into: &definitions, seen: &seen)
        var root = schema(of: ScenarioFormat.scenarioSpec)
        guard case .object(var members) = root else { preconditionFailure() }
        members.append(("$schema", .string("https://json-schema.org/draft/2020-12/schema")))
        members.append(("$id", .string("https://iofabric.invalid/scenario.schema.json")))
        members.append(("$defs", .object(definitions.filter { $0.0 != ScenarioFormat.scenarioSpec.title })))
        root = .object(members)
        return root
    }

    private static func collect(_ spec: ObjectSpec, into definitions: inout [(String, JSONValue)], seen: inout Set<String>) {
        guard seen.insert(spec.title).inserted else { return }
        definitions.append((spec.title, schema(of: spec)))
        for field in spec.fields { collect(field.value, into: &definitions, seen: &seen) }
    }

    private static func collect(_ value: ValueSpec, into definitions: inout [(String, JSONValue)], seen: inout Set<String>) {
        switch value {
        case .object(let spec): collect(spec, into: &definitions, seen: &seen)
        case .array(let element, _): collect(element, into: &definitions, seen: &seen)
        default: break
        }
    }

    private static func schema(of spec: ObjectSpec) -> JSONValue {
        var properties: [(String, JSONValue)] = []
        for field in spec.fields {
            guard case .object(var members) = schema(of: field.value) else { preconditionFailure() }
            members.append(("description", .string(field.documentation)))
            if let defaultValue = field.defaultValue { members.append(("default", json(defaultValue))) }
            properties.append((field.name, .object(members)))
        }
        var members: [(String, JSONValue)] = [
            ("title", .string(spec.title)),
            ("description", .string(spec.documentation)),
            ("type", .string("object")),
            ("additionalProperties", .bool(false)),
            ("properties", .object(properties)),
        ]
        let required = spec.fields.filter(\.required).map { JSONValue.string($0.name) }
        if !required.isEmpty { members.append(("required", .array(required))) }
        return .object(members)
    }

    private static func schema(of value: ValueSpec) -> JSONValue {
        switch value {
        case .string, .name:
            return .object([("type", .string("string")), ("minLength", .integer(1))])
        case .integer(let minimum, let maximum):
            var members: [(String, JSONValue)] = [("type", .string("integer"))]
            if let minimum { members.append(("minimum", .integer(minimum))) }
            if let maximum { members.append(("maximum", .integer(maximum))) }
            return .object(members)
        case .number(let minimum, let maximum):
            var members: [(String, JSONValue)] = [("type", .string("number"))]
            if let minimum { members.append(("minimum", .number(minimum))) }
            if let maximum { members.append(("maximum", .number(maximum))) }
            return .object(members)
        case .boolean:
            return .object([("type", .string("boolean"))])
        case .duration:
            return .object([("type", .string("string")), ("pattern", .string(Quantity.durationPattern))])
        case .size:
            return .object([("oneOf", .array([
                .object([("type", .string("integer")), ("minimum", .integer(0))]),
                .object([("type", .string("string")), ("pattern", .string(Quantity.sizePattern))]),
            ]))])
        case .choice(let words):
            return .object([("type", .string("string")), ("enum", .array(words.map(JSONValue.string)))])
        case .object(let spec):
            return .object([("$ref", .string(spec === ScenarioFormat.scenarioSpec ? "#" : "#/$defs/\(spec.title)"))])
        case .array(let element, let minimum):
            var members: [(String, JSONValue)] = [("type", .string("array")), ("items", schema(of: element))]
            if minimum > 0 { members.append(("minItems", .integer(Int64(minimum)))) }
            return .object(members)
        }
    }

    private static func json(_ node: JSONNode) -> JSONValue {
        switch node {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .integer(let number): .integer(number)
        case .number(let number): .number(number)
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(json))
        case .object(let members): .object(members.keys.sorted().map { ($0, json(members[$0]!)) })
        }
    }
}
