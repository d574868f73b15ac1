import Glibc
import Hardware
import RealHardware
import Synchronization
import Testing

/// A fake SG_IO: a RAM disk of 512-byte blocks behind READ(10)/WRITE(10), recording the thread
/// of every call and, when told to, holding commands until released.
final class FakeSGIOExecutor: SGIOExecutor {
    struct State {
        var blocks: [UInt32: [UInt8]] = [:]
        var threads: [UInt] = []
        var executed: [UInt64] = []
        var running = 0
        var maxRunning = 0
        var held = false
    }

    let state = Mutex(State())

    func hold() { state.withLock { $0.held = true } }
    func release() { state.withLock { $0.held = false } }
    var maxRunning: Int { state.withLock { $0.maxRunning } }
    var threads: [UInt] { state.withLock { $0.threads } }
    var running: Int { state.withLock { $0.running } }

    func execute(_ command: SGIOCommand) -> SGIOResult {
        state.withLock {
            $0.threads.append(UInt(pthread_self()))
            $0.running += 1
            $0.maxRunning = max($0.maxRunning, $0.running)
        }
        while state.withLock({ $0.held }) { usleep(200) }
        defer { state.withLock { $0.running -= 1 } }
        guard command.cdb.count == 10 else { return Self.invalidOpcode(command) }
        let lba =
            UInt32(command.cdb[2]) << 24 | UInt32(command.cdb[3]) << 16 | UInt32(command.cdb[4]) << 8
            | UInt32(command.cdb[5])
        let count = Int(UInt16(command.cdb[7]) << 8 | UInt16(command.cdb[8]))
        switch command.cdb[0] {
        case 0x2A:
            state.withLock { state in
                for block in 0..<count {
                    state.blocks[lba + UInt32(block)] = Array(command.dataOut[(block * 512)..<((block + 1) * 512)])
                }
            }
            return SGIOResult(executionTime: .microseconds(1))
        case 0x28:
            let data = state.withLock { state in
                (0..<count).flatMap { state.blocks[lba + UInt32($0)] ?? [UInt8](repeating: 0, count: 512) }
            }
            return SGIOResult(dataIn: data, executionTime: .microseconds(1))
        default:
            return Self.invalidOpcode(command)
        }
    }

    /// CHECK CONDITION, INVALID COMMAND OPERATION CODE, fixed format.
    static func invalidOpcode(_ command: SGIOCommand) -> SGIOResult {
        var sense = [UInt8](repeating: 0, count: 18)
        sense[0] = 0x70
        sense[2] = 0x05
        sense[7] = 10
        sense[12] = 0x20
        return SGIOResult(status: 0x02, driverStatus: 0x08, sense: sense, residual: Int32(command.transferLength))
    }
}

/// Records completions and the thread each arrived on.
final class CompletionLog: SCSICompletionHandler {
    var completions: [SCSICompletion] = []
    var threads: [UInt] = []
    var insideSubmit = false
    var reentrant = 0

    func scsiRequestCompleted(_ completion: SCSICompletion) {
        if insideSubmit { reentrant += 1 }
        completions.append(completion)
        threads.append(UInt(pthread_self()))
    }
}

func read10(lba: UInt32, blocks: UInt16, tag: UInt64, timeout: TimeSpan = .seconds(5)) -> SCSIRequest {
    try! SCSIRequest(
        CDB.Read10(lba: lba, transferLength: blocks), dataTransfer: .fromDevice(count: Int(blocks) * 512),
        timeout: timeout, tag: tag)
}

func write10(lba: UInt32, data: [UInt8], tag: UInt64) -> SCSIRequest {
    try! SCSIRequest(
        CDB.Write10(lba: lba, transferLength: UInt16(data.count / 512)), dataTransfer: .toDevice(data),
        timeout: .seconds(5), tag: tag)
}

/// The threading of `RealSCSIGenericDevice` with a fake SG_IO injected: worker threads run the
/// calls, completions come back through the runtime's waker, on the loop, never inside submit.
@Suite("SG_IO worker threads (fake executor)")
struct RealSCSIWorkerTests {
    @Test("SG_IO runs on the worker; the completion arrives on the loop thread, on a later turn, never inside submit")
    func completionOnTheLoop() throws {
        let runtime = try RealNodeRuntime(nodeName: "host0", seed: 1)
        let executor = FakeSGIOExecutor()
        let device = try RealSCSIGenericDevice(name: "fake-sg0", executor: executor, runtime: runtime)
        defer { device.close() }
        let log = CompletionLog()
        let loopThread = UInt(pthread_self())
        log.insideSubmit = true
        try device.submit(write10(lba: 3, data: [UInt8](repeating: 0x5A, count: 512), tag: 1), handler: log)
        // Give the worker time to finish: the answer must still wait for the loop.
        usleep(20_000)
        log.insideSubmit = false
        #expect(log.completions.isEmpty)
        #expect(device.outstandingCount == 1)
        runtime.run(until: { log.completions.count == 1 }, deadline: runtime.now + runtimeTestDeadline)
        #expect(log.reentrant == 0)
        #expect(log.completions.first?.isGood == true)
        #expect(log.threads == [loopThread])
        #expect(executor.threads.count == 1 && executor.threads[0] != loopThread)
        #expect(device.outstandingCount == 0)
        #expect(device.statistics.submitted == 1 && device.statistics.completed == 1)
        #expect(device.statistics.bytesWritten == 512)
    }

