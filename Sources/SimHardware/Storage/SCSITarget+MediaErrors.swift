/// Unreadable blocks, injected by tests and fault schedules.
extension SCSITarget {
    /// Makes `lbas` unreadable: a read touching one of them ends in MEDIUM ERROR, UNRECOVERED
    /// READ ERROR with the first such LBA in the information field, after returning the blocks
    /// before it. A later write over a block reassigns (clears) it.
    public mutating func injectMediaError(lbas: Range<UInt64>) {
        precondition(lbas.upperBound <= configuration.blockCount, "media error beyond the capacity")
        defects.add(lbas)
    }

    /// Makes every block readable again.
    public mutating func clearMediaErrors() {
        defects = MediaDefects()
    }
}

/// The unreadable LBAs: a short list of ranges, in the order injected.
struct MediaDefects {
    private var ranges: [Range<UInt64>] = []

    mutating func add(_ range: Range<UInt64>) {
        if !range.isEmpty { ranges.append(range) }
    }

    /// The lowest unreadable LBA in `range`, if any.
    func first(in range: Range<UInt64>) -> UInt64? {
        var first: UInt64?
        for defect in ranges where defect.overlaps(range) {
            let candidate = max(defect.lowerBound, range.lowerBound)
            first = min(first ?? candidate, candidate)
        }
        return first
    }

    /// Removes `range` from every defect (a reassignment).
    mutating func reassign(_ range: Range<UInt64>) {
        guard !ranges.isEmpty, !range.isEmpty else { return }
        var kept: [Range<UInt64>] = []
        for defect in ranges {
            guard defect.overlaps(range) else {
                kept.append(defect)
                continue
            }
            if defect.lowerBound < range.lowerBound { kept.append(defect.lowerBound..<range.lowerBound) }
            if range.upperBound < defect.upperBound { kept.append(range.upperBound..<defect.upperBound) }
        }
        ranges = kept
    }
}
