import Timebase

/// Durations as scenario files and the command line write them (`"500ms"`, `"2s"`).
public enum ScenarioQuantities {
    public static func duration(_ text: String) -> TimeSpan? { Quantity.duration(text) }
    public static func text(_ span: TimeSpan) -> String { Quantity.text(span) }
}
