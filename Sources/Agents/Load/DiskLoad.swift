import Hardware

/// What a ``DiskLoadGenerator`` does: fio's job parameters, for SCSI generic devices.
public struct DiskLoad: Sendable {
    public enum Pattern: Sendable { case random, sequential }

    /// The share of I/Os that are reads, 0…100.
    public var readPercent: Int
    /// Bytes per I/O: a multiple of the devices' block length.
    public var blockSize: Int
    /// I/Os kept outstanding per device.
    public var queueDepth: Int
    public var pattern: Pattern
    /// The bytes of each device the I/Os touch, from LBA 0; nil for the whole device.
    public var workingSet: Int64?
    /// I/Os per second per device, or nil for a closed loop (the next I/O when one completes).
    public var rate: Double?
    /// The pause between a completion and the next submission.
    public var thinkTime: TimeSpan
    /// When to start and stop issuing, from the runtime's time zero.
    public var start: Instant
    public var stop: Instant
    /// Each I/O's timeout (`sg_io_hdr.timeout`).
    public var timeout: TimeSpan
    /// Stamp every written sector and check every read against the last acknowledged write.
    public var verify: Bool

    public init(
        readPercent: Int, blockSize: Int, queueDepth: Int, pattern: Pattern, workingSet: Int64? = nil,
        rate: Double? = nil, thinkTime: TimeSpan = .zero, start: Instant = .zero, stop: Instant, timeout: TimeSpan,
        verify: Bool = true
    ) {
        precondition((0...100).contains(readPercent) && blockSize > 0 && queueDepth > 0 && start < stop)
        self.readPercent = readPercent
        self.blockSize = blockSize
        self.queueDepth = queueDepth
        self.pattern = pattern
        self.workingSet = workingSet
        self.rate = rate
        self.thinkTime = thinkTime
        self.start = start
        self.stop = stop
        self.timeout = timeout
        self.verify = verify
    }
}

/// How one I/O of a load ended.
public struct DiskIORecord: Sendable {
    public enum Outcome: Sendable, Equatable {
        case success
        /// The device or the path answered with an error (CHECK CONDITION, a host error…).
        case error
        case timeout
    }

    /// Index of the device in the generator's list.
    public var device: Int
    public var isRead: Bool
    public var bytes: Int
    public var submitted: Instant
    public var latency: TimeSpan
    public var outcome: Outcome
}

/// Told of every completed I/O (to build histograms and time series).
public protocol DiskLoadObserver: AnyObject {
    func diskIOCompleted(_ record: DiskIORecord)
}

/// Totals of a load, including what the integrity oracle found.
public struct DiskLoadTotals: Sendable, Equatable {
    public var reads = 0
    public var writes = 0
    public var bytesRead: Int64 = 0
    public var bytesWritten: Int64 = 0
    public var errors = 0
    public var timeouts = 0
    /// Submissions the device refused (queue full, device gone).
    public var refused = 0
    /// Reads that returned an older value than the last acknowledged write (or zeros).
    public var lostAcknowledgedWrites = 0
    /// Reads that returned data no write of this load put there.
    public var integrityViolations = 0
    /// Devices whose capacity could not be read (they got no I/O).
    public var unusableDevices = 0

    public init() {}
}
