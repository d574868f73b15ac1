import Timebase

/// Where a logical block lies on the platters.
public struct PhysicalBlock: Hashable, Sendable {
    public var cylinder: Int
    public var head: Int
    /// The sector's logical index on its track (0 = the track's first LBA).
    public var sector: Int
}

/// The position of the arm: which cylinder, which head is selected.
public struct HeadPosition: Hashable, Sendable {
    public var cylinder: Int
    public var head: Int

    public init(cylinder: Int, head: Int) {
        self.cylinder = cylinder
        self.head = head
    }
}

/// The LBA → (cylinder, head, sector) map of a zoned disk, and where each sector passes under
/// the head as the platter turns.
///
/// LBAs run from the outermost cylinder inward, track by track (all heads of a cylinder, then
/// the next cylinder), as DiskSim's layout scheme 1 does without its spares and slipped
/// sectors (assumption: a defect-free disk, so capacity is the full geometry).
///
/// **Skew.** Sector 0 of each track is rotated from the previous track's by the *track skew*
/// (after a head switch) or the *cylinder skew* (after a one-cylinder seek), counted in
/// sectors, so that a sequential transfer that crosses tracks waits only for the switch and
/// not a whole revolution. Assumption: the formatter chose each skew as the switch time
/// rounded up to whole sectors (DiskSim's Atlas 10K file states larger measured skews, 63 and
/// 113 sectors in zone 0, which include firmware delays this model does not have).
public struct DiskLayout: Hashable, Sendable {
    /// One zone with its derived figures.
    public struct Zone: Hashable, Sendable {
        public var firstCylinder: Int
        public var cylinderCount: Int
        public var sectorsPerTrack: Int
        /// The zone's first LBA.
        public var firstLBA: UInt64
        /// Sectors by which sector 0 moves on at a head switch.
        public var trackSkew: Int
        /// Sectors by which sector 0 moves on at a one-cylinder seek.
        public var cylinderSkew: Int

        /// Blocks in one cylinder of the zone.
        public func blocksPerCylinder(heads: Int) -> Int { heads * sectorsPerTrack }
    }

    public let cylinders: Int
    public let heads: Int
    public let zones: [Zone]
    /// Blocks on the disk: Σ zones' cylinders × heads × sectors per track.
    public let blockCount: UInt64

    /// A layout without skew (for capacity); ``skewed(rotationPeriod:headSwitch:cylinderSwitch:)``
    /// adds it.
    public init(cylinders: Int, heads: Int, zones: [DiskZone]) {
        precondition(heads >= 1 && !zones.isEmpty && zones[0].firstCylinder == 0, "zones must start at cylinder 0")
        precondition(zip(zones, zones.dropFirst()).allSatisfy { $0.firstCylinder < $1.firstCylinder })
        precondition(zones.last!.firstCylinder < cylinders)
        var built: [Zone] = []
        var lba: UInt64 = 0
        for (index, zone) in zones.enumerated() {
            let end = index + 1 < zones.count ? zones[index + 1].firstCylinder : cylinders
            let count = end - zone.firstCylinder
            built.append(
                Zone(
                    firstCylinder: zone.firstCylinder, cylinderCount: count, sectorsPerTrack: zone.sectorsPerTrack,
                    firstLBA: lba, trackSkew: 0, cylinderSkew: 0))
            lba += UInt64(count * heads * zone.sectorsPerTrack)
        }
        self.cylinders = cylinders
        self.heads = heads
        self.zones = built
        self.blockCount = lba
    }

    private init(cylinders: Int, heads: Int, zones: [Zone], blockCount: UInt64) {
        self.cylinders = cylinders
        self.heads = heads
        self.zones = zones
        self.blockCount = blockCount
    }

    /// The same layout with each zone's skews set to cover `headSwitch` and `cylinderSwitch`.
    public func skewed(rotationPeriod: TimeSpan, headSwitch: TimeSpan, cylinderSwitch: TimeSpan) -> DiskLayout {
        func sectors(_ span: TimeSpan, _ perTrack: Int) -> Int {
            // ceil(span / (period / perTrack)), in integers.
            let numerator = span.picoseconds * Int64(perTrack)
            return Int((numerator + rotationPeriod.picoseconds - 1) / rotationPeriod.picoseconds)
        }
        let skewedZones = zones.map { zone in
            var copy = zone
            copy.trackSkew = sectors(headSwitch, zone.sectorsPerTrack) % zone.sectorsPerTrack
            copy.cylinderSkew = sectors(cylinderSwitch, zone.sectorsPerTrack) % zone.sectorsPerTrack
            return copy
        }
        return DiskLayout(cylinders: cylinders, heads: heads, zones: skewedZones, blockCount: blockCount)
    }

    /// The zone holding `lba`.
    public func zoneIndex(ofLBA lba: UInt64) -> Int {
        precondition(lba < blockCount, "LBA \(lba) beyond the disk")
        var low = 0
        var high = zones.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if zones[middle].firstLBA <= lba { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The zone holding `cylinder`.
    public func zoneIndex(ofCylinder cylinder: Int) -> Int {
        var low = 0
        var high = zones.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if zones[middle].firstCylinder <= cylinder { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// Where `lba` lies.
    public func locate(_ lba: UInt64) -> PhysicalBlock { locateInZone(lba).block }

    /// Where `lba` lies, and the index of its zone (one search for both).
    func locateInZone(_ lba: UInt64) -> (block: PhysicalBlock, zone: Int) {
        let index = zoneIndex(ofLBA: lba)
        let zone = zones[index]
        let offset = Int(lba - zone.firstLBA)
        let perCylinder = zone.blocksPerCylinder(heads: heads)
        let inCylinder = offset % perCylinder
        let block = PhysicalBlock(
            cylinder: zone.firstCylinder + offset / perCylinder, head: inCylinder / zone.sectorsPerTrack,
            sector: inCylinder % zone.sectorsPerTrack)
        return (block, index)
    }

    /// The first LBA of track (`cylinder`, `head`).
    public func firstLBA(cylinder: Int, head: Int) -> UInt64 {
        let zone = zones[zoneIndex(ofCylinder: cylinder)]
        return zone.firstLBA
            + UInt64((cylinder - zone.firstCylinder) * zone.blocksPerCylinder(heads: heads) + head * zone.sectorsPerTrack)
    }

    /// The angular slot (0 ..< sectors per track) in which sector `sector` of track
    /// (`cylinder`, `head`) starts: its logical index rotated by the skews accumulated since the
    /// zone's first track.
    public func slot(cylinder: Int, head: Int, sector: Int, zone: Zone) -> Int {
        let cylindersIn = cylinder - zone.firstCylinder
        let skew = cylindersIn * (zone.cylinderSkew + (heads - 1) * zone.trackSkew) + head * zone.trackSkew
        return (sector + skew) % zone.sectorsPerTrack
    }
}
