import Agents
import Hardware
import SimCore
import SimHardware
import Testing

/// The format-independent behaviour of the DDMs, against a scripted device double.
@Suite("Device driver engine")
struct DeviceDriverEngineTests {
    let simulator = Simulator(seed: 7)
    let runtime: SimNodeRuntime
    let recorder = DriverRecorder()

    init() {
        runtime = SimNodeRuntime(nodeName: "node", simulator: simulator)
    }

    func driver(_ device: ScriptedDevice, _ configuration: DeviceDriverConfiguration = DeviceDriverConfiguration())
        -> SCSIDeviceDriver
    {
        let driver = SCSIDeviceDriver(name: "ddm", device: device, runtime: runtime, configuration: configuration)
        driver.delegate = recorder
        return driver
    }

    @Test("BUSY is retried after the retry delay, at most `retries` times: duration = (retries + 1) × latency + retries × delay")
    func busyBounded() {
        let configuration = DeviceDriverConfiguration(retries: 3, retryDelay: .milliseconds(2))
        let device = ScriptedDevice(runtime: runtime) { _, _ in ScriptedDevice.status(.busy) }
        let driver = driver(device, configuration)
        recorder.calling { driver.flush(tag: 1) }
        simulator.run()
        let result = recorder.result(1)
        #expect(result?.status == .deviceUnavailable)
        #expect(device.requests.count == configuration.retries + 1)
        #expect(driver.statistics.busyRetries == configuration.retries)
        let expected = device.latency * Int64(configuration.retries + 1) + configuration.retryDelay * Int64(configuration.retries)
        #expect(result?.duration == expected)
    }

    @Test("TASK SET FULL then GOOD: good after one retry, duration = 2 × latency + delay")
    func taskSetFullThenGood() {
        let configuration = DeviceDriverConfiguration()
        let device = ScriptedDevice(runtime: runtime) { request, count in
            count == 1 ? ScriptedDevice.status(.taskSetFull) : ScriptedDevice.good(request)
        }
        let driver = driver(device, configuration)
        recorder.calling { driver.flush(tag: 1) }
        simulator.run()
        #expect(recorder.result(1)?.status == .good)
        #expect(recorder.result(1)?.duration == device.latency * 2 + configuration.retryDelay)
        #expect(driver.statistics.busyRetries == 1 && driver.statistics.commandsIssued == 2)
    }

    @Test("UNIT ATTENTION is retried at once: duration = 2 × latency; exhausted retries pass the sense up")
    func unitAttention() {
        let powerOn = SenseData.fixed(.unitAttention, .powerOnOccurred)
        let device = ScriptedDevice(runtime: runtime) { request, count in
            count == 1 ? ScriptedDevice.status(.checkCondition, sense: powerOn) : ScriptedDevice.good(request)
        }
        let driver = driver(device)
        recorder.calling { driver.flush(tag: 1) }
        simulator.run()
        #expect(recorder.result(1)?.status == .good)
        #expect(recorder.result(1)?.duration == device.latency * 2)
        #expect(driver.statistics.unitAttentionRetries == 1)

        device.answer = { _, _ in ScriptedDevice.status(.checkCondition, sense: powerOn) }
        let retries = DeviceDriverConfiguration().retries
        recorder.calling { driver.flush(tag: 2) }
        simulator.run()
        #expect(recorder.result(2)?.status == .checkCondition(SenseSummary(senseKey: .unitAttention, additionalSenseCode: 0x29, additionalSenseCodeQualifier: 0x01)))
        #expect(driver.statistics.unitAttentionRetries == 1 + retries)
    }

    @Test("a CHECK CONDITION whose sense does not decode fails the operation device-unavailable, counted")
    func malformedSense() {
        let device = ScriptedDevice(runtime: runtime) { _, _ in
            SCSICompletion(tag: 0, status: .checkCondition, driverStatus: .sense, sense: [0x7f, 1, 2], duration: .zero)
        }
        let driver = driver(device)
        recorder.calling { driver.flush(tag: 1) }
        simulator.run()
        #expect(recorder.result(1)?.status == .deviceUnavailable)
        #expect(driver.statistics.malformedResponses == 1)
    }