    @Test("data is copied in and out: writes at several LBAs read back byte for byte")
    func dataRoundTrip() throws {
        let runtime = try RealNodeRuntime(nodeName: "host0", seed: 2)
        let executor = FakeSGIOExecutor()
        let device = try RealSCSIGenericDevice(name: "fake-sg0", executor: executor, runtime: runtime)
        defer { device.close() }
        let log = CompletionLog()
        let lbas: [UInt32] = [0, 7, 100, 4093]
        for (index, lba) in lbas.enumerated() {
            let data = (0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
            try device.submit(write10(lba: lba, data: data, tag: UInt64(index)), handler: log)
        }
        runtime.run(until: { log.completions.count == 4 }, deadline: runtime.now + runtimeTestDeadline)
        for (index, lba) in lbas.enumerated() {
            try device.submit(read10(lba: lba, blocks: 4, tag: UInt64(10 + index)), handler: log)
        }
        runtime.run(until: { log.completions.count == 8 }, deadline: runtime.now + runtimeTestDeadline)
        // One worker: completions in submission order.
        #expect(log.completions.map(\.tag) == [0, 1, 2, 3, 10, 11, 12, 13])
        for (index, _) in lbas.enumerated() {
            let expected = (0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
            #expect(log.completions[4 + index].dataIn == expected)
        }
    }

    @Test("queue depth: the (depth + 1)th outstanding request is refused with queueFull, none is lost")
    func queueFull() throws {
        let runtime = try RealNodeRuntime(nodeName: "host0", seed: 3)
        let executor = FakeSGIOExecutor()
        let device = try RealSCSIGenericDevice(
            name: "fake-sg0", executor: executor, runtime: runtime,
            configuration: RealSCSIGenericDeviceConfiguration(queueDepth: 4))
        defer { device.close() }
        let log = CompletionLog()
        executor.hold()
        for tag in 0..<4 { try device.submit(read10(lba: UInt32(tag), blocks: 1, tag: UInt64(tag)), handler: log) }
        #expect(device.outstandingCount == 4)
        #expect(throws: SCSIGenericError.queueFull) {
            try device.submit(read10(lba: 9, blocks: 1, tag: 9), handler: log)
        }
        executor.release()
        runtime.run(until: { log.completions.count == 4 }, deadline: runtime.now + runtimeTestDeadline)
        #expect(log.completions.map(\.tag) == [0, 1, 2, 3])
        #expect(device.outstandingCount == 0)
        // Slots free again.
        try device.submit(read10(lba: 9, blocks: 1, tag: 9), handler: log)
        runtime.run(until: { log.completions.count == 5 }, deadline: runtime.now + runtimeTestDeadline)
        #expect(log.completions.last?.tag == 9)
    }

    @Test("several worker threads run commands at the same time")
    func severalWorkers() throws {
        let runtime = try RealNodeRuntime(nodeName: "host0", seed: 4)
        let executor = FakeSGIOExecutor()
        let device = try RealSCSIGenericDevice(
            name: "fake-sg0", executor: executor, runtime: runtime,
            configuration: RealSCSIGenericDeviceConfiguration(queueDepth: 8, workerThreads: 4))
        defer { device.close() }
        let log = CompletionLog()
        executor.hold()
        for tag in 0..<8 { try device.submit(read10(lba: UInt32(tag), blocks: 1, tag: UInt64(tag)), handler: log) }
        // Wait (in real time, briefly) for the four threads to be inside the executor at once.
        var waited = 0
        while executor.running < 4 && waited < 2_000 {
            usleep(1_000)
            waited += 1
        }
        #expect(executor.running == 4)
        executor.release()
        runtime.run(until: { log.completions.count == 8 }, deadline: runtime.now + runtimeTestDeadline)
        #expect(Set(log.completions.map(\.tag)) == Set(0..<8))
        #expect(executor.maxRunning == 4)
        #expect(Set(executor.threads).count == 4)
    }

    @Test("close: queued commands complete DID_NO_CONNECT, the running one finishes, new submits are deviceGone")
    func closeCancelsQueued() throws {
        let runtime = try RealNodeRuntime(nodeName: "host0", seed: 5)
        let executor = FakeSGIOExecutor()
        let device = try RealSCSIGenericDevice(name: "fake-sg0", executor: executor, runtime: runtime)
        let log = CompletionLog()
        executor.hold()
        for tag in 0..<3 { try device.submit(read10(lba: 0, blocks: 1, tag: UInt64(tag)), handler: log) }
        var waited = 0
        while executor.running < 1 && waited < 2_000 {
            usleep(1_000)
            waited += 1
        }
        // Another thread releases the held command while close() joins the worker.
        let releaser = Releaser(executor: executor)
        releaser.start(afterMicroseconds: 30_000)
        device.close()
        releaser.join()
        #expect(throws: SCSIGenericError.deviceGone) {
            try device.submit(read10(lba: 0, blocks: 1, tag: 9), handler: log)
        }
        #expect(log.completions.isEmpty, "completions wait for the loop")
        runtime.run(until: { log.completions.count == 3 }, deadline: runtime.now + runtimeTestDeadline)
        let byTag = Dictionary(uniqueKeysWithValues: log.completions.map { ($0.tag, $0) })
        #expect(byTag[0]?.isGood == true)
        #expect(byTag[1]?.hostStatus == .noConnect && byTag[2]?.hostStatus == .noConnect)
        #expect(device.describe(byTag[1]!) == "fake-sg0: tag 1: device gone (DID_NO_CONNECT)")
        #expect(device.outstandingCount == 0)
    }

