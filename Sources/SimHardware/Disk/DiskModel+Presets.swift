import Timebase

extension DiskModel {
    /// Quantum Atlas 10K (≈9 GB, 10,025 rpm, SCSI): DiskSim's validated model.
    ///
    /// Source for geometry, mechanism, overheads and cache: westerndigitalcorporation/DiskSim
    /// `EXPERIMENTAL/Linux_WCE_Generic/valid/atlas10k.model` (6 surfaces, 10,042 cylinders, 24
    /// zones of 334 → 229 sectors per track, single-cylinder seek 1.245 ms, full stroke 10.828
    /// ms, write settle 0.487 ms, head switch 0.176 ms, 10,025 rpm), `atlas10k.diskspecs` (10
    /// segments of 374 blocks, read-ahead ≤ 354 blocks, one write segment, fast write level 2
    /// = write cache on, read-hit overhead 0.184 ms, read-miss 0, write-hit-after-write 0.189
    /// ms, write-miss-after-write 0.497 ms) and the measured seek curve `atlas10k.seek` (below,
    /// verbatim). REFERENCE.md §C.4 quotes the same figures.
    public static let atlas10K = DiskModel(
        name: "Atlas 10K", interface: .scsi, rpm: 10_025, cylinders: 10_042, heads: 6,
        zones: [
            (0, 334), (433, 334), (849, 334), (1265, 324), (1689, 324), (2105, 324), (2521, 324), (2937, 324),
            (3361, 324), (3777, 324), (4193, 324), (4609, 306), (5033, 306), (5449, 302), (5865, 293), (6281, 288),
            (6705, 288), (7121, 280), (7537, 270), (7953, 262), (8377, 255), (8793, 246), (9209, 237), (9625, 229),
        ].map { DiskZone(firstCylinder: $0.0, sectorsPerTrack: $0.1) },
        seek: .measured(atlas10KSeekSamples),
        headSwitch: .microseconds(176), writeSettle: .microseconds(487),
        readHitOverhead: .microseconds(184), readMissOverhead: .zero,
        writeCachedOverhead: .microseconds(189), writeMissOverhead: .microseconds(497),
        // Assumption: a command that touches neither buffer nor medium costs a read hit's overhead.
        commandOverhead: .microseconds(184),
        cache: DiskCacheParameters(
            segmentCount: 10, segmentBlocks: 374, maxReadAheadBlocks: 354, writeCapacityBlocks: 374,
            writeCacheEnabled: true),
        // Assumption: the buffer moves data at the Ultra2 Wide SCSI burst rate, 80 MB/s.
        bufferBitsPerSecond: 640_000_000,
        // REFERENCE §C.4/§C.6: TCQ depth 32 for SCSI/FC disks.
        queueDepth: 32,
        // REFERENCE §C.4: a 10K SCSI drive (Cheetah 10K.6) is ready ≤ 20 s after motor start.
        spinUpTime: .seconds(20))

    /// A 15K rpm SCSI drive shaped after the Seagate Cheetah 15K.3 (36.7 GB, 2002).
    ///
    /// REFERENCE §C.4: 15,000 rpm and 2.0 ms average rotational latency are stated (Cheetah
    /// 15K.7 manual); the 15K.3 figures used here are **unverified**: ≈3.6 ms average read
    /// seek, ≈49–75 MB/s sustained (inner → outer), 8 MB buffer, Ultra320. Derived: 75 MB/s ÷
    /// (512 B × 250 rev/s) ≈ 586 sectors per track outer, 49 MB/s → 383 inner. Assumptions
    /// (no data sheet retrieved): 4 surfaces, 37,000 cylinders (≈ 36.7 GB), 10 equal zones
    /// falling linearly, single-cylinder seek 0.2 ms, full stroke 7.4 ms, head switch and
    /// write settle and overheads as the Atlas 10K's DiskSim figures (same era of firmware).
    public static let cheetah15K = DiskModel(
        name: "Cheetah 15K", interface: .scsi, rpm: 15_000, cylinders: 37_000, heads: 4,
        zones: DiskZone.linear(cylinders: 37_000, count: 10, outer: 586, inner: 383),
        seek: .threePoint(
            singleCylinder: .microseconds(200), average: .microseconds(3_600), fullStroke: .microseconds(7_400)),
        headSwitch: .microseconds(176), writeSettle: .microseconds(487),
        readHitOverhead: .microseconds(184), readMissOverhead: .zero,
        writeCachedOverhead: .microseconds(189), writeMissOverhead: .microseconds(497),
        commandOverhead: .microseconds(184),
        // Assumption: the usable cache of the Cheetah 10K.6's 8 MB buffer (6,877 KB, REFERENCE
        // §C.4) in 16 segments of 860 blocks; one segment of write cache, as the Atlas 10K.
        cache: DiskCacheParameters(
            segmentCount: 16, segmentBlocks: 860, maxReadAheadBlocks: 840, writeCapacityBlocks: 860,
            writeCacheEnabled: true),
        // REFERENCE §C.4: Ultra320 (320 MB/s).
        bufferBitsPerSecond: 2_560_000_000,
        queueDepth: 32,
        spinUpTime: .seconds(20))

