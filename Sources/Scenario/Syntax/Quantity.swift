import Timebase

/// Durations and sizes as scenario files (and `--until`) write them: `"2s"`, `"500ms"`, `"4KiB"`.
public enum Quantity {
    /// Units of time, longest suffix first so `ms` is not read as `m` + `s`.
    static let timeUnits: [(suffix: String, picoseconds: Double)] = [
        ("ms", 1e9), ("us", 1e6), ("µs", 1e6), ("ns", 1e3), ("ps", 1), ("s", 1e12), ("min", 60e12),
    ].sorted { $0.suffix.count > $1.suffix.count }

    /// Units of size: binary (KiB…) and decimal (KB…) prefixes.
    static let sizeUnits: [(suffix: String, bytes: Double)] = [
        ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
        ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1),
    ].sorted { $0.suffix.count > $1.suffix.count }

    /// The JSON Schema pattern of a duration string.
    static let durationPattern = #"^[0-9]+(\.[0-9]+)? ?(min|s|ms|us|µs|ns|ps)$"#
    /// The JSON Schema pattern of a size string.
    static let sizePattern = #"^[0-9]+(\.[0-9]+)? ?(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)$"#

    /// `"1.5ms"` → 1.5 ms; nil when it is not a non-negative number followed by a time unit,
    /// or does not fit in 64-bit picoseconds.
    public static func duration(_ text: String) -> TimeSpan? {
        guard let (number, scale) = split(text, units: timeUnits) else { return nil }
        let picoseconds = (number * scale).rounded()
        guard picoseconds < 9.2e18 else { return nil }
        return TimeSpan(picoseconds: Int64(picoseconds))
    }

    /// `"4KiB"` → 4096; nil when it is not a whole number of bytes.
    static func size(_ text: String) -> Int64? {
        guard let (number, scale) = split(text, units: sizeUnits) else { return nil }
        let bytes = number * scale
        guard bytes == bytes.rounded(), bytes < 9.2e18 else { return nil }
        return Int64(bytes)
    }

    private static func split(_ text: String, units: [(String, Double)]) -> (Double, Double)? {
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            var number = String(text.dropLast(suffix.count))
            if number.hasSuffix(" ") { number.removeLast() }
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                number.first != ".", number.last != ".", let value = Double(number)
            else { return nil }
            return (value, scale)
        }
        return nil
    }

    /// A duration as a scenario would write it, in the largest unit that keeps it whole
    /// (`TimeSpan.milliseconds(1500)` → `"1500ms"`, 2 s → `"2s"`).
    public static func text(_ span: TimeSpan) -> String {
        let ps = span.picoseconds
        for (suffix, scale) in [("s", Int64(1_000_000_000_000)), ("ms", 1_000_000_000), ("us", 1_000_000), ("ns", 1_000)]
        where ps % scale == 0 {
            return "\(ps / scale)\(suffix)"
        }
        return "\(ps)ps"
    }
}
