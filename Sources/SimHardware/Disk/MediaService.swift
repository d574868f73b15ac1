import Timebase

/// What one media access cost the drive, as ``DiskMechanics/service(_:at:)`` timed it.
public struct MediaService: Hashable, Sendable {
    /// From the start of service to the response being ready in the buffer.
    public var duration: TimeSpan
    /// The part of ``duration`` spent by the mechanism (seeks, rotation, media transfer,
    /// destaging): what a slowed-down drive stretches.
    public var mechanicalTime: TimeSpan
    /// The write cache was written to the medium: the command set must now destage its
    /// volatile blocks (``SCSITarget/destageWriteCache()``).
    public var destagedWriteCache: Bool
    /// Served from the buffer (a read hit, read-ahead, or a write into the write cache).
    public var servedFromBuffer: Bool

    public init(duration: TimeSpan, mechanicalTime: TimeSpan, destagedWriteCache: Bool, servedFromBuffer: Bool) {
        self.duration = duration
        self.mechanicalTime = mechanicalTime
        self.destagedWriteCache = destagedWriteCache
        self.servedFromBuffer = servedFromBuffer
    }
}
