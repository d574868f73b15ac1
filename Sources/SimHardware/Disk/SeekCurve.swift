import Timebase

/// Seek time as a function of distance in cylinders, tabulated for every distance of a disk.
///
/// Seek time includes the head switch and settling for reads (DiskSim's convention); a write
/// adds the model's write settle on top.
public struct SeekCurve: Hashable, Sendable {
    /// `times[d]`: a seek of `d` cylinders, `times[0]` zero; empty for a Lee–Katz curve,
    /// which is computed per seek instead (its table, 8 bytes per cylinder, cost a cache miss
    /// at each of the shortest-positioning-time-first scheduler's look-ups: 12 % of a
    /// disk-load run; the formula gives the same values, bit for bit).
    private let times: [TimeSpan]
    /// Lee–Katz's coefficients (seconds) when `times` is empty.
    private let a: Double, b: Double, c: Double
    /// The number of cylinders: distances run from 0 to `cylinders - 1`.
    public let cylinders: Int

    /// The time to seek `distance` cylinders.
    public func time(distance: Int) -> TimeSpan {
        precondition(distance >= 0 && distance < cylinders, "seek distance \(distance) outside \(cylinders) cylinders")
        if !times.isEmpty { return times[distance] }
        return distance == 0 ? .zero : Self.leeKatzTime(distance: distance, a: a, b: b, c: c)
    }

    /// seek(d) = a·√(d − 1) + b·(d − 1) + c, for d ≥ 1.
    static func leeKatzTime(distance: Int, a: Double, b: Double, c: Double) -> TimeSpan {
        let move = Double(distance - 1)
        return TimeSpan(seconds: a * move.squareRoot() + b * move + c)
    }

    /// A curve from `profile` over `cylinders` cylinders, fitted (for three points) against
    /// the seek distances uniform random LBAs produce.
    public init(_ profile: SeekProfile, cylinders: Int, distances: SeekDistanceDistribution) {
        switch profile {
        case .measured(let samples):
            self = .interpolating(samples, cylinders: cylinders)
        case .threePoint(let single, let average, let full):
            self = .leeKatz(singleCylinder: single, average: average, fullStroke: full, distances: distances)
        }
    }

    init(times: [TimeSpan]) {
        precondition(times.first == .zero, "a seek of 0 cylinders takes no time")
        self.times = times
        (a, b, c) = (0, 0, 0)
        cylinders = times.count
    }

    private init(leeKatz a: Double, _ b: Double, _ c: Double, cylinders: Int) {
        times = []
        (self.a, self.b, self.c) = (a, b, c)
        self.cylinders = cylinders
    }

    /// Linear interpolation between measured samples (sorted by distance); beyond the last
    /// sample the last time holds.
    public static func interpolating(_ samples: [SeekSample], cylinders: Int) -> SeekCurve {
        precondition(!samples.isEmpty && zip(samples, samples.dropFirst()).allSatisfy { $0.distance < $1.distance })
        var times = [TimeSpan](repeating: .zero, count: cylinders)
        var next = 0
        for distance in 1..<cylinders {
            while next < samples.count && samples[next].distance < distance { next += 1 }
            let milliseconds: Double
            if next == samples.count {
                milliseconds = samples[samples.count - 1].milliseconds
            } else if samples[next].distance == distance || next == 0 {
                milliseconds = samples[next].milliseconds
            } else {
                let low = samples[next - 1]
                let high = samples[next]
                let fraction = Double(distance - low.distance) / Double(high.distance - low.distance)
                milliseconds = low.milliseconds + fraction * (high.milliseconds - low.milliseconds)
            }
            times[distance] = TimeSpan(seconds: milliseconds / 1e3)
        }
        return SeekCurve(times: times)
    }

    /// Lee & Katz's seek curve, seek(d) = a·√(d − 1) + b·(d − 1) + c for d ≥ 1 (E. K. Lee and
    /// R. H. Katz, "An Analytic Performance Model of Disk Arrays", SIGMETRICS 1993): the
    /// square root dominates short seeks (the arm accelerates, then decelerates) and the linear
    /// term long ones (it coasts). c is the single-cylinder seek; a and b solve the two linear
    /// equations seek(full stroke) = `fullStroke` and E[seek(d) | d ≥ 1] = `average`, the mean
    /// over the distances uniform random LBAs produce (how data sheets define it: the weighted
    /// average over all seek pairs). Traps if the three points give a falling curve.
    public static func leeKatz(
        singleCylinder: TimeSpan, average: TimeSpan, fullStroke: TimeSpan, distances: SeekDistanceDistribution
    ) -> SeekCurve {
        let cylinders = distances.probability.count
        let c = singleCylinder.seconds
        let maxMove = Double(cylinders - 2)  // d − 1 at full stroke
        let meanRoot = distances.meanOverMoves { Double($0 - 1).squareRoot() }
        let meanLinear = distances.meanOverMoves { Double($0 - 1) }
        // a·√M + b·M = full − c;  a·meanRoot + b·meanLinear = average − c.
        let fullRise = fullStroke.seconds - c
        let averageRise = average.seconds - c
        let determinant = maxMove.squareRoot() * meanLinear - maxMove * meanRoot
        let a = (fullRise * meanLinear - maxMove * averageRise) / determinant
        let b = (maxMove.squareRoot() * averageRise - meanRoot * fullRise) / determinant
        precondition(
            a >= 0 && b >= 0,
            "seek figures \(singleCylinder)/\(average)/\(fullStroke) do not fit a rising Lee–Katz curve (a \(a), b \(b))")
        return SeekCurve(leeKatz: a, b, c, cylinders: cylinders)
    }
}
