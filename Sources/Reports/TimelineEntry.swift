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

    public init(time: Instant, component: String, kind: Kind, text: String) {
        self.time = time
        self.component = component
        self.kind = kind
        self.text = text
    }

    public var jsonValue: JSONValue {
        .object([
            ("time_ns", .number(Double(time.picoseconds) / 1_000)), ("component", .string(component)),
            ("kind", .string(kind.rawValue)), ("text", .string(text)),
        ])
    }
}
