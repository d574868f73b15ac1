/// A point in time, counted in picoseconds from the start of a run.
///
/// In simulation an `Instant` is virtual time: it moves only when the event kernel runs
/// the next event. In real mode it is the monotonic clock, measured from the moment the
/// runtime started. Agents never see which.
///
/// Picoseconds in an `Int64` reach 106 days, and represent both a 4X SDR byte time (1 ns at
/// 8 Gb/s) and a 66 MHz PCI clock (15 151.5 ps, rounded once per clock by the PCI model, never
/// accumulated as a rounded `Double`) exactly, so long runs do not drift.
@frozen
public struct Instant: Hashable, Comparable, Sendable {
    /// Picoseconds since the start of the run.
    public var picoseconds: Int64

    @inlinable
    public init(picoseconds: Int64) {
        self.picoseconds = picoseconds
    }

    /// The start of every run.
    public static let zero = Instant(picoseconds: 0)

    /// A time later than any event: the limit of a run that stops only when idle.
    public static let distantFuture = Instant(picoseconds: .max)

    @inlinable
    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.picoseconds < rhs.picoseconds
    }

    /// The instant `span` after `instant`; traps on overflow past ``distantFuture``.
    @inlinable
    public static func + (instant: Instant, span: TimeSpan) -> Instant {
        Instant(picoseconds: instant.picoseconds + span.picoseconds)
    }

    /// The instant `span` before `instant`.
    @inlinable
    public static func - (instant: Instant, span: TimeSpan) -> Instant {
        Instant(picoseconds: instant.picoseconds - span.picoseconds)
    }

    /// The span from `earlier` to `later`.
    @inlinable
    public static func - (later: Instant, earlier: Instant) -> TimeSpan {
        TimeSpan(picoseconds: later.picoseconds - earlier.picoseconds)
    }

    @inlinable
    public static func += (instant: inout Instant, span: TimeSpan) {
        instant = instant + span
    }

    /// The instant in seconds, for reports (never for decisions: it is a `Double`).
    @inlinable
    public var seconds: Double { Double(picoseconds) / 1e12 }
}

extension Instant: CustomStringConvertible {
    /// The instant as a span from zero, e.g. `t=1.250 ms`.
    public var description: String { "t=" + TimeSpan(picoseconds: picoseconds).description }
}
