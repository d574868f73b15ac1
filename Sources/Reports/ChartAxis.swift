import Foundation  // log10 for logarithmic axes and nice steps

/// One axis of an ``SVGChart``: its range in base units (seconds, ns, bytes/s…), how values
/// map to the plot (linear or log₁₀), the display unit chosen for the range, and nice ticks.
public struct ChartAxis: Sendable {
    /// How values map onto the axis.
    public enum Scale: Sendable { case linear, logarithmic }

    /// How the axis picks its display unit from its range.
    public enum Units: Sendable, Equatable {
        /// Seconds, shown in s, ms, µs or ns.
        case seconds
        /// Nanoseconds, shown in ns, µs, ms or s.
        case nanoseconds
        /// Any unit, shown with an SI prefix (k, M, G, T): `"B/s"` → `"MB/s"`.
        case si(String)
        /// A unitless fraction 0…1, shown as a percentage.
        case percent
    }

    public let title: String
    public let scale: Scale
    public let units: Units
    /// The range in base units (log axes: positive, whole decades).
    public let lower: Double
    public let upper: Double
    /// Base units per display unit, and the display unit's name.
    let divisor: Double
    let unitName: String

    /// An axis over `values` (base units), widened to nice bounds: a linear axis starts at 0
    /// unless the values go below it; a log axis spans whole decades.
    public init(title: String, units: Units, scale: Scale = .linear, values: [Double], includeZero: Bool = true) {
        let finite = values.filter(\.isFinite)
        self.title = title
        self.units = units
        self.scale = scale
        switch scale {
        case .linear:
            var low = finite.min() ?? 0
            var high = finite.max() ?? 1
            if includeZero { low = Swift.min(low, 0); high = Swift.max(high, 0) }
            if high - low <= 0 { high = low + (low == 0 ? 1 : abs(low)) }
            let (divisor, name) = Self.displayUnit(units, magnitude: Swift.max(abs(low), abs(high)))
            let step = Self.niceStep((high - low) / divisor / 5) * divisor
            self.lower = (low / step).rounded(.down) * step
            self.upper = (high / step).rounded(.up) * step
            self.divisor = divisor
            self.unitName = name
        case .logarithmic:
            let positive = finite.filter { $0 > 0 }
            let low = Self.powerOf10(floor: positive.min() ?? 1)
            var high = Self.powerOf10(ceil: positive.max() ?? 10)
            if high <= low { high = low * 10 }
            self.lower = low
            self.upper = high
            (self.divisor, self.unitName) = (1, Self.displayUnit(units, magnitude: high).1)
        }
    }

    /// The axis title with its unit, e.g. `"throughput (MB/s)"`.
    public var label: String {
        if scale == .logarithmic || unitName.isEmpty { return title }
        return title + " (" + unitName + ")"
    }

    /// Where `value` falls, 0 (lower) … 1 (upper); values outside are not clamped.
    public func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear: return (value - lower) / (upper - lower)
        case .logarithmic:
            let v = Swift.max(value, lower / 10)
            return (log10(v) - log10(lower)) / (log10(upper) - log10(lower))
        }
    }

    /// Tick positions (base units) and labels.
    public func ticks() -> [(value: Double, label: String)] {
        switch scale {
        case .linear:
            let step = Self.niceStep((upper - lower) / divisor / 5)
            let decimals = Swift.max(0, Int((-log10(step)).rounded(.up)))
            var ticks: [(Double, String)] = []
            var index = 0.0
            while true {
                let display = lower / divisor + index * step
                if display > upper / divisor + step * 1e-9 { break }
                let label = units == .percent ? Format.fixed(display, decimals) : Format.fixed(display, Swift.min(decimals, 9))
                ticks.append((display * divisor, label))
                index += 1
            }
            return ticks
        case .logarithmic:
            var ticks: [(Double, String)] = []
            var value = lower
            while value <= upper * 1.000001 {
                ticks.append((value, Self.logLabel(value, units: units)))
                value *= 10
            }
            return ticks
        }
    }

    /// A value in this axis's display unit with its unit name, for marker labels.
    public func describe(_ value: Double) -> String {
        let (divisor, name) = Self.displayUnit(units, magnitude: abs(value))
        let shown = value / divisor
        let decimals = abs(shown) >= 100 ? 0 : abs(shown) >= 10 ? 1 : 2
        return Format.fixed(shown, decimals) + (name.isEmpty ? "" : " " + name)
    }

    // MARK: Units and nice numbers

    /// 1, 2 or 5 × 10ᵏ, the smallest at or above `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow10(Int(log10(raw).rounded(.down)))
        for factor in [1.0, 2, 5, 10] where factor * magnitude >= raw * (1 - 1e-12) { return factor * magnitude }
        return 10 * magnitude
    }

    static func displayUnit(_ units: Units, magnitude: Double) -> (Double, String) {
        switch units {
        case .seconds:
            for (scale, name) in [(1.0, "s"), (1e-3, "ms"), (1e-6, "µs")] where magnitude >= scale { return (scale, name) }
            return (1e-9, "ns")
        case .nanoseconds:
            for (scale, name) in [(1e9, "s"), (1e6, "ms"), (1e3, "µs")] where magnitude >= scale { return (scale, name) }
            return (1, "ns")
        case .si(let unit):
            for (scale, prefix) in [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] where magnitude >= scale {
                return (scale, prefix + unit)
            }
            return (1, unit)
        case .percent: return (0.01, "%")
        }
    }

    static func logLabel(_ value: Double, units: Units) -> String {
        let (divisor, name) = displayUnit(units, magnitude: value)
        let shown = value / divisor
        return Format.fixed(shown, shown < 1 ? 3 : 0) + (name.isEmpty ? "" : " " + name)
    }

    static func pow10(_ exponent: Int) -> Double {
        var value = 1.0
        if exponent >= 0 { for _ in 0..<exponent { value *= 10 } } else { for _ in 0..<(-exponent) { value /= 10 } }
        return value
    }

    static func powerOf10(floor value: Double) -> Double { pow10(Int(log10(value).rounded(.down))) }
    static func powerOf10(ceil value: Double) -> Double { pow10(Int(log10(value).rounded(.up))) }
}
