import Hardware
import SimCore
import SimHardware
import Timebase

/// A test-only loop with no transport cost: commands reach the disk at once, and each
/// response is recorded with its time and handed to `onResponse` on a later event at the
/// same instant (never from inside ``send(_:from:)``, as the ``LoopDevice`` contract asks).
final class IdealLoop: SimComponent, DriveResponsePath {
    struct Delivery {
        var response: DriveResponse
        var time: Instant
    }

    let simulator: Simulator
    let disk: SimDisk
    let port: DrivePort
    private var id = ComponentID(index: 0)
    private(set) var deliveries: [Delivery] = []
    private var undelivered: [DriveResponse] = []
    private var next = 0
    var onResponse: ((DriveResponse) -> Void)?

    init(name: String, disk: SimDisk, port: DrivePort = .a, simulator: Simulator) {
        self.simulator = simulator
        self.disk = disk
        self.port = port
        id = simulator.register(self, name: name)
        disk.connect(port, to: self)
    }

    /// Delivers `command` to the disk now.
    func submit(_ command: DriveCommand) {
        disk.receive(command, on: port)
    }

    func send(_ response: DriveResponse, from device: any LoopDevice) {
        deliveries.append(Delivery(response: response, time: simulator.now))
        undelivered.append(response)
        simulator.schedule(EventKind(rawValue: 1), for: id, after: .zero)
    }

    func handle(_ event: Event, in simulator: Simulator) {
        let response = undelivered[next]
        next += 1
        onResponse?(response)
    }
}

/// Builds READ (16), WRITE (16) and SYNCHRONIZE CACHE (10) commands for one initiator.
struct DiskCommands {
    var initiator = InitiatorID(rawValue: 0x5000_0000_0000_0001)
    var blockSize = 512

    func read(lba: UInt64, blocks: Int, exchange: UInt64, attribute: TaskAttribute = .simple) -> DriveCommand {
        let request = try! SCSIRequest(
            CDB.Read16(lba: lba, transferLength: UInt32(blocks)), dataTransfer: .fromDevice(count: blocks * blockSize),
            timeout: .seconds(30), tag: exchange)
        return DriveCommand(initiator: initiator, exchange: exchange, request: request, taskAttribute: attribute)
    }

    func write(
        lba: UInt64, blocks: Int, exchange: UInt64, forceUnitAccess: Bool = false, fill: UInt8 = 0xa5,
        attribute: TaskAttribute = .simple
    ) -> DriveCommand {
        let request = try! SCSIRequest(
            CDB.Write16(
                lba: lba, transferLength: UInt32(blocks), options: BlockTransferOptions(forceUnitAccess: forceUnitAccess)),
            dataTransfer: .toDevice([UInt8](repeating: fill, count: blocks * blockSize)), timeout: .seconds(30),
            tag: exchange)
        return DriveCommand(initiator: initiator, exchange: exchange, request: request, taskAttribute: attribute)
    }

    func synchronizeCache(exchange: UInt64) -> DriveCommand {
        let request = try! SCSIRequest(CDB.SynchronizeCache10(), timeout: .seconds(30), tag: exchange)
        return DriveCommand(initiator: initiator, exchange: exchange, request: request)
    }
}

/// A closed-loop load: keeps `outstanding` commands offered to the disk until `total` have
/// completed; each completion issues the next. LBAs are uniformly random (from the
/// generator's own seeded stream) or sequential. A command refused with TASK SET FULL is
/// offered again after the next completion (as an initiator's midlayer does).
final class ClosedLoopLoad {
    enum Pattern {
        case random
        case sequential(from: UInt64)
    }

    let loop: IdealLoop
    let blocks: Int
    let pattern: Pattern
    let write: Bool
    let forceUnitAccess: Bool
    let total: Int
    let outstanding: Int
    private var random: RandomStream
    private let commands = DiskCommands()
    private var nextLBA: UInt64 = 0
    private var exchange: UInt64 = 0
    private var issued = 0
    private var sent: [UInt64: (command: DriveCommand, time: Instant)] = [:]  // looked up, never iterated
    private var refused: [DriveCommand] = []
    private(set) var completed = 0
    private(set) var refusals = 0
    private(set) var latencies: [TimeSpan] = []
    private(set) var startTime = Instant.zero
    private(set) var lastCompletion = Instant.zero
    private(set) var firstCompletion: Instant?
    private(set) var errors = 0

