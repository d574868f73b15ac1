/// One recording zone (band) of a zoned disk: a run of cylinders with the same number of
/// sectors per track. Outer zones hold more sectors per track, so the media rate falls from the
/// outer edge (cylinder 0, LBA 0) to the inner one.
public struct DiskZone: Hashable, Sendable {
    /// The zone's first cylinder; the zone ends where the next one begins (or at the last
    /// cylinder of the disk).
    public var firstCylinder: Int
    /// 512-byte sectors on each track of the zone.
    public var sectorsPerTrack: Int

    public init(firstCylinder: Int, sectorsPerTrack: Int) {
        precondition(firstCylinder >= 0 && sectorsPerTrack > 0, "impossible zone")
        self.firstCylinder = firstCylinder
        self.sectorsPerTrack = sectorsPerTrack
    }

    /// `count` zones of equal width over `cylinders` cylinders whose sectors per track fall
    /// linearly from `outer` to `inner`: for models whose real zone table is not published.
    public static func linear(cylinders: Int, count: Int, outer: Int, inner: Int) -> [DiskZone] {
        precondition(count >= 1 && cylinders >= count && outer >= inner && inner > 0)
        return (0..<count).map { index in
            let sectors = count == 1 ? outer : outer - (outer - inner) * index / (count - 1)
            return DiskZone(firstCylinder: cylinders * index / count, sectorsPerTrack: sectors)
        }
    }
}
