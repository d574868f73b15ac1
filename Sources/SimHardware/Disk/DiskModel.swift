import Timebase

/// The parameters of a drive model: geometry, mechanism, overheads, buffer, interface; and
/// the figures derived from them (capacity, rotation period, skewed layout, seek curve, the
/// mean seek of random I/O).
///
/// Presets: ``atlas10K``, ``cheetah15K``, ``barracudaATA4`` (in `DiskModel+Presets.swift`).
public struct DiskModel: Hashable, Sendable {
    /// A short name for reports (`"Atlas 10K"`).
    public var name: String
    /// The command set and its queueing: SCSI (tagged) or ATA (one command at a time).
    public var interface: DiskInterface
    /// Spindle speed, revolutions per minute.
    public var rpm: Int
    /// Cylinders (tracks per surface).
    public var cylinders: Int
    /// Data surfaces (heads).
    public var heads: Int
    /// Time to select another head on the same cylinder.
    public var headSwitch: TimeSpan
    /// Extra settling before writing after a seek or a head switch.
    public var writeSettle: TimeSpan
    /// Controller time for a read served from the buffer.
    public var readHitOverhead: TimeSpan
    /// Controller time for a read that needs the medium (before the seek starts).
    public var readMissOverhead: TimeSpan
    /// Controller time for a write taken into the write cache.
    public var writeCachedOverhead: TimeSpan
    /// Controller time for a write that goes to the medium (write-through, FUA, destage).
    public var writeMissOverhead: TimeSpan
    /// Controller time for a command that needs neither buffer nor medium (INQUIRY, errors).
    public var commandOverhead: TimeSpan
    /// The buffer.
    public var cache: DiskCacheParameters
    /// The rate between the drive's buffer and its interface (the loop models the wire; this
    /// is what the drive itself costs to move a cache hit or a cached write), bits per second.
    public var bufferBitsPerSecond: Int64
    /// Commands the drive accepts at once (tagged queue depth; 1 for ATA).
    public var queueDepth: Int
    /// From power on to ready.
    public var spinUpTime: TimeSpan
    /// Accesses in service at once, each costing what the mechanism says as if it were alone:
    /// 1 for a drive (one arm). More only for a model without mechanics whose commands overlap
    /// (``fixedLatency(name:read:write:blockCount:calibrationBytes:bufferBitsPerSecond:overlap:order:)``):
    /// the mechanism's state (arm, buffer) is then shared by the accesses in service, which
    /// a mechanical model would get wrong.
    public var overlap = 1
    /// The order queued accesses start in; nil: the interface's (SCSI: shortest positioning
    /// time first; ATA: first come, first served).
    public var order: DiskScheduling?

    // MARK: Derived

    /// The layout with its skews.
    public let layout: DiskLayout
    /// Seek time per distance.
    public let seekCurve: SeekCurve
    /// The seek distances uniform random LBAs produce.
    public let seekDistances: SeekDistanceDistribution
    /// Mean seek time of independent uniformly random LBAs: Σ_d P(d) · seek(d), over the
    /// distance distribution of ``seekDistances`` (seek(0) = 0). The quantity a random-I/O
    /// throughput formula needs.
    public let averageRandomSeek: TimeSpan

    /// A model; the layout, seek curve and mean random seek are derived here.
    public init(
        name: String, interface: DiskInterface, rpm: Int, cylinders: Int, heads: Int, zones: [DiskZone],
        seek: SeekProfile, headSwitch: TimeSpan, writeSettle: TimeSpan, readHitOverhead: TimeSpan,
        readMissOverhead: TimeSpan, writeCachedOverhead: TimeSpan, writeMissOverhead: TimeSpan,
        commandOverhead: TimeSpan, cache: DiskCacheParameters, bufferBitsPerSecond: Int64, queueDepth: Int,
        spinUpTime: TimeSpan
    ) {
        precondition(rpm > 0 && cylinders > 1 && queueDepth >= 1 && bufferBitsPerSecond > 0)
        precondition(interface == .scsi || queueDepth == 1, "ATA drives run one command at a time")
        self.name = name
        self.interface = interface
        self.rpm = rpm
        self.cylinders = cylinders
        self.heads = heads
        self.headSwitch = headSwitch
        self.writeSettle = writeSettle
        self.readHitOverhead = readHitOverhead
        self.readMissOverhead = readMissOverhead
        self.writeCachedOverhead = writeCachedOverhead
        self.writeMissOverhead = writeMissOverhead
        self.commandOverhead = commandOverhead
        self.cache = cache
        self.bufferBitsPerSecond = bufferBitsPerSecond
        self.queueDepth = queueDepth
        self.spinUpTime = spinUpTime
        let plain = DiskLayout(cylinders: cylinders, heads: heads, zones: zones)
        let distances = SeekDistanceDistribution(layout: plain)
        let curve = SeekCurve(seek, cylinders: cylinders, distances: distances)
        let period = TimeSpan(picoseconds: 60_000_000_000_000 / Int64(rpm))
        seekDistances = distances
        seekCurve = curve
        layout = plain.skewed(rotationPeriod: period, headSwitch: headSwitch, cylinderSwitch: curve.time(distance: 1))
        averageRandomSeek = TimeSpan(seconds: distances.mean { curve.time(distance: $0).seconds })
    }

    /// One revolution: 60 s / rpm, in whole picoseconds.
    public var rotationPeriod: TimeSpan { TimeSpan(picoseconds: 60_000_000_000_000 / Int64(rpm)) }

    /// Logical blocks (512 bytes) on the disk, from the geometry.
    public var blockCount: UInt64 { layout.blockCount }

    /// The media rate of `zone` while on one track: sectors per track × 512 × rpm / 60, bytes per second.
    public func trackMediaRate(zone: Int) -> Double {
        Double(layout.zones[zone].sectorsPerTrack * 512) / rotationPeriod.seconds
    }

    /// The time to move `bytes` between the buffer and the interface.
    public func bufferTransfer(bytes: Int) -> TimeSpan {
        .transmission(bytes: bytes, bitsPerSecond: bufferBitsPerSecond)
    }
}

extension DiskModel: CustomStringConvertible {
    /// The model's name.
    public var description: String { name }
}
