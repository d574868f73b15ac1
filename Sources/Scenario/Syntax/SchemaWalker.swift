import Timebase

/// A value of a scenario file that has been checked against its ``ValueSpec``: durations
/// and sizes parsed, defaults filled in.
enum ScenarioValue: Sendable {
    case string(String)
    case integer(Int64)
    case number(Double)
    case boolean(Bool)
    case duration(TimeSpan)
    case size(Int64)
    case object(ObjectValue)
    case array([ScenarioValue])
}

/// A checked object: every member its spec names with a default or a value is present, no
/// other member is. The accessors trap on a type the spec did not promise: that is a bug in
/// the model code, not in the user's file.
struct ObjectValue: Sendable {
    /// Where the object is in the file, for messages about it: `$.topology.nodes[1]`.
    let path: String
    let members: [String: ScenarioValue]

    func path(_ member: String) -> String { path + "." + member }

    func has(_ key: String) -> Bool { members[key] != nil }

    func string(_ key: String) -> String? {
        guard let value = members[key] else { return nil }
        guard case .string(let text) = value else { preconditionFailure("\(path(key)) is not a string") }
        return text
    }

    func integer(_ key: String) -> Int64? {
        guard let value = members[key] else { return nil }
        guard case .integer(let number) = value else { preconditionFailure("\(path(key)) is not an integer") }
        return number
    }

    func number(_ key: String) -> Double? {
        switch members[key] {
        case nil: nil
        case .number(let number)?: number
        case .integer(let number)?: Double(number)
        default: preconditionFailure("\(path(key)) is not a number")
        }
    }

    func boolean(_ key: String) -> Bool? {
        guard let value = members[key] else { return nil }
        guard case .boolean(let flag) = value else { preconditionFailure("\(path(key)) is not a boolean") }
        return flag
    }

    func duration(_ key: String) -> TimeSpan? {
        guard let value = members[key] else { return nil }
        guard case .duration(let span) = value else { preconditionFailure("\(path(key)) is not a duration") }
        return span
    }

    func size(_ key: String) -> Int64? {
        guard let value = members[key] else { return nil }
        guard case .size(let bytes) = value else { preconditionFailure("\(path(key)) is not a size") }
        return bytes
    }

    func object(_ key: String) -> ObjectValue? {
        guard let value = members[key] else { return nil }
        guard case .object(let object) = value else { preconditionFailure("\(path(key)) is not an object") }
        return object
    }

    func array(_ key: String) -> [ScenarioValue] {
        guard let value = members[key] else { return [] }
        guard case .array(let items) = value else { preconditionFailure("\(path(key)) is not an array") }
        return items
    }

    func objects(_ key: String) -> [ObjectValue] {
        array(key).map { item in
            guard case .object(let object) = item else { preconditionFailure("\(path(key)) holds a non-object") }
            return object
        }
    }

    func strings(_ key: String) -> [String] {
        array(key).map { item in
            guard case .string(let text) = item else { preconditionFailure("\(path(key)) holds a non-string") }
            return text
        }
    }

    /// An array of LUN numbers (integers checked to 0…65535 by the schema).
    func luns(_ key: String) -> [UInt16] {
        array(key).map { item in
            guard case .integer(let value) = item, let lun = UInt16(exactly: value) else {
                preconditionFailure("\(path(key)) holds a non-LUN")
            }
            return lun
        }
    }

    func durations(_ key: String) -> [TimeSpan] {
        array(key).map { item in
            guard case .duration(let span) = item else { preconditionFailure("\(path(key)) holds a non-duration") }
            return span
        }
    }
}

/// Checks a parsed file against the format's specs, collecting every issue it finds, and
/// returns the checked value when there are none.
struct SchemaWalker {
    let file: String
    private(set) var issues: [ScenarioIssue] = []

    init(file: String) {
        self.file = file
    }

