/// Hashes that are the same in every process, on every machine, in every Swift version.
///
/// Swift's `Hasher` is seeded per process, so nothing that decides what a simulation does, or
/// that is compared across processes (trace digests, random stream derivation), may use it.
/// These functions are fixed forever: changing one changes every digest and every stream.
public enum StableHash {
    /// FNV-1a, 64-bit, over the UTF-8 bytes of `string`.
    ///
    /// Offset basis 0xcbf29ce484222325, prime 0x100000001b3 (Fowler–Noll–Vo, the published
    /// 64-bit parameters).
    @inlinable
    public static func fnv1a64(_ string: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in string.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mixer.
    @inlinable
    public static func mix64(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// A running 64-bit digest of a sequence of words, stable across processes.
///
/// Each word is folded in with one multiply and one shift, cheap enough for the event loop's
/// hot path (one digest update per executed event), while every bit of every word reaches
/// the whole state within a few steps.
@frozen
public struct StableDigest: Hashable, Sendable {
    @usableFromInline
    var state: UInt64

    /// The current digest value.
    @inlinable
    public var value: UInt64 { state }

    @inlinable
    public init() {
        state = 0x6a09_e667_f3bc_c908  // √2's fraction bits (SHA-512 IV[0]): an arbitrary non-zero start.
    }

    /// Folds `word` into the digest.
    @inlinable
    public mutating func combine(_ word: UInt64) {
        var h = (state ^ word) &* 0x9e37_79b9_7f4a_7c15
        h ^= h >> 29
        state = h
    }

    /// The digest as 16 lower-case hexadecimal digits, the form reports print.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
