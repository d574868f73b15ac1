import Agents
import Hardware
import SimCore
import SimHardware
import Timebase

/// Test doubles for the NVRAM mirror's tests (no tests here): an in-memory cluster connection
/// between two clients on one simulator.
///
/// A write costs `latency` plus its bytes at `bytesPerSecond`, and writes on one connection are
/// served one after the other (RC ordering): write k completes at
/// max(post time, completion of k−1) + latency + bytes / bandwidth. The bytes land in the
/// partner's exposed memory when the write completes (read from the source then).
final class FakeClusterConnection: ClusterConnection, TimerHandler {
    let interconnect: Int
    private(set) var isUp = true
    let runtime: SimNodeRuntime
    weak var client: (any ClusterConnectionClient)?
    let source: any MemoryBuffer
    let remote: any MemoryBuffer
    let latency: TimeSpan
    let bytesPerSecond: Int64
    let maxOutstanding: Int
    var remoteMemoryLength: Int { remote.length }

    private struct Pending {
        var tag: UInt64
        var sourceOffset: Int
        var count: Int
        var remoteOffset: Int
        var timer: TimerHandle
    }
    private var pending: [Pending] = []
    private var busyUntil: Instant = .zero
    private(set) var writesPosted = 0
    private(set) var writesLanded = 0
    /// Every write's post instant, in order.
    private(set) var postTimes: [Instant] = []

    init(interconnect: Int, runtime: SimNodeRuntime, client: any ClusterConnectionClient, source: any MemoryBuffer,
         remote: any MemoryBuffer, latency: TimeSpan, bytesPerSecond: Int64, maxOutstanding: Int = 64) {
        self.interconnect = interconnect
        self.runtime = runtime
        self.client = client
        self.source = source
        self.remote = remote
        self.latency = latency
        self.bytesPerSecond = bytesPerSecond
        self.maxOutstanding = maxOutstanding
    }

    /// The double's cost of one write of `bytes` on an idle connection.
    func writeTime(_ bytes: Int) -> TimeSpan {
        latency + .picoseconds(Int64(bytes) * 1_000_000_000_000 / bytesPerSecond)
    }

    func send(_ message: [UInt8], tag: UInt64) throws(ClusterConnectionError) { throw .outOfBounds }

    func write(sourceOffset: Int, count: Int, remoteOffset: Int, tag: UInt64) throws(ClusterConnectionError) {
        guard isUp else { throw .down }
        guard pending.count < maxOutstanding else { throw .queueFull }
        guard sourceOffset >= 0, count >= 0, sourceOffset + count <= source.length, remoteOffset >= 0,
            remoteOffset + count <= remote.length
        else { throw .outOfBounds }
        let now = runtime.now
        let done = max(now, busyUntil) + writeTime(count)
        busyUntil = done
        let timer = runtime.scheduleTimer(after: done - now, handler: self, token: tag)
        pending.append(Pending(tag: tag, sourceOffset: sourceOffset, count: count, remoteOffset: remoteOffset, timer: timer))
        writesPosted += 1
        postTimes.append(now)
    }

    func timerFired(_ token: UInt64) {
        guard isUp, let first = pending.first, first.tag == token else { return }
        pending.removeFirst()
        remote.write(source.read(offset: first.sourceOffset, count: first.count), at: first.remoteOffset)
        writesLanded += 1
        client?.clusterOperationCompleted(tag: token, on: self, success: true)
    }

    /// The connection fails: outstanding writes complete unsuccessfully (none lands), then down.
    func fail() {
        guard isUp else { return }
        isUp = false
        let failed = pending
        pending = []
        for operation in failed {
            runtime.cancelTimer(operation.timer)
            client?.clusterOperationCompleted(tag: operation.tag, on: self, success: false)
        }
        client?.clusterConnectionDown(self)
    }
}

/// Records what a ``WriteLogging`` tells its delegate.
final class DurabilityRecorder: WriteLogDelegate {
    let runtime: SimNodeRuntime
    private(set) var durable: [(sequence: UInt64, at: Instant)] = []
    private(set) var spaceAvailable = 0

    init(runtime: SimNodeRuntime) { self.runtime = runtime }

    func writeDurable(_ sequence: UInt64) { durable.append((sequence, runtime.now)) }
    func writeLogSpaceAvailable() { spaceAvailable += 1 }
}

/// Two nodes' NVRAMs and mirrors, Red mirroring into Blue (Blue's mirror only exposes memory).
final class MirrorPair {
    let simulator: Simulator
    let runtime: SimNodeRuntime
    let redNVRAM: SimNVRAM
    let blueNVRAM: SimNVRAM
    let red: NVRAMMirror
    let recorder: DurabilityRecorder
    /// Assumption for the double: 2 µs per write plus 1 GB/s (an interconnect link's order).
    let latency: TimeSpan = .microseconds(2)
    let bytesPerSecond: Int64 = 1_000_000_000
    private(set) var connections: [FakeClusterConnection] = []

    init(capacity: Int = 1 << 20, seed: UInt64 = 1) {
        simulator = Simulator(seed: seed)
        runtime = SimNodeRuntime(nodeName: "red", simulator: simulator)
        redNVRAM = SimNVRAM(name: "red.nvram", capacity: capacity)
        blueNVRAM = SimNVRAM(name: "blue.nvram", capacity: capacity)
        red = NVRAMMirror(name: "red.nvram-mirror", runtime: runtime, nvram: redNVRAM, layout: .halves(of: capacity))
        recorder = DurabilityRecorder(runtime: runtime)
        red.writeLogDelegate = recorder
    }

    /// A new connection on `interconnect`, handed to Red's mirror.
    @discardableResult
    func connect(interconnect: Int) -> FakeClusterConnection {
        let connection = FakeClusterConnection(
            interconnect: interconnect, runtime: runtime, client: red, source: redNVRAM, remote: blueNVRAM, latency: latency,
            bytesPerSecond: bytesPerSecond)
        connections.append(connection)
        red.clusterConnectionUp(connection)
        return connection
    }

    /// Blue's copy of Red's log, scanned.
    var blueCopy: [NVRAMLog.Record] {
        NVRAMLog.records(in: MemorySlice(blueNVRAM, offset: red.layout.mirrorOffset, length: red.layout.halfLength))
    }

    func run(for span: TimeSpan) { simulator.run(until: simulator.now + span) }
}

/// Deterministic block data for a write.
func testPayload(_ seed: UInt64, bytes: Int) -> [UInt8] {
    (0..<bytes).map { UInt8(truncatingIfNeeded: seed &* 131 &+ UInt64($0) &* 7 &+ UInt64($0) >> 8) }
}
