/// Number formatting for reports, identical on every platform (no locale, no Foundation).
public enum Format {
    /// `20000000` → `"20,000,000"`.
    public static func grouped<T: BinaryInteger>(_ value: T) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// `value` rounded half away from zero to `decimals` places: `fixed(3.14159, 2)` → `"3.14"`.
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        precondition((0...9).contains(decimals))
        guard value.isFinite else { return String(value) }
        var scale: Double = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.2e18 else { return String(value) }
        let units = UInt64(scaled)
        let whole = units / UInt64(scale)
        var text = String(whole)
        if decimals > 0 {
            let fraction = String(units % UInt64(scale))
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return (value < 0 && scaled > 0 ? "-" : "") + text
    }

    /// A rate with an SI prefix and three significant-ish digits: `15_612_345` → `"15.61 M"`.
    public static func si(_ value: Double, unit: String = "") -> String {
        let prefixes: [(Double, String)] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, prefix) in prefixes where abs(value) >= scale {
            return fixed(value / scale, 2) + " " + prefix + unit
        }
        return fixed(value, 2) + (unit.isEmpty ? "" : " " + unit)
    }

    /// Seconds as a readable duration: `1.250 s`, `12.300 ms`, `850.000 µs`, `120.0 ns`.
    public static func duration(seconds: Double) -> String {
        switch seconds {
        case 1...: fixed(seconds, 3) + " s"
        case 1e-3...: fixed(seconds * 1e3, 3) + " ms"
        case 1e-6...: fixed(seconds * 1e6, 3) + " µs"
        default: fixed(seconds * 1e9, 1) + " ns"
        }
    }
}