    @Test("the watchdog completes a command the kernel does not answer with DID_TIME_OUT and discards the late answer")
    func watchdog() throws {
        let runtime = try RealNodeRuntime(nodeName: "host0", seed: 6)
        let executor = FakeSGIOExecutor()
        let device = try RealSCSIGenericDevice(
            name: "fake-sg0", executor: executor, runtime: runtime,
            configuration: RealSCSIGenericDeviceConfiguration(watchdogGrace: .milliseconds(20)))
        defer { device.close() }
        let log = CompletionLog()
        executor.hold()
        let request = read10(lba: 0, blocks: 1, tag: 4, timeout: .milliseconds(10))
        let submitted = runtime.now
        try device.submit(request, handler: log)
        runtime.run(until: { log.completions.count == 1 }, deadline: runtime.now + runtimeTestDeadline)
        #expect(log.completions.first?.hostStatus == .timeOut)
        #expect(log.completions.first?.residual == 512)
        // Timeout + grace (10 + 20 ms) passed before the watchdog fired.
        #expect(runtime.now - submitted >= .milliseconds(30))
        #expect(
            device.describe(log.completions[0], of: request)
                == "fake-sg0: READ(10) tag 4: timed out after 10 ms (DID_TIME_OUT)")
        executor.release()
        runtime.run(until: { device.statistics.lateAnswersDiscarded == 1 }, deadline: runtime.now + runtimeTestDeadline)
        #expect(log.completions.count == 1)
        #expect(device.statistics.watchdogTimeouts == 1 && device.statistics.timeouts == 1)
    }

    @Test("the hand-off cost alone: the latency probe on an executor that answers at once (printed, not asserted)")
    func handOffCost() throws {
        let runtime = try RealNodeRuntime(nodeName: "host0", seed: 8)
        let device = try RealSCSIGenericDevice(
            name: "fake-sg0", executor: FakeSGIOExecutor(), runtime: runtime,
            configuration: RealSCSIGenericDeviceConfiguration(queueDepth: 8))
        defer { device.close() }
        let report = SGIOLatencyProbe(samples: 200, depth: 8).run(on: device, runtime: runtime, blockLength: 512)
        print(report)
        #expect(report.failure == nil)
        // Every command was submitted and completed once: 2 directions × (200 + 400).
        #expect(device.statistics.submitted == 1200 && device.statistics.completed == 1200)
    }

    @Test("an unknown opcode completes CHECK CONDITION with decoded sense")
    func checkConditionThroughTheWorker() throws {
        let runtime = try RealNodeRuntime(nodeName: "host0", seed: 7)
        let device = try RealSCSIGenericDevice(name: "fake-sg0", executor: FakeSGIOExecutor(), runtime: runtime)
        defer { device.close() }
        let log = CompletionLog()
        let request = try SCSIRequest(cdb: [0xC5, 0, 0, 0, 0, 0], timeout: .seconds(1), tag: 3)
        try device.submit(request, handler: log)
        runtime.run(until: { log.completions.count == 1 }, deadline: runtime.now + runtimeTestDeadline)
        let completion = try #require(log.completions.first)
        #expect(completion.status == .checkCondition)
        #expect(completion.senseData?.additionalSenseCode == .invalidCommandOperationCode)
        #expect(
            device.describe(completion, of: request)
                == "fake-sg0: operation code 0xc5 tag 3: CHECK CONDITION, sense key ILLEGAL REQUEST (0x5), "
                + "ASC/ASCQ 0x20/0x00 (INVALID COMMAND OPERATION CODE)")
    }
}

/// Releases a held fake executor from another thread after a delay.
final class Releaser: @unchecked Sendable {
    let executor: FakeSGIOExecutor
    var thread = pthread_t()
    var delay: UInt32 = 0

    init(executor: FakeSGIOExecutor) { self.executor = executor }

    func start(afterMicroseconds delay: UInt32) {
        self.delay = delay
        let context = Unmanaged.passRetained(self).toOpaque()
        pthread_create(
            &thread, nil,
            { context in
                let releaser = Unmanaged<Releaser>.fromOpaque(context!).takeRetainedValue()
                usleep(releaser.delay)
                releaser.executor.release()
                return nil
            }, context)
    }

    func join() { pthread_join(thread, nil) }
}
