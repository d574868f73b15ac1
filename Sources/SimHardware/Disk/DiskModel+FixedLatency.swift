import Timebase

extension DiskModel {
    /// A "disk" with no mechanics: every read costs `read`, every write `write`, whatever its
    /// LBA — the simulated stand-in for a device measured through SG_IO (the sim-vs-real report
    /// calibrates it from `SGIOLatencyProbe`'s p50 in the VM, where the device is `scsi_debug`,
    /// a RAM disk that delays each command by one jiffy).
    ///
    /// How the mechanical model is made to vanish (the smallest change: the same `SimDisk`):
    /// - seeks are zero at every distance (one measured sample of 0 ms; seek(0) = 0);
    /// - 60,000,000 rpm: one revolution is 1 µs, so rotational latency is below 1 µs and a
    ///   4 KiB media transfer (8 of 512 sectors per track) takes 16 ns;
    /// - head switch, write settle and read-ahead zero; write cache off, so every write pays
    ///   ``writeMissOverhead`` = `write` (+ rotation and media) and none is destaged later;
    /// - a read from the medium costs ``readMissOverhead`` = `read` (+ rotation and media, < 1 µs);
    ///   one from the buffer ``readHitOverhead`` + its buffer time, with the hit overhead set to
    ///   `read` − the buffer time of `calibrationBytes`: so a command of that size costs `read`
    ///   either way. Larger commands cost about the same (their media time grows by 0.5 ns per
    ///   block): as on scsi_debug, whose per-command delay dominates its memcpy.
    ///
    /// - Parameters:
    ///   - read: service time of a `calibrationBytes` READ (measured: SG_IO p50).
    ///   - write: service time of a `calibrationBytes` WRITE.
    ///   - blockCount: 512-byte blocks (rounded up to whole 512-block tracks).
    ///   - calibrationBytes: the size the times were measured at (4 KiB, `SGIOLatencyProbe`).
    ///   - bufferBitsPerSecond: the data rate past the overhead. Assumption: 8 Gb/s, a memory
    ///     copy (scsi_debug moves data with memcpy; the per-command delay dominates).
    ///   - overlap: commands in service at once (``overlap``), each costing its fixed time from
    ///     when it starts, independently of the others. Default 1: one at a time, as a drive.
    ///     scsi_debug overlaps every command it holds: `schedule_resp()` in the kernel's
    ///     `drivers/scsi/scsi_debug.c` arms one timer per command (`hrtimer_start(&sd_dp->hrt,
    ///     …)`, `sdebug_jdelay` jiffies, `DEF_JDELAY` 1), so what limits the overlap on a real
    ///     path is whoever issues SG_IO: the real target's `sgWorkers` threads, each blocked in
    ///     one ioctl at a time (the twin passes that).
    ///   - order: the order queued commands start in (``order``); nil: the interface's, shortest
    ///     positioning time first, which with no mechanics puts the cheaper of READ and WRITE
    ///     always first. `.firstComeFirstServed` is the real target's: its sg workers take
    ///     commands from one FIFO.
    public static func fixedLatency(
        name: String = "fixed latency", read: TimeSpan, write: TimeSpan, blockCount: UInt64, calibrationBytes: Int = 4096,
        bufferBitsPerSecond: Int64 = 8_000_000_000, overlap: Int = 1, order: DiskScheduling? = nil
    ) -> DiskModel {
        precondition(read > .zero && write > .zero && blockCount >= 1 && calibrationBytes >= 512 && overlap >= 1)
        let sectorsPerTrack = 512
        let cylinders = max(2, Int((blockCount + UInt64(sectorsPerTrack) - 1) / UInt64(sectorsPerTrack)))
        let buffer = TimeSpan.transmission(bytes: calibrationBytes, bitsPerSecond: bufferBitsPerSecond)
        let readHit = max(.zero, read - buffer)
        let writeCached = max(.zero, write - buffer)
        var model = DiskModel(
            name: name, interface: .scsi, rpm: 60_000_000, cylinders: cylinders, heads: 1,
            zones: [DiskZone(firstCylinder: 0, sectorsPerTrack: sectorsPerTrack)],
            seek: .measured([SeekSample(1, 0)]), headSwitch: .zero, writeSettle: .zero,
            readHitOverhead: readHit, readMissOverhead: read,
            writeCachedOverhead: writeCached, writeMissOverhead: write,
            // Assumption: a command without data (INQUIRY, TEST UNIT READY) costs a read's
            // overhead: scsi_debug delays every command alike.
            commandOverhead: read,
            cache: DiskCacheParameters(
                segmentCount: 1, segmentBlocks: 8, maxReadAheadBlocks: 0, writeCapacityBlocks: 8, writeCacheEnabled: false),
            bufferBitsPerSecond: bufferBitsPerSecond,
            // Assumption: the presets' tagged depth (REFERENCE §C.4/§C.6); the twin's target
            // keeps at most its sgQueueDepth outstanding anyway. At least `overlap`, so every
            // slot can be filled.
            queueDepth: max(32, overlap),
            // Assumption: a RAM disk is ready at once.
            spinUpTime: .zero)
        model.overlap = overlap
        model.order = order
        return model
    }
}
