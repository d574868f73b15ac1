/// One figure of a run's `metrics`: an exact integer (a count, bytes) or a number (a rate).
public enum MetricValue: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    case integer(Int64)
    case number(Double)

    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }

    /// The value as JSON (integers stay exact).
    public var jsonValue: JSONValue {
        switch self {
        case .integer(let value): return .integer(value)
        case .number(let value): return .number(value)
        }
    }

    /// The value for a person: integers grouped (`1,234`), numbers with SI prefixes.
    public var formatted: String {
        switch self {
        case .integer(let value): return Format.grouped(value)
        case .number(let value):
            if abs(value) >= 1_000 { return Format.si(value) }
            var text = Format.fixed(value, 4)
            while text.contains("."), text.hasSuffix("0") || text.hasSuffix(".") { text.removeLast() }
            return text
        }
    }

    /// The value as a `Double` (for charts and comparisons).
    public var doubleValue: Double {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        }
    }
}
