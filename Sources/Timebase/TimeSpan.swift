/// A length of time in picoseconds; the difference of two ``Instant``s.
///
/// Named `TimeSpan` rather than `Duration` so that it never shadows the standard library's
/// `Swift.Duration` in modules that import both.
@frozen
public struct TimeSpan: Hashable, Comparable, Sendable {
    /// The length in picoseconds (negative spans are allowed as differences).
    public var picoseconds: Int64

    @inlinable
    public init(picoseconds: Int64) {
        self.picoseconds = picoseconds
    }

    public static let zero = TimeSpan(picoseconds: 0)

    @inlinable public static func picoseconds(_ n: Int64) -> TimeSpan { TimeSpan(picoseconds: n) }
    @inlinable public static func nanoseconds(_ n: Int64) -> TimeSpan { TimeSpan(picoseconds: n * 1_000) }
    @inlinable public static func microseconds(_ n: Int64) -> TimeSpan { TimeSpan(picoseconds: n * 1_000_000) }
    @inlinable public static func milliseconds(_ n: Int64) -> TimeSpan { TimeSpan(picoseconds: n * 1_000_000_000) }
    @inlinable public static func seconds(_ n: Int64) -> TimeSpan { TimeSpan(picoseconds: n * 1_000_000_000_000) }

    /// A span from fractional seconds, truncated toward zero to whole picoseconds.
    ///
    /// Use it for configuration and distributions; it is the only place a `Double` becomes time.
    @inlinable
    public init(seconds s: Double) {
        precondition(s.isFinite && abs(s) < 9.2e6, "TimeSpan(seconds: \(s)) is out of range")
        picoseconds = Int64(s * 1e12)
    }

    /// The time `bytes` take on a link or bus of `bitsPerSecond`, rounded up to a picosecond.
    ///
    /// Rounding up (never down) keeps a saturated link from carrying more than its rate.
    @inlinable
    public static func transmission(bytes: Int, bitsPerSecond: Int64) -> TimeSpan {
        precondition(bytes >= 0 && bitsPerSecond > 0)
        let bitPicoseconds = Int64(bytes) * 8 * 1_000_000_000_000
        return TimeSpan(picoseconds: (bitPicoseconds + bitsPerSecond - 1) / bitsPerSecond)
    }

    @inlinable
    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.picoseconds < rhs.picoseconds }
    @inlinable
    public static func + (lhs: TimeSpan, rhs: TimeSpan) -> TimeSpan {
        TimeSpan(picoseconds: lhs.picoseconds + rhs.picoseconds)
    }
    @inlinable
    public static func - (lhs: TimeSpan, rhs: TimeSpan) -> TimeSpan {
        TimeSpan(picoseconds: lhs.picoseconds - rhs.picoseconds)
    }
    @inlinable
    public static func * (lhs: TimeSpan, rhs: Int64) -> TimeSpan { TimeSpan(picoseconds: lhs.picoseconds * rhs) }
    @inlinable
    public static func += (lhs: inout TimeSpan, rhs: TimeSpan) { lhs = lhs + rhs }

    /// The span in seconds, for reports (never for decisions).
    @inlinable
    public var seconds: Double { Double(picoseconds) / 1e12 }
}

extension TimeSpan: CustomStringConvertible {
    /// A readable span with three decimals in the largest fitting unit: `1.250 ms`, `15.152 ns`.
    public var description: String {
        let units: [(Int64, String)] = [
            (1_000_000_000_000, "s"), (1_000_000_000, "ms"), (1_000_000, "µs"), (1_000, "ns"),
        ]
        let magnitude = picoseconds.magnitude
        for (scale, name) in units where magnitude >= UInt64(scale) {
            let whole = magnitude / UInt64(scale)
            let thousandths = (magnitude % UInt64(scale)) * 1_000 / UInt64(scale)
            let fraction = String(thousandths)
            let padded = String(repeating: "0", count: 3 - fraction.count) + fraction
            return (picoseconds < 0 ? "-" : "") + "\(whole).\(padded) \(name)"
        }
        return "\(picoseconds) ps"
    }
}
