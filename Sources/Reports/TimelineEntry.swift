import Timebase

/// One line of a run's timeline: a fault injected, a state change (a QP to ERR, a loop
/// failing over, a takeover), or an expectation checked at a point in time.
public struct TimelineEntry: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case fault, state, expectation
    }

    /// When, in virtual time.
    public var time: Instant
    /// The component concerned (user text: writers escape it).
    public var component: String
    public var kind: Kind
    /// What happened, for a person.
    public var text: String
    /// For an ``Kind/expectation`` entry: whether it held (`nil` for other kinds).
    public var passed: Bool?

    public init(time: Instant, component: String, kind: Kind, text: String, passed: Bool? = nil) {
        self.time = time
        self.component = component
        self.kind = kind
        self.text = text
        self.passed = passed
    }

    public var jsonValue: JSONValue {
        var members: [(String, JSONValue)] = [
            ("time_ns", .number(Double(time.picoseconds) / 1_000)), ("component", .string(component)),
            ("kind", .string(kind.rawValue)), ("text", .string(text)),
        ]
        if let passed { members.append(("passed", .bool(passed))) }
        return .object(members)
    }
}
