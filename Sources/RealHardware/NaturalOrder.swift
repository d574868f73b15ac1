/// The order people number devices in: runs of digits compare as numbers, so `sg2` comes
/// before `sg10` and `mlx5_9` before `mlx5_10`.
///
/// Device names arrive in directory order (`readdir`, sysfs), which is no order at all; this
/// module sorts every list it returns with this comparison, so output is the same on every run.
enum NaturalOrder {
    /// Whether `lhs` sorts before `rhs`.
    ///
    /// Other bytes compare by UTF-8 value; digit runs compare by numeric value however long
    /// they are (no integer overflow). Names that are equal in that order, such as `sg01`
    /// and `sg1`, fall back to plain byte order, so the order is total.
    static func areInIncreasingOrder(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        var i = 0
        var j = 0
        while i < left.count && j < right.count {
            if isDigit(left[i]) && isDigit(right[j]) {
                let leftRun = digitRun(left, from: i)
                let rightRun = digitRun(right, from: j)
                let comparison = compareNumbers(
                    left[leftRun.significant..<leftRun.end],
                    right[rightRun.significant..<rightRun.end])
                if comparison != 0 { return comparison < 0 }
                i = leftRun.end
                j = rightRun.end
            } else {
                if left[i] != right[j] { return left[i] < right[j] }
                i += 1
                j += 1
            }
        }
        let leftRemaining = left.count - i
        let rightRemaining = right.count - j
        if leftRemaining != rightRemaining { return leftRemaining < rightRemaining }
        return left.lexicographicallyPrecedes(right)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// The digit run starting at `start`: where its first non-zero digit is, and where it ends.
    private static func digitRun(_ bytes: [UInt8], from start: Int) -> (significant: Int, end: Int) {
        var end = start
        while end < bytes.count && isDigit(bytes[end]) { end += 1 }
        var significant = start
        while significant < end - 1 && bytes[significant] == UInt8(ascii: "0") { significant += 1 }
        return (significant, end)
    }

    /// -1, 0 or 1 as the decimal numbers (without leading zeros) compare.
    private static func compareNumbers(_ lhs: ArraySlice<UInt8>, _ rhs: ArraySlice<UInt8>) -> Int {
        if lhs.count != rhs.count { return lhs.count < rhs.count ? -1 : 1 }
        for (a, b) in zip(lhs, rhs) where a != b {
            return a < b ? -1 : 1
        }
        return 0
    }
}