    /// Seagate Barracuda ATA IV (80 GB, 7200 rpm, ATA-100), REFERENCE §C.4: 555 Mbit/s media
    /// data rate, 10.8 ms measured average seek, 2 MB buffer, queue depth 1 (ATA TCQ was
    /// "extremely rare"). Derived: 555e6 ÷ 8 ÷ (512 B × 120 rev/s) ≈ 1,129 sectors per track
    /// outer. Assumptions (no data sheet retrieved): inner zone at 60 % of the outer rate (677
    /// sectors), 4 surfaces, 43,300 cylinders (≈ 80 GB) in 16 equal zones; single-cylinder
    /// seek 1.0 ms and full stroke 21 ms (typical of 7200 rpm ATA drives of 2002); overheads
    /// 0.1 ms (0.2 ms for a write through to the medium); head switch 0.2 ms and write settle
    /// 0.5 ms, close to the Atlas 10K's; write cache on (ATA drives ship with it on); 4
    /// segments of 1,000 blocks in the 2 MB buffer; spin-up 10 s.
    public static let barracudaATA4 = DiskModel(
        name: "Barracuda ATA IV", interface: .ata, rpm: 7_200, cylinders: 43_300, heads: 4,
        zones: DiskZone.linear(cylinders: 43_300, count: 16, outer: 1_129, inner: 677),
        seek: .threePoint(
            singleCylinder: .microseconds(1_000), average: .microseconds(10_800), fullStroke: .microseconds(21_000)),
        headSwitch: .microseconds(200), writeSettle: .microseconds(500),
        readHitOverhead: .microseconds(100), readMissOverhead: .microseconds(100),
        writeCachedOverhead: .microseconds(100), writeMissOverhead: .microseconds(200),
        commandOverhead: .microseconds(100),
        cache: DiskCacheParameters(
            segmentCount: 4, segmentBlocks: 1_000, maxReadAheadBlocks: 1_000, writeCapacityBlocks: 1_000,
            writeCacheEnabled: true),
        // REFERENCE §C.4: ATA-100 (100 MB/s).
        bufferBitsPerSecond: 800_000_000,
        queueDepth: 1,
        spinUpTime: .seconds(10))

    /// DiskSim's measured Atlas 10K seek curve, `atlas10k.seek` (distance in cylinders, ms).
    static let atlas10KSeekSamples: [SeekSample] = [
        (1, 1.245), (2, 1.157), (3, 1.163), (4, 1.378), (5, 1.355), (6, 1.437), (7, 1.494), (8, 1.645),
        (9, 1.506), (10, 1.531), (12, 1.515), (14, 1.535), (16, 1.547), (18, 1.576), (20, 1.620), (25, 1.628),
        (30, 1.698), (35, 1.804), (40, 1.929), (45, 2.051), (50, 1.863), (60, 2.313), (70, 1.927), (80, 2.420),
        (90, 1.970), (100, 2.011), (125, 2.083), (150, 2.531), (175, 2.380), (200, 2.651), (225, 2.785),
        (250, 2.858), (275, 2.843), (300, 2.930), (325, 2.992), (350, 2.987), (375, 3.047), (400, 3.146),
        (425, 3.065), (450, 3.159), (475, 3.298), (500, 3.208), (600, 3.097), (700, 3.263), (800, 3.321),
        (900, 3.516), (1000, 3.820), (1100, 3.892), (1200, 3.825), (1300, 3.920), (1400, 5.225), (1500, 4.198),
        (1600, 4.513), (1700, 4.305), (1800, 4.426), (1900, 4.802), (2000, 4.842), (2100, 4.975), (2200, 5.013),
        (2300, 5.162), (2400, 4.891), (2500, 5.224), (2600, 5.395), (2700, 5.158), (2800, 5.218), (2900, 5.320),
        (3000, 5.643), (3100, 5.468), (3200, 5.465), (3300, 5.630), (3400, 5.664), (3500, 5.703), (3600, 5.809),
        (3700, 5.862), (3800, 6.059), (3900, 6.200), (4000, 6.226), (4100, 6.313), (4200, 6.415), (4300, 6.255),
        (4400, 6.357), (4500, 6.405), (4600, 6.486), (4700, 9.463), (4800, 6.714), (4900, 6.816), (5000, 6.814),
        (5100, 7.239), (5200, 7.306), (5300, 7.025), (5400, 7.103), (5500, 7.257), (5600, 7.221), (5700, 7.332),
        (5800, 7.377), (5900, 7.443), (6000, 7.525), (6100, 7.610), (6200, 7.706), (6300, 7.744), (6400, 7.806),
        (6500, 7.892), (6600, 7.992), (6700, 8.079), (6800, 8.078), (6900, 8.170), (7000, 8.205), (7100, 8.359),
        (7200, 8.686), (7300, 8.778), (7400, 8.539), (7500, 8.551), (7600, 8.999), (7700, 8.714), (7800, 9.192),
        (7900, 8.852), (8000, 8.951), (8100, 9.058), (8200, 9.117), (8300, 9.137), (8400, 9.213), (8500, 9.337),
        (8600, 9.433), (8700, 9.542), (8800, 9.494), (8900, 9.650), (9000, 10.114), (9100, 10.092), (9200, 9.807),
        (9300, 9.911), (9400, 10.234), (9500, 10.499), (9600, 10.160), (9700, 10.664), (9800, 10.694),
        (9900, 10.854), (10000, 10.464), (10021, 10.828),
    ].map { SeekSample($0.0, $0.1) }
}
