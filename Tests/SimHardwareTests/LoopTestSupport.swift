import Hardware
import SimCore
@testable import SimHardware

/// A test device that answers every command at once, from inside `receive`: reads with
/// `count` bytes of `pattern`, writes (kept in `written`) and everything else with GOOD.
final class InstantResponder: LoopDevice {
    let name: String
    let presence = PresenceSignal()
    var isPresent: Bool {
        get { presence.isPresent }
        set { presence.isPresent = newValue }
    }
    var paths: [(any DriveResponsePath)?] = [nil, nil]
    var received: [(DriveCommand, DrivePort)] = []
    var written: [[UInt8]] = []
    let pattern: UInt8

    init(name: String, pattern: UInt8 = 0xA5) {
        self.name = name
        self.pattern = pattern
    }

    func connect(_ port: DrivePort, to path: any DriveResponsePath) { paths[port.rawValue] = path }

    func receive(_ command: DriveCommand, on port: DrivePort) {
        received.append((command, port))
        paths[port.rawValue]!.send(answer(to: command), from: self)
    }

    func answer(to command: DriveCommand) -> DriveResponse {
        switch command.request.dataTransfer {
        case .fromDevice(let count):
            return DriveResponse(
                initiator: command.initiator, exchange: command.exchange, status: .good,
                dataIn: [UInt8](repeating: pattern, count: count))
        case .toDevice(let data):
            written.append(data)
            return DriveResponse(initiator: command.initiator, exchange: command.exchange, status: .good)
        case .none:
            return DriveResponse(initiator: command.initiator, exchange: command.exchange, status: .good)
        }
    }
}

/// A test device with a medium: commands run one after another, each taking `accessTime` plus
/// its bytes at `bytesPerSecond`; the answer leaves when the medium is done with it. With a
/// huge `accessTime` it is a device that answers late; `silent` devices never answer.
final class StreamingSource: LoopDevice, SimComponent {
    let name: String
    let presence = PresenceSignal()
    var isPresent: Bool {
        get { presence.isPresent }
        set { presence.isPresent = newValue }
    }
    var silent = false
    let accessTime: TimeSpan
    let bytesPerSecond: Int64
    let simulator: Simulator
    var id = ComponentID(index: 0)
    var paths: [(any DriveResponsePath)?] = [nil, nil]
    private var mediumFreeAt = Instant.zero
    private var pending: [(DriveResponse, DrivePort)] = []
    private var nextPending = 0
    let responder: InstantResponder

    init(name: String, accessTime: TimeSpan, bytesPerSecond: Int64, simulator: Simulator) {
        self.name = name
        self.accessTime = accessTime
        self.bytesPerSecond = bytesPerSecond
        self.simulator = simulator
        responder = InstantResponder(name: name)
        id = simulator.register(self, name: name)
    }

    func connect(_ port: DrivePort, to path: any DriveResponsePath) { paths[port.rawValue] = path }

    func receive(_ command: DriveCommand, on port: DrivePort) {
        guard !silent else { return }
        let start = max(simulator.now, mediumFreeAt)
        let bytes = command.request.dataTransfer.byteCount
        mediumFreeAt = start + accessTime + TimeSpan.transmission(bytes: bytes, bitsPerSecond: bytesPerSecond * 8)
        pending.append((responder.answer(to: command), port))
        simulator.schedule(EventKind(rawValue: 1), for: id, at: mediumFreeAt)
    }

    func handle(_ event: Event, in simulator: Simulator) {
        let (response, port) = pending[nextPending]
        nextPending += 1
        guard isPresent else { return }
        paths[port.rawValue]!.send(response, from: self)
    }
}

/// A test initiator straight on a loop (no controller): keeps `depth` reads of `readBytes`
/// outstanding to each of `devices`, and counts what comes back.
final class ClosedLoopReader: FibreChannelLoopInitiator {
    let loop: FibreChannelLoop
    let initiator: InitiatorID
    var port = LoopPortID(index: 0)
    var devices: [LoopPortID] = []
    let readBytes: Int
    var nextExchange: UInt64 = 0
    /// Bytes received per device index (in `devices`), and when each response arrived.
    var bytesReceived: [Int] = []
    var arrivals: [(time: Instant, bytes: Int)] = []
    var stateChanges: [Bool] = []
    var openFailures = 0
    var stopAfter: Instant = .distantFuture
    let now: () -> Instant

    init(loop: FibreChannelLoop, initiator: InitiatorID, readBytes: Int, now: @escaping () -> Instant) {
        self.loop = loop
        self.initiator = initiator
        self.readBytes = readBytes
        self.now = now
        port = loop.attachInitiator(self, id: initiator, label: "reader")
    }

    func start(devices: [LoopPortID], depth: Int) {
        self.devices = devices
        bytesReceived = Array(repeating: 0, count: devices.count)
        for device in devices { for _ in 0..<depth { issue(to: device) } }
    }

    func issue(to device: LoopPortID) {
        nextExchange += 1
        let request = try! SCSIRequest(
            CDB.Read10(lba: UInt32(nextExchange % 1000), transferLength: UInt16(readBytes / 512)),
            dataTransfer: .fromDevice(count: readBytes), timeout: .seconds(30), tag: nextExchange)
        exchangeDevice[nextExchange] = device
        loop.send(DriveCommand(initiator: initiator, exchange: nextExchange, request: request), from: port, to: device)
    }

    func loop(_ loop: FibreChannelLoop, delivered response: DriveResponse, at port: LoopPortID) {
        arrivals.append((now(), response.dataIn.count))
        guard let device = exchangeDevice.removeValue(forKey: response.exchange),
            let source = devices.firstIndex(of: device)
        else { return }
        bytesReceived[source] += response.dataIn.count
        if now() < stopAfter { issue(to: devices[source]) }
    }

    /// The device each outstanding exchange went to (look-up only).
    var exchangeDevice: [UInt64: LoopPortID] = [:]

    func loop(_ loop: FibreChannelLoop, couldNotOpen device: LoopPortID, for command: DriveCommand) { openFailures += 1 }
    func loop(_ loop: FibreChannelLoop, stateChanged isUp: Bool) { stateChanges.append(isUp) }
    func loop(_ loop: FibreChannelLoop, device: LoopPortID, presenceChanged isPresent: Bool) {}
}

/// Records completions, and whether any arrived while a submit was running.
final class CompletionRecorder: SCSICompletionHandler {
    var completions: [SCSICompletion] = []
    var times: [Instant] = []
    var insideSubmit = false
    var completedInsideSubmit = false
    let now: () -> Instant

    init(now: @escaping () -> Instant) { self.now = now }

    func scsiRequestCompleted(_ completion: SCSICompletion) {
        if insideSubmit { completedInsideSubmit = true }
        completions.append(completion)
        times.append(now())
    }

    /// Submits with `insideSubmit` set around the call.
    func submit(_ request: SCSIRequest, to device: SimSCSIDevice) throws(SCSIGenericError) {
        insideSubmit = true
        defer { insideSubmit = false }
        try device.submit(request, handler: self)
    }
}