    init(
        loop: IdealLoop, blocks: Int, pattern: Pattern, write: Bool = false, forceUnitAccess: Bool = false,
        total: Int, outstanding: Int, seed: String = "load"
    ) {
        self.loop = loop
        self.blocks = blocks
        self.pattern = pattern
        self.write = write
        self.forceUnitAccess = forceUnitAccess
        self.total = total
        self.outstanding = outstanding
        random = loop.simulator.randomStream(for: seed)
        if case .sequential(let first) = pattern { nextLBA = first }
        loop.onResponse = { [unowned self] response in self.completed(response) }
    }

    /// Offers the first `outstanding` commands now.
    func start() {
        startTime = loop.simulator.now
        for _ in 0..<min(outstanding, total) { issueNew() }
    }

    /// Completed commands per second of virtual time, from ``start()`` to the last completion.
    var iops: Double { Double(completed) / (lastCompletion - startTime).seconds }

    /// Bytes per second moved by the completed commands.
    var bytesPerSecond: Double { iops * Double(blocks * 512) }

    /// Bytes per second from the first completion to the last: the steady state, without the
    /// first command's positioning.
    var steadyBytesPerSecond: Double {
        Double((completed - 1) * blocks * 512) / (lastCompletion - firstCompletion!).seconds
    }

    /// The mean response time.
    var meanLatency: Double { latencies.reduce(0) { $0 + $1.seconds } / Double(latencies.count) }

    private func issueNew() {
        guard issued < total else { return }
        issued += 1
        let lba: UInt64
        switch pattern {
        case .random:
            let slots = loop.disk.model.blockCount / UInt64(blocks)
            lba = random.below(slots) * UInt64(blocks)
        case .sequential:
            lba = nextLBA
            nextLBA += UInt64(blocks)
        }
        exchange += 1
        let command =
            write
            ? commands.write(lba: lba, blocks: blocks, exchange: exchange, forceUnitAccess: forceUnitAccess)
            : commands.read(lba: lba, blocks: blocks, exchange: exchange)
        submit(command)
    }

    private func submit(_ command: DriveCommand) {
        sent[command.exchange] = (command, loop.simulator.now)
        loop.submit(command)
    }

    private func completed(_ response: DriveResponse) {
        guard let (command, time) = sent.removeValue(forKey: response.exchange) else { return }
        if response.status == .taskSetFull {
            refusals += 1
            refused.append(command)
            return
        }
        if response.status != .good { errors += 1 }
        completed += 1
        latencies.append(loop.simulator.now - time)
        lastCompletion = loop.simulator.now
        if firstCompletion == nil { firstCompletion = lastCompletion }
        let retry = refused
        refused.removeAll()
        for command in retry { submit(command) }
        issueNew()
    }
}

extension DiskModel {
    /// E[media transfer time] of `blocks` blocks at a uniformly random LBA:
    /// Σ_zones P(zone) · blocks / sectorsPerTrack · rotation period, with P(zone) the zone's
    /// share of the disk's blocks.
    func meanMediaTransfer(blocks: Int) -> Double {
        let total = Double(blockCount)
        return layout.zones.reduce(0.0) { sum, zone in
            let share = Double(zone.cylinderCount * layout.heads * zone.sectorsPerTrack) / total
            return sum + share * Double(blocks) / Double(zone.sectorsPerTrack) * rotationPeriod.seconds
        }
    }
}

/// A simulator with one disk of `model` behind an ideal loop.
func diskRig(_ model: DiskModel, seed: UInt64 = 1, writeCacheEnabled: Bool? = nil) -> (Simulator, SimDisk, IdealLoop) {
    let simulator = Simulator(seed: seed)
    let disk = SimDisk(
        name: "disk0", model: model, simulator: simulator, serialNumber: "SIM0001", worldWideName: 0x5000_c500_0000_0001,
        writeCacheEnabled: writeCacheEnabled)
    let loop = IdealLoop(name: "loop", disk: disk, simulator: simulator)
    return (simulator, disk, loop)
}
