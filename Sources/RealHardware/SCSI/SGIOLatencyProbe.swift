import Hardware

/// Measures a SCSI device's SG_IO latency and throughput through a ``RealSCSIGenericDevice``
/// on its loop: the calibration the sim-vs-real report needs (issue #8, item 5).
///
/// - Latency at queue depth 1: `samples` 4 KiB READ(10)s, then as many WRITE(10)s, one at a
///   time, at LBAs spread over the probed range; each command's time from submit to its
///   completion on the loop (what an agent sees) and the worker's time inside `ioctl(SG_IO)`.
/// - Throughput at depth ``depth``: `samples` × 2 4 KiB READs (then WRITEs), ``depth`` kept
///   outstanding, bytes over wall time.
///
/// Never asserts anything about durations: they depend on the machine (and, in the VM, on an
/// emulator sharing two cores with whatever else runs).
///
/// - Warning: The WRITEs overwrite `blocksAtEnd` blocks' worth of the device; use a scratch
///   disk (scsi_debug) only.
public struct SGIOLatencyProbe {
    /// The bytes of each command: 4 KiB, the issue's calibration size (a page; the agents'
    /// segment size).
    public static let transferSize = 4096

    public var samples: Int
    public var depth: Int
    /// The first LBA of the probed region.
    public var firstLBA: UInt32
    /// The probe uses LBAs ``firstLBA`` ..< ``firstLBA`` + this many blocks (4 MiB of 512-byte
    /// blocks: small enough that reads and writes meet the same device cache behaviour;
    /// assumption).
    public var regionBlocks: UInt32
    /// Each command's timeout (assumption: 30 s, Linux sd's SD_TIMEOUT, far above any answer).
    public var timeout: TimeSpan

    public init(
        samples: Int = 200, depth: Int = 8, firstLBA: UInt32 = 0, regionBlocks: UInt32 = 8192,
        timeout: TimeSpan = .seconds(30)
    ) {
        precondition(samples >= 1 && depth >= 1 && regionBlocks >= 8)
        self.samples = samples
        self.firstLBA = firstLBA
        self.depth = depth
        self.regionBlocks = regionBlocks
        self.timeout = timeout
    }