    mutating func walk(_ node: JSONNode, as spec: ValueSpec, at path: String) -> ScenarioValue? {
        func mismatch() -> ScenarioValue? {
            issue(path, "expected \(spec.expectation); found \(node.summary)")
            return nil
        }
        switch (spec, node) {
        case (.string, .string(let text)), (.name, .string(let text)):
            guard !text.isEmpty else {
                issue(path, "expected \(spec.expectation); found an empty string")
                return nil
            }
            return .string(text)
        case (.integer(let minimum, let maximum), .integer(let value)):
            guard value >= (minimum ?? .min), value <= (maximum ?? .max) else { return mismatch() }
            return .integer(value)
        case (.number(let minimum, let maximum), .integer(let value)):
            return walk(.number(Double(value)), as: .number(minimum: minimum, maximum: maximum), at: path)
        case (.number(let minimum, let maximum), .number(let value)):
            guard value >= (minimum ?? -.infinity), value <= (maximum ?? .infinity) else { return mismatch() }
            return .number(value)
        case (.boolean, .bool(let flag)):
            return .boolean(flag)
        case (.duration, .string(let text)):
            guard let span = Quantity.duration(text) else { return mismatch() }
            return .duration(span)
        case (.size, .integer(let bytes)) where bytes >= 0:
            return .size(bytes)
        case (.size, .string(let text)):
            guard let bytes = Quantity.size(text) else { return mismatch() }
            return .size(bytes)
        case (.choice(let words), .string(let word)):
            guard words.contains(word) else {
                issue(path, "expected \(spec.expectation); found \(node.summary)", suggestion: didYouMean(word, among: words))
                return nil
            }
            return .string(word)
        case (.object(let objectSpec), .object(let members)):
            return walkObject(members, as: objectSpec, at: path).map(ScenarioValue.object)
        case (.array(let element, let minimum), .array(let items)):
            guard items.count >= minimum else { return mismatch() }
            var values: [ScenarioValue] = []
            var complete = true
            for (index, item) in items.enumerated() {
                if let value = walk(item, as: element, at: "\(path)[\(index)]") {
                    values.append(value)
                } else {
                    complete = false
                }
            }
            return complete ? .array(values) : nil
        default:
            return mismatch()
        }
    }

    mutating func walkObject(_ members: [String: JSONNode], as spec: ObjectSpec, at path: String) -> ObjectValue? {
        var complete = true
        // A misspelt member is one mistake, not two: its "did you mean" stands in for the
        // "missing member" the correct spelling would otherwise get.
        var suggested: Set<String> = []
        for key in members.keys.sorted() where spec.field(key) == nil {
            complete = false
            let allowed = spec.fields.map(\.name)
            let suggestion = didYouMean(key, among: allowed.filter { members[$0] == nil })
            if let suggestion { suggested.insert(suggestion) }
            issue(
                path + "." + key,
                "unknown member \"\(key)\" of \(spec.title); expected one of "
                    + allowed.map { "\"\($0)\"" }.joined(separator: ", "),
                suggestion: suggestion)
        }
        var values: [String: ScenarioValue] = [:]
        for field in spec.fields {
            let memberPath = path + "." + field.name
            if let node = members[field.name] {
                if let value = walk(node, as: field.value, at: memberPath) {
                    values[field.name] = value
                } else {
                    complete = false
                }
            } else if field.required {
                complete = false
                if suggested.contains(field.name) { continue }
                issue(path, "missing member \"\(field.name)\" of \(spec.title): \(field.value.expectation)")
            } else if let defaultNode = field.defaultValue {
                guard let value = walk(defaultNode, as: field.value, at: memberPath) else {
                    preconditionFailure("the default of \(spec.title).\(field.name) does not match its own spec")
                }
                values[field.name] = value
            }
        }
        return complete ? ObjectValue(path: path, members: values) : nil
    }

    mutating func issue(_ path: String, _ message: String, suggestion: String? = nil) {
        issues.append(ScenarioIssue(file: file, path: path, message: message, suggestion: suggestion))
    }
}
