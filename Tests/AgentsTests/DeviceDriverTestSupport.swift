import Agents
import Hardware
import SimCore
import SimHardware

/// Records a driver's completions, and whether one arrived inside a call to the driver.
final class DriverRecorder: DeviceDriverDelegate {
    private(set) var results: [(tag: UInt64, result: DeviceResult)] = []
    private(set) var completedInsideCall = false
    private var inCall = false

    func deviceCompleted(_ driver: any DeviceDriver, tag: UInt64, result: DeviceResult) {
        if inCall { completedInsideCall = true }
        results.append((tag, result))
    }

    /// Runs `body` (calls to a driver) flagged as "inside a call".
    func calling(_ body: () -> Void) {
        inCall = true
        body()
        inCall = false
    }

    func result(_ tag: UInt64) -> DeviceResult? { results.first { $0.tag == tag }?.result }
}

/// One disk in bay 0 of a shelf, reached from one controller on loop A, with a driver: the
/// wiring of `SimulatedTopology`.
struct SimulatedDiskRig {
    let simulator: Simulator
    let runtime: SimNodeRuntime
    let shelf: DiskShelf
    let disk: SimDisk
    let controller: IOController
    let path: SimSCSIDevice
    let driver: any DeviceDriver
    let recorder = DriverRecorder()

    init(model: DiskModel, configuration: DeviceDriverConfiguration = DeviceDriverConfiguration(), seed: UInt64 = 1) {
        simulator = Simulator(seed: seed)
        runtime = SimNodeRuntime(nodeName: "red", simulator: simulator)
        shelf = DiskShelf(name: "shelf0", bayCount: 1, simulator: simulator)
        disk = SimDisk(
            name: "shelf0.bay0", model: model, simulator: simulator, serialNumber: "IOF0001",
            worldWideName: 0x5000_C500_1234_5678)
        shelf.install(disk, inBay: 0)
        let bus = PCIBus(name: "red.pci", configuration: .pci32at33, simulator: simulator)
        let ata = model.interface == .ata
        controller = IOController(
            name: "red.hba0", configuration: ata ? .ataController : .scsiHBA, bus: bus, simulator: simulator)
        controller.attach(to: shelf.loop(.a), portName: "portA", initiator: InitiatorID(rawValue: 0x2100_0000_0000_00A1))
        path = controller.scsiDevice(port: 0, devicePort: shelf.loopPort(bay: 0, .a))
        driver =
            ata
            ? ATADeviceDriver(name: "red.ddm0", device: path, runtime: runtime, configuration: configuration)
            : SCSIDeviceDriver(name: "red.ddm0", device: path, runtime: runtime, configuration: configuration)
        driver.delegate = recorder
    }

    var statistics: DeviceDriverStatistics {
        (driver as? SCSIDeviceDriver)?.statistics ?? (driver as! ATADeviceDriver).statistics
    }

    /// Runs one operation to completion and returns its result.
    func run(_ tag: UInt64, _ body: (any DeviceDriver) -> Void) -> DeviceResult? {
        recorder.calling { body(driver) }
        simulator.run()
        return recorder.result(tag)
    }

    /// Pulls the disk from its bay, as a fault schedule does (the disk and both loops).
    func pull() {
        disk.apply(.pull)
        shelf.pull(bay: 0)
    }

    /// Puts it back.
    func reinsert() {
        shelf.reinsert(bay: 0)
        disk.apply(.insert)
    }
}

/// A pattern of `blocks` blocks of 512 bytes that differs per block and per `seed`.
func blockPattern(blocks: Int, seed: UInt8, blockLength: Int = 512) -> [UInt8] {
    (0..<(blocks * blockLength)).map { UInt8(truncatingIfNeeded: $0 / blockLength &* 31 &+ $0 &+ Int(seed)) }
}

/// A SCSI generic device double: answers every request after `latency` with what `answer`
/// says, on the runtime's loop; refuses submissions beyond `queueDepth`, or all with
/// `refuseAll`.
final class ScriptedDevice: SCSIGenericDevice, TimerHandler {
    let name = "scripted"
    var queueDepth: Int
    var outstandingCount: Int { pending.count }
    let runtime: any NodeRuntime
    let latency: TimeSpan
    var answer: (SCSIRequest, Int) -> SCSICompletion
    var refuseAll: SCSIGenericError?
    private(set) var requests: [SCSIRequest] = []
    private var pending: [(SCSIRequest, any SCSICompletionHandler)] = []

    init(runtime: any NodeRuntime, queueDepth: Int = 4, latency: TimeSpan = .microseconds(100),
         answer: @escaping (SCSIRequest, Int) -> SCSICompletion) {
        self.runtime = runtime
        self.queueDepth = queueDepth
        self.latency = latency
        self.answer = answer
    }

    func submit(_ request: SCSIRequest, handler: any SCSICompletionHandler) throws(SCSIGenericError) {
        if let refuseAll { throw refuseAll }
        guard pending.count < queueDepth else { throw .queueFull }
        requests.append(request)
        pending.append((request, handler))
        runtime.scheduleTimer(after: latency, handler: self, token: request.tag)
    }

    func timerFired(_ token: UInt64) {
        let index = pending.firstIndex { $0.0.tag == token }!
        let (request, handler) = pending.remove(at: index)
        var completion = answer(request, requests.count)
        completion.tag = request.tag
        completion.duration = latency
        handler.scsiRequestCompleted(completion)
    }

    /// GOOD, with `dataIn` or zeros filling a data-in buffer.
    static func good(_ request: SCSIRequest, dataIn: [UInt8]? = nil) -> SCSICompletion {
        var data: [UInt8] = []
        if case .fromDevice(let count) = request.dataTransfer { data = dataIn ?? [UInt8](repeating: 0, count: count) }
        return SCSICompletion(tag: request.tag, status: .good, dataIn: data, duration: .zero)
    }

    static func status(_ status: SCSIStatus, sense: SenseData? = nil) -> SCSICompletion {
        SCSICompletion(
            tag: 0, status: status, driverStatus: sense == nil ? .ok : .sense, sense: sense?.encoded() ?? [],
            duration: .zero)
    }
}