    /// Runs the probe on `device` (opened on `runtime`, with at least ``depth`` queue depth) whose
    /// logical blocks are `blockLength` bytes. When a command fails, the probe stops there
    /// and the report's ``SGIOLatencyReport/failure`` is its line.
    public func run(on device: RealSCSIGenericDevice, runtime: RealNodeRuntime, blockLength: Int) -> SGIOLatencyReport {
        let collector = ProbeCollector()
        var report = SGIOLatencyReport(device: device.name, workerThreads: device.configuration.workerThreads)
        let blocksPerCommand = max(Self.transferSize / blockLength, 1)
        let bytes = blocksPerCommand * blockLength
        let slots = Int(regionBlocks) / blocksPerCommand
        // LBAs hop through the region by a stride coprime to the slot count (not sequential,
        // so no read-ahead helps; deterministic, so runs compare).
        let stride = Self.coprimeStride(for: slots)
        func lba(_ index: Int) -> UInt32 { firstLBA + UInt32((index * stride) % slots * blocksPerCommand) }
        // One pattern for every write: building 4 KiB per command would time the loop's CPU,
        // not SG_IO (a debug build in the emulated guest takes milliseconds for it).
        let pattern = (0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
        func request(_ write: Bool, _ index: Int) -> SCSIRequest {
            // Force unwrap: a 10-byte CDB, a positive timeout and 4 KiB are always valid.
            return write
                ? try! SCSIRequest(
                    CDB.Write10(lba: lba(index), transferLength: UInt16(blocksPerCommand)),
                    dataTransfer: .toDevice(pattern), timeout: timeout, tag: UInt64(index))
                : try! SCSIRequest(
                    CDB.Read10(lba: lba(index), transferLength: UInt16(blocksPerCommand)),
                    dataTransfer: .fromDevice(count: bytes), timeout: timeout, tag: UInt64(index))
        }

        for write in [false, true] {
            // Depth 1: one at a time.
            var endToEnd: [TimeSpan] = []
            var inIoctl: [TimeSpan] = []
            for index in 0..<samples {
                collector.reset()
                do {
                    try device.submit(request(write, index), handler: collector)
                } catch {
                    report.failure = "\(device.name): submit failed: \(error)"
                    return report
                }
                runtime.run(until: { collector.completions.count == 1 }, deadline: runtime.now + timeout * 2)
                guard let completion = collector.completions.first, completion.isGood else {
                    report.failure =
                        collector.completions.first.map { device.describe($0) }
                        ?? "\(device.name): no completion"
                    return report
                }
                endToEnd.append(completion.duration)
                inIoctl.append(device.statistics.lastExecutionTime)
            }
            // Depth `depth`: keep that many outstanding.
            collector.reset()
            let total = samples * 2
            var issued = 0
            let started = runtime.now
            let ioctlBefore = device.statistics.executionTime
            collector.onCompletion = { [unowned collector] in
                while issued < total && issued - collector.completions.count < depth {
                    try? device.submit(request(write, issued), handler: collector)
                    issued += 1
                }
            }
            collector.onCompletion?()
            runtime.run(until: { collector.completions.count == total }, deadline: runtime.now + timeout * 4)
            collector.onCompletion = nil
            let elapsed = runtime.now - started
            let ioctlAtDepth = device.statistics.executionTime - ioctlBefore
            if let bad = collector.completions.first(where: { !$0.isGood }) {
                report.failure = device.describe(bad)
                return report
            }
            guard collector.completions.count == total else {
                report.failure = "\(device.name): \(collector.completions.count) of \(total) completions"
                return report
            }
            let figures = SGIOLatencyReport.Figures(
                samples: samples, p50: Self.percentile(endToEnd, 50), p99: Self.percentile(endToEnd, 99),
                ioctlP50: Self.percentile(inIoctl, 50), ioctlP99: Self.percentile(inIoctl, 99),
                depth: depth, commandsAtDepth: total, elapsedAtDepth: elapsed,
                ioctlMeanAtDepth: TimeSpan(picoseconds: ioctlAtDepth.picoseconds / Int64(total)), bytesPerCommand: bytes
            )
            if write { report.write = figures } else { report.read = figures }
        }
        return report
    }

    /// The nearest-rank percentile (the smallest value with at least `p` % of the values at or below it).
    static func percentile(_ values: [TimeSpan], _ p: Int) -> TimeSpan {
        guard !values.isEmpty else { return .zero }
        let sorted = values.sorted()
        let rank = (p * sorted.count + 99) / 100
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// The smallest stride above half of `count` with no common factor with it.
    static func coprimeStride(for count: Int) -> Int {
        guard count > 2 else { return 1 }
        var stride = count / 2 + 1
        while gcd(stride, count) != 1 { stride += 1 }
        return stride
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}

/// Collects a probe's completions on the loop.
private final class ProbeCollector: SCSICompletionHandler {
    var completions: [SCSICompletion] = []
    var onCompletion: (() -> Void)?

    func reset() { completions.removeAll(keepingCapacity: true) }

    func scsiRequestCompleted(_ completion: SCSICompletion) {
        completions.append(completion)
        onCompletion?()
    }
}

/// What ``SGIOLatencyProbe`` measured.
public struct SGIOLatencyReport: Hashable, Sendable, CustomStringConvertible {
    /// One direction's figures.
    public struct Figures: Hashable, Sendable {
        public var samples: Int
        /// Submit to completion on the loop, at depth 1.
        public var p50: TimeSpan
        public var p99: TimeSpan
        /// Inside `ioctl(SG_IO)` on the worker, at depth 1.
        public var ioctlP50: TimeSpan
        public var ioctlP99: TimeSpan
        public var depth: Int
        public var commandsAtDepth: Int
        public var elapsedAtDepth: TimeSpan
        /// The mean time one command spent inside `ioctl(SG_IO)` at ``depth``.
        public var ioctlMeanAtDepth: TimeSpan
        public var bytesPerCommand: Int

        /// Bytes per second at ``depth`` (bytes × commands / elapsed).
        public var bytesPerSecondAtDepth: Double {
            let seconds = Double(elapsedAtDepth.picoseconds) / 1e12
            return seconds > 0 ? Double(bytesPerCommand * commandsAtDepth) / seconds : 0
        }

        /// Commands per second at ``depth``.
        public var commandsPerSecondAtDepth: Double {
            let seconds = Double(elapsedAtDepth.picoseconds) / 1e12
            return seconds > 0 ? Double(commandsAtDepth) / seconds : 0
        }
    }

    public var device: String
    public var workerThreads: Int
    public var read: Figures?
    public var write: Figures?
    /// The first failure, as one line; nil when every command was good.
    public var failure: String?

    public init(device: String, workerThreads: Int) {
        self.device = device
        self.workerThreads = workerThreads
    }

    /// Lines like `SG_IO 4 KiB READ on /dev/sg0, depth 1: p50 412 µs, p99 1.2 ms (in the ioctl
    /// p50 380 µs, p99 1.1 ms); depth 8 (1 worker): 9.1 MB/s, 2231 commands/s`.
    public var description: String {
        if let failure { return "SG_IO probe on \(device) failed: \(failure)" }
        var lines: [String] = []
        for (name, figures) in [("READ", read), ("WRITE", write)] {
            guard let figures else { continue }
            let megabytes = (figures.bytesPerSecondAtDepth / 1e5).rounded() / 10
            lines.append(
                "SG_IO \(figures.bytesPerCommand / 1024) KiB \(name) on \(device), depth 1 (\(figures.samples) commands): "
                    + "p50 \(figures.p50), p99 \(figures.p99) (in the ioctl p50 \(figures.ioctlP50), p99 \(figures.ioctlP99)); "
                    + "depth \(figures.depth) (\(workerThreads) worker\(workerThreads == 1 ? "" : "s"), "
                    + "\(figures.commandsAtDepth) commands): \(megabytes) MB/s, "
                    + "\(Int(figures.commandsPerSecondAtDepth.rounded())) commands/s, "
                    + "mean \(figures.ioctlMeanAtDepth) in the ioctl")
        }
        return lines.joined(separator: "\n")
    }
}
