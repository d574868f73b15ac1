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
    ///   ``writeMissOverhead`` (= `write` − its buffer time) and none is destaged later;
    /// - hit and miss overheads equal, so a read costs the same from the buffer or the medium.
    ///
    /// The overheads are the calibration minus the buffer time of `calibrationBytes`, so that a
    /// command of that size costs exactly `read` / `write` plus the sub-microsecond rotation;
    /// larger commands cost more by their buffer time only.
    ///
    /// - Parameters:
    ///   - read: service time of a `calibrationBytes` READ (measured: SG_IO p50).
    ///   - write: service time of a `calibrationBytes` WRITE.
    ///   - blockCount: 512-byte blocks (rounded up to whole 512-block tracks).
    ///   - calibrationBytes: the size the times were measured at (4 KiB, `SGIOLatencyProbe`).
    ///   - bufferBitsPerSecond: the data rate past the overhead. Assumption: 8 Gb/s, a memory
    ///     copy (scsi_debug moves data with memcpy; the per-command delay dominates).
    public static func fixedLatency(
        name: String = "fixed latency", read: TimeSpan, write: TimeSpan, blockCount: UInt64, calibrationBytes: Int = 4096,
        bufferBitsPerSecond: Int64 = 8_000_000_000
    ) -> DiskModel {
        precondition(read > .zero && write > .zero && blockCount >= 1 && calibrationBytes >= 512)
        let sectorsPerTrack = 512
        let cylinders = max(2, Int((blockCount + UInt64(sectorsPerTrack) - 1) / UInt64(sectorsPerTrack)))
        let buffer = TimeSpan.transmission(bytes: calibrationBytes, bitsPerSecond: bufferBitsPerSecond)
        let readOverhead = max(.zero, read - buffer)
        let writeOverhead = max(.zero, write - buffer)
        return DiskModel(
            name: name, interface: .scsi, rpm: 60_000_000, cylinders: cylinders, heads: 1,
            zones: [DiskZone(firstCylinder: 0, sectorsPerTrack: sectorsPerTrack)],
            seek: .measured([SeekSample(1, 0)]), headSwitch: .zero, writeSettle: .zero,
            readHitOverhead: readOverhead, readMissOverhead: readOverhead,
            writeCachedOverhead: writeOverhead, writeMissOverhead: writeOverhead,
            // Assumption: a command without data (INQUIRY, TEST UNIT READY) costs a read's
            // overhead: scsi_debug delays every command alike.
            commandOverhead: readOverhead,
            cache: DiskCacheParameters(
                segmentCount: 1, segmentBlocks: 8, maxReadAheadBlocks: 0, writeCapacityBlocks: 8, writeCacheEnabled: false),
            bufferBitsPerSecond: bufferBitsPerSecond,
            // Assumption: the presets' tagged depth (REFERENCE §C.4/§C.6); the twin's target
            // keeps at most its sgQueueDepth outstanding anyway.
            queueDepth: 32,
            // Assumption: a RAM disk is ready at once.
            spinUpTime: .zero)
    }
}
