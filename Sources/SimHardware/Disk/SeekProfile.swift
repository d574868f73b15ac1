import Timebase

/// One measured point of a seek curve: seeking `distance` cylinders takes `milliseconds`.
public struct SeekSample: Hashable, Sendable {
    public var distance: Int
    public var milliseconds: Double

    public init(_ distance: Int, _ milliseconds: Double) {
        precondition(distance >= 1 && milliseconds >= 0)
        self.distance = distance
        self.milliseconds = milliseconds
    }
}

/// How a model states its seek times; ``SeekCurve`` turns it into a time per distance.
public enum SeekProfile: Hashable, Sendable {
    /// A measured curve (DiskSim's "extracted" seek files), linearly interpolated between
    /// samples, with seek(0) = 0.
    case measured([SeekSample])
    /// The three figures of a data sheet, fitted with Lee & Katz's curve (see
    /// ``SeekCurve/leeKatz(singleCylinder:average:fullStroke:distances:)``).
    case threePoint(singleCylinder: TimeSpan, average: TimeSpan, fullStroke: TimeSpan)
}
