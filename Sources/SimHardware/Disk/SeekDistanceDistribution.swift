/// The distribution of seek distances between two independent uniformly random LBAs.
///
/// A uniform LBA lands on cylinder c with probability p(c) = heads · spt(zone(c)) / blocks
/// (outer cylinders hold more blocks), so two LBAs are d cylinders apart with probability
/// P(0) = Σ p(c)² and P(d) = 2 Σ_c p(c) p(c + d) for d ≥ 1. Because p is constant within a
/// zone, each P(d) is a sum over at most 2 × zones runs: O(cylinders × zones) in all.
public struct SeekDistanceDistribution: Hashable, Sendable {
    /// `probability[d]`: the chance that two uniform random LBAs are `d` cylinders apart.
    public let probability: [Double]

    /// The distribution over `layout`'s cylinders.
    public init(layout: DiskLayout) {
        let cylinders = layout.cylinders
        let zones = layout.zones
        // Per-cylinder probability of each zone, and each zone's cylinder range.
        let blocks = Double(layout.blockCount)
        let density = zones.map { Double(layout.heads * $0.sectorsPerTrack) / blocks }
        let ends = zones.map { $0.firstCylinder + $0.cylinderCount }
        var probability = [Double](repeating: 0, count: cylinders)
        for distance in 0..<cylinders {
            // Σ over c in [0, cylinders - distance) of p(c) p(c + distance), run by run.
            var sum = 0.0
            var low = 0  // zone of c
            var high = 0  // zone of c + distance
            while high < zones.count && ends[high] <= distance { high += 1 }
            var c = 0
            let last = cylinders - distance
            while c < last {
                while ends[low] <= c { low += 1 }
                while ends[high] <= c + distance { high += 1 }
                let runEnd = min(ends[low], ends[high] - distance, last)
                sum += Double(runEnd - c) * density[low] * density[high]
                c = runEnd
            }
            probability[distance] = distance == 0 ? sum : 2 * sum
        }
        self.probability = probability
    }

    /// E[f(d)] over the distances.
    public func mean(_ f: (Int) -> Double) -> Double {
        var total = 0.0
        for (distance, chance) in probability.enumerated() where chance > 0 {
            total += chance * f(distance)
        }
        return total
    }

    /// E[f(d) | d ≥ 1]: the mean over seeks that move the arm (a data sheet's "average seek").
    public func meanOverMoves(_ f: (Int) -> Double) -> Double {
        var total = 0.0
        var weight = 0.0
        for (distance, chance) in probability.enumerated().dropFirst() where chance > 0 {
            total += chance * f(distance)
            weight += chance
        }
        return total / weight
    }
}
