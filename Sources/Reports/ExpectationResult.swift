/// A scenario's expectation and its outcome: "p99 read latency < 5 ms" → passed, "3.2 ms".
public struct ExpectationResult: Sendable, Equatable {
    /// The expectation as the scenario states it.
    public var text: String
    public var passed: Bool
    /// The measured value, formatted with its unit (empty if the expectation has none).
    public var measured: String

    public init(text: String, passed: Bool, measured: String = "") {
        self.text = text
        self.passed = passed
        self.measured = measured
    }

    public var jsonValue: JSONValue {
        .object([("text", .string(text)), ("passed", .bool(passed)), ("measured", .string(measured))])
    }
}