    @Test("rejections (no blocks, partial blocks) and a gone device complete on the loop, never inside the call")
    func neverInsideTheCall() {
        let device = ScriptedDevice(runtime: runtime) { request, _ in ScriptedDevice.good(request) }
        let driver = driver(device)
        recorder.calling {
            driver.read(lba: 0, blocks: 0, tag: 1)
            driver.write(lba: 0, data: [1, 2, 3], forceUnitAccess: false, tag: 2)
        }
        #expect(recorder.results.isEmpty)
        device.refuseAll = .deviceGone
        recorder.calling { driver.flush(tag: 3) }
        #expect(recorder.results.isEmpty)
        simulator.run()
        #expect(!recorder.completedInsideCall)
        #expect(recorder.results.map(\.tag) == [1, 2, 3])
        #expect(recorder.result(1)?.status == .rejected(.invalidRange))
        #expect(recorder.result(2)?.status == .rejected(.invalidRange))
        #expect(recorder.result(3)?.status == .deviceUnavailable)
        #expect(device.requests.isEmpty)
        #expect(driver.statistics.rejected == 2 && driver.statistics.hostErrors == 1)
        #expect(driver.statistics.completed == driver.statistics.operations)
    }

    @Test("past the queue depth operations wait in the driver and are sent in arrival order as slots free")
    func queuesInOrder() {
        let device = ScriptedDevice(runtime: runtime, queueDepth: 2) { request, _ in ScriptedDevice.good(request) }
        let driver = driver(device)
        recorder.calling { for tag in 0..<7 as Range<UInt64> { driver.read(lba: tag * 8, blocks: 8, tag: tag) } }
        #expect(device.requests.count == device.queueDepth)
        #expect(driver.statistics.queuedForSlot == 7 - device.queueDepth)
        #expect(driver.statistics.maxWaiting == 7 - device.queueDepth)
        simulator.run()
        let lbas = device.requests.map { CDB.Read16(bytes: $0.cdb)!.lba }
        #expect(lbas == (0..<7).map { UInt64($0) * 8 })
        #expect(recorder.results.map(\.tag).sorted() == Array(0..<7))
        #expect(recorder.results.allSatisfy { $0.result.status == .good && $0.result.data.count == 8 * 512 })
        #expect(driver.inProgress == 0)
    }

    @Test("queue full from another user with none of ours outstanding: retried after the retry delay")
    func queueFullWithoutOutstanding() {
        let configuration = DeviceDriverConfiguration(retryDelay: .milliseconds(1))
        let device = ScriptedDevice(runtime: runtime) { request, _ in ScriptedDevice.good(request) }
        let driver = driver(device, configuration)
        device.refuseAll = .queueFull
        recorder.calling { driver.flush(tag: 1) }
        runtime.scheduleTimer(after: .microseconds(2500), handler: Unblock(device), token: 0)
        simulator.run()
        // Pumps at 1, 2 ms refused; at 3 ms accepted: done at 3 ms + latency.
        #expect(recorder.result(1)?.status == .good)
        #expect(recorder.result(1)?.duration == configuration.retryDelay * 3 + device.latency)
    }

    @Test("a completion naming no command of the driver is counted and dropped")
    func strayCompletion() {
        let rogue = RogueDevice()
        let driver = SCSIDeviceDriver(name: "ddm", device: rogue, runtime: runtime)
        driver.delegate = recorder
        driver.flush(tag: 9)
        rogue.handler?.scsiRequestCompleted(SCSICompletion(tag: 0xdead_0000_0000, status: .good, duration: .zero))
        #expect(driver.statistics.strayCompletions == 1)
        #expect(driver.inProgress == 1)
        #expect(recorder.results.isEmpty)
    }
}

private final class Unblock: TimerHandler {
    let device: ScriptedDevice
    init(_ device: ScriptedDevice) { self.device = device }
    func timerFired(_ token: UInt64) { device.refuseAll = nil }
}

/// Accepts one request and keeps its handler, never answering.
private final class RogueDevice: SCSIGenericDevice {
    let name = "rogue"
    let queueDepth = 1
    var outstandingCount = 0
    var handler: (any SCSICompletionHandler)?
    func submit(_ request: SCSIRequest, handler: any SCSICompletionHandler) throws(SCSIGenericError) {
        outstandingCount += 1
        self.handler = handler
    }
}
