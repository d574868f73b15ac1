import Timebase

/// When an access's data moves under the heads.
struct AccessTiming: Hashable, Sendable {
    /// The first sector starts passing under the head (positioning is over).
    var start: Instant
    /// The last sector has passed.
    var end: Instant
    /// Where the arm is afterwards.
    var head: HeadPosition
}

extension DiskMechanics {
    /// The time to bring the arm from `from` to `to`: a seek if the cylinder changes (the
    /// seek includes selecting the head), else a head switch if the head changes, else
    /// nothing; a write adds the write settle whenever the arm or head moved.
    func armTime(from: HeadPosition, to: HeadPosition, write: Bool) -> TimeSpan {
        var time: TimeSpan
        if from.cylinder != to.cylinder {
            time = model.seekCurve.time(distance: abs(from.cylinder - to.cylinder))
        } else if from.head != to.head {
            time = model.headSwitch
        } else {
            return .zero
        }
        if write { time += model.writeSettle }
        return time
    }

    /// The wait at `time` until angular slot `slot` (of `sectorsPerTrack`) reaches the head.
    /// The platter turns continuously from angle 0 at time zero: slot k starts at
    /// k · period / sectorsPerTrack into each revolution.
    func rotationalWait(at time: Instant, slot: Int, sectorsPerTrack: Int) -> TimeSpan {
        let period = model.rotationPeriod.picoseconds
        let phase = time.picoseconds % period
        var wait = Int64(slot) * period / Int64(sectorsPerTrack) - phase
        if wait < 0 { wait += period }
        return TimeSpan(picoseconds: wait)
    }

    /// The time `count` consecutive slots from `slot` take to pass under the head.
    func slotsTime(from slot: Int, count: Int, sectorsPerTrack: Int) -> TimeSpan {
        let period = model.rotationPeriod.picoseconds
        let perTrack = Int64(sectorsPerTrack)
        return TimeSpan(
            picoseconds: Int64(slot + count) * period / perTrack - Int64(slot) * period / perTrack)
    }

    /// Reads or writes `blocks` from `lba` with the arm at `from` at `time`: position the arm,
    /// wait for the first sector, transfer track by track (a head switch or a one-cylinder
    /// seek between tracks, then the wait for the next track's first sector, which the skew
    /// keeps short). With `positioningOnly` it stops when the first sector arrives (`end` is
    /// then `start`): all a scheduler comparing queued accesses needs.
    func move(
        lba: UInt64, blocks: Int, from: HeadPosition, at time: Instant, write: Bool, positioningOnly: Bool = false,
        located known: (block: PhysicalBlock, zone: Int)? = nil
    ) -> AccessTiming {
        precondition(blocks > 0)
        let layout = model.layout
        let located = known ?? layout.locateInZone(lba)
        var place = located.block
        var zone = layout.zones[located.zone]
        var head = HeadPosition(cylinder: place.cylinder, head: place.head)
        var now = time + armTime(from: from, to: head, write: write)
        var start: Instant?
        var remaining = blocks
        while true {
            let perTrack = zone.sectorsPerTrack
            let slot = layout.slot(cylinder: place.cylinder, head: place.head, sector: place.sector, zone: zone)
            now += rotationalWait(at: now, slot: slot, sectorsPerTrack: perTrack)
            if start == nil {
                start = now
                if positioningOnly { return AccessTiming(start: now, end: now, head: head) }
            }
            let count = min(remaining, perTrack - place.sector)
            now += slotsTime(from: slot, count: count, sectorsPerTrack: perTrack)
            remaining -= count
            if remaining == 0 { break }
            // The next track: the next head, or head 0 of the next cylinder.
            var next = head
            if head.head + 1 < layout.heads {
                next.head += 1
            } else {
                next = HeadPosition(cylinder: head.cylinder + 1, head: 0)
                if next.cylinder >= zone.firstCylinder + zone.cylinderCount {
                    zone = layout.zones[layout.zoneIndex(ofCylinder: next.cylinder)]
                }
            }
            now += armTime(from: head, to: next, write: write)
            head = next
            place = PhysicalBlock(cylinder: next.cylinder, head: next.head, sector: 0)
        }
        return AccessTiming(start: start!, end: now, head: head)
    }
}
