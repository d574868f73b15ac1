/// SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014): a 64-bit state that advances by the golden-ratio increment and is mixed by
/// ``StableHash/mix64(_:)``. Period 2⁶⁴; passes BigCrush.
@frozen
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's whole state.
    public var state: UInt64

    @inlinable
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        return StableHash.mix64(state)
    }
}

/// A seeded random stream owned by one component of a run.
///
/// Every component draws from its own stream, derived from the run's seed and a stable hash
/// of the component's name (``init(seed:name:)``): adding a component, or changing how often
/// one component draws, never shifts the draws of any other. The derivation uses
/// ``StableHash``, never Swift's per-process `Hasher`.
///
/// All helpers use integer arithmetic where a decision is made (``below(_:)``,
/// ``chance(_:outOf:)``) so that results do not depend on floating-point libraries; the
/// `Double` helpers are for sampling distributions of times.
@frozen
public struct RandomStream: RandomNumberGenerator, Sendable {
    @usableFromInline
    var generator: SplitMix64

    /// A stream that starts at `seed` exactly (no derivation): for benchmarks that must
    /// reproduce a published sequence, such as PHOLD's "splitmix64 seeded with 42".
    @inlinable
    public init(rawSeed seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    /// The stream of the component called `name` in a run seeded with `seed`.
    @inlinable
    public init(seed: UInt64, name: String) {
        generator = SplitMix64(seed: StableHash.mix64(seed ^ StableHash.mix64(StableHash.fnv1a64(name))))
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        generator.next()
    }

    /// A uniform integer in `0..<bound`, without modulo bias (Lemire's multiply-shift method).
    @inlinable
    public mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "RandomStream.below(0)")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// `true` with probability `numerator / denominator`, decided in integers.
    @inlinable
    public mutating func chance(_ numerator: UInt64, outOf denominator: UInt64) -> Bool {
        precondition(denominator > 0 && numerator <= denominator)
        return below(denominator) < numerator
    }

    /// A uniform `Double` in (0, 1]: `((next() >> 11) + 1) · 2⁻⁵³`. Never zero, so its
    /// logarithm is finite.
    @inlinable
    public mutating func unitIntervalOpenClosed() -> Double {
        Double((next() >> 11) + 1) * 0x1.0p-53
    }
}
