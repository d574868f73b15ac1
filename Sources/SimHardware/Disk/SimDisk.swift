import Hardware
import SimCore
import Timebase

/// A disk drive on a shelf's two loops, in virtual time: a command set (``SCSITarget``) for
/// what each command means, a mechanism (``DiskMechanics``) for what it costs, and a task
/// set scheduled as the model's interface does (SCSI: tagged, shortest positioning time
/// first; ATA: one command at a time), or as the model's ``DiskModel/order`` says.
///
/// A command arrives (``receive(_:on:)``); the command set either answers it at once (after
/// the model's command overhead, without the mechanism) or needs a media access, which is
/// queued. The mechanism serves one access at a time (``DiskModel/overlap`` at a time for a
/// model without mechanics); when it is done the command set gives the response, sent back
/// on the loop of the port the command came on. A command beyond the queue depth is answered
/// TASK SET FULL.
///
/// Faults: ``slow(factor:)``, ``kill()``, ``pull()``/``insert()``,
/// ``losePower()``/``restorePower()``, now or at a time (``schedule(_:at:)``).
/// Media errors belong to the command set and are not modelled here yet.
public final class SimDisk: SimComponent, LoopDevice {
    public let name: String
    public let model: DiskModel
    /// How the next access is chosen.
    public let scheduling: DiskScheduling
    public let presence = PresenceSignal()
    public private(set) var state = DiskState.ready
    public private(set) var statistics = DiskStatistics()
    /// The factor mechanical times are multiplied by (1 = healthy).
    public private(set) var slowFactor = 1.0

    private let simulator: Simulator
    private var id = ComponentID(index: 0)
    private var target: SCSITarget
    private var mechanics: DiskMechanics
    private var paths: [(any DriveResponsePath)?] = [nil, nil]
    private var queue = DiskQueue()
    private var sequence: UInt64 = 0

    private struct InService {
        var entry: QueuedAccess
        var destagedWriteCache: Bool
    }
    /// The accesses in service, by slot (``DiskModel/overlap`` slots; one for a drive).
    private var inService: [InService?]
    private var inServiceCount = 0

    /// Answers waiting for their overhead to pass, by slot; `epoch` drops those that a pull
    /// or a power loss has made void.
    private struct Reply {
        var response: DriveResponse
        var port: DrivePort
        var epoch: UInt64
    }
    private var replies: [Reply?] = []
    private var freeReplies: [Int] = []
    /// Bumped whenever outstanding work is lost: events carrying an older epoch are void.
    private var epoch: UInt64 = 0
    private var scheduledFaults: [DiskFault] = []
    /// When a spinning-up drive will be ready: no answer leaves before it.
    private var readyAt = Instant.zero

    private static let reply = EventKind(rawValue: 1)
    private static let accessDone = EventKind(rawValue: 2)
    private static let spunUp = EventKind(rawValue: 3)
    private static let fault = EventKind(rawValue: 4)

    /// A drive of `model` registered with `simulator` as `name`.
    ///
    /// INQUIRY identity from the arguments (`product` defaults to the model's name); the
    /// block count from the model's geometry; the write cache on or off as the model says
    /// unless `writeCacheEnabled` overrides it.
    public init(
        name: String, model: DiskModel, simulator: Simulator, vendor: String = "IOFABRIC", product: String? = nil,
        revision: String = "0001", serialNumber: String, worldWideName: UInt64, writeCacheEnabled: Bool? = nil
    ) {
        self.name = name
        self.model = model
        self.simulator = simulator
        scheduling = model.order ?? (model.interface == .scsi ? .shortestPositioningTimeFirst : .firstComeFirstServed)
        precondition(model.overlap >= 1 && model.overlap <= Self.maxOverlap, "\(name): overlap \(model.overlap)")
        inService = Array(repeating: nil, count: model.overlap)
        let cacheOn = writeCacheEnabled ?? model.cache.writeCacheEnabled
        target = SCSITarget(
            configuration: SCSITargetConfiguration(
                interface: model.interface, vendor: vendor, product: product ?? model.name, revision: revision,
                serialNumber: serialNumber, worldWideName: worldWideName, blockCount: model.blockCount,
                writeCacheEnabled: cacheOn))
        mechanics = DiskMechanics(model: model, writeCacheEnabled: cacheOn)
        id = simulator.register(self, name: name)
    }

    /// The command set's configuration (identity, capacity, write cache).
    public var configuration: SCSITargetConfiguration { target.configuration }

    /// Blocks acknowledged but held only in the volatile write cache.
    public var dirtyBlockCount: Int { target.dirtyBlockCount }

    /// Commands accepted and not yet answered by the mechanism (waiting or in service).
    public var queuedCommands: Int { queue.count + inServiceCount }

    // MARK: - LoopDevice

    public func connect(_ port: DrivePort, to path: any DriveResponsePath) {
        precondition(paths[port.rawValue] == nil, "\(name): port \(port) connected twice")
        paths[port.rawValue] = path
    }

    /// Told of every write that reaches the medium (or the write cache), with its initiator: what
    /// a checker of shelf ownership watches.
    public weak var writeObserver: (any DiskWriteObserver)?

    public func receive(_ command: DriveCommand, on port: DrivePort) {
        guard isPresent, state == .ready || state == .spinningUp else {
            drop(command)
            return
        }
        if queuedCommands >= model.queueDepth {
            statistics.taskSetFull += 1
            answer(
                DriveResponse(initiator: command.initiator, exchange: command.exchange, status: .taskSetFull),
                on: port, after: model.commandOverhead)
            return
        }
        switch target.begin(command) {
        case .respond(let response):
            let aborted = target.takeAbortedInitiators()
            if !aborted.isEmpty {
                // Aborted tasks get no response (SAM-3 5.6); their initiators hear COMMANDS CLEARED
                // BY ANOTHER INITIATOR on their next command.
                statistics.tasksAborted += queue.removeAll(from: aborted)
                for initiator in aborted { target.attentions.establish(.commandsClearedByAnotherInitiator, for: initiator) }
            }
            answer(response, on: port, after: model.commandOverhead)
        case .access(let pending):
            queue.append(QueuedAccess(pending: pending, port: port, sequence: sequence, layout: model.layout))
            sequence += 1
            startNextAccess()
        }
    }

    // MARK: - Events

    public func handle(_ event: Event, in simulator: Simulator) {
        switch event.kind {
        case Self.reply:
            let slot = Int(event.payload)
            let reply = replies[slot]!
            replies[slot] = nil
            freeReplies.append(slot)
            guard reply.epoch == epoch else { return }
            send(reply.response, on: reply.port)
        case Self.accessDone:
            guard event.payload & Self.epochMask == epoch else { return }
            finishAccess(slot: Int(event.payload >> Self.slotShift))
        case Self.spunUp:
            guard event.payload == epoch, state == .spinningUp else { return }
            state = .ready
            target.powerRestored()  // every initiator's next command sees POWER ON OCCURRED
            startNextAccess()
        case Self.fault:
            apply(scheduledFaults[Int(event.payload)])
        default:
            preconditionFailure("\(name): unknown event \(event.kind.rawValue)")
        }
    }

    // MARK: - Service

    /// An access-done event's payload: the epoch in the low bits, the slot above them (slot 0,
    /// the only one of a drive, leaves the payload the epoch alone).
    private static let slotShift: UInt64 = 48
    private static let epochMask: UInt64 = (1 << slotShift) - 1
    /// The most accesses a model may serve at once (slots fit the payload's top 16 bits).
    public static let maxOverlap = 1 << 16

    /// Starts queued accesses while a slot is free.
    private func startNextAccess() {
        while state == .ready, inServiceCount < inService.count,
            let index = queue.nextIndex(policy: scheduling, mechanics: &mechanics, at: simulator.now)
        {
            let entry = queue.remove(at: index)
            // A plain loop: `firstIndex` with a closure copied the slots (and then the array).
            var slot = 0
            while inService[slot] != nil { slot += 1 }
            let service = mechanics.service(entry.pending.access, at: simulator.now)
            let duration = service.duration - service.mechanicalTime + scaled(service.mechanicalTime)
            inService[slot] = InService(entry: entry, destagedWriteCache: service.destagedWriteCache)
            inServiceCount += 1
            if service.servedFromBuffer { statistics.bufferHits += 1 }
            statistics.busyTime += duration
            precondition(epoch <= Self.epochMask, "\(name): epoch overflow")
            simulator.schedule(Self.accessDone, for: id, after: duration, payload: UInt64(slot) << Self.slotShift | epoch)
        }
    }

    private func finishAccess(slot: Int) {
        // Moved out, not copied: a copy retains the command's buffers.
        guard let done = inService[slot].take() else { preconditionFailure("\(name): access done with nothing in service") }
        inServiceCount -= 1
        if done.destagedWriteCache { target.destageWriteCache() }
        let response = target.finish(done.entry.pending)
        statistics.accessesCompleted += 1
        switch done.entry.pending.access {
        case .read: statistics.bytesRead += response.dataBytes
        case .write(let lba, let blocks, _):
            statistics.bytesWritten += blocks * target.configuration.blockSize
            if response.status == .good {
                writeObserver?.disk(self, wrote: lba, blocks: blocks, for: done.entry.pending.command.initiator)
            }
        case .flush: break
        }
        send(response, on: done.entry.port)
        startNextAccess()
    }

    private func scaled(_ span: TimeSpan) -> TimeSpan {
        slowFactor == 1 ? span : TimeSpan(picoseconds: Int64((Double(span.picoseconds) * slowFactor).rounded()))
    }

    private func answer(_ response: DriveResponse, on port: DrivePort, after delay: TimeSpan) {
        // A drive spinning up answers nothing before it is ready.
        let delay = state == .spinningUp ? max(delay, readyAt - simulator.now) : delay
        let reply = Reply(response: response, port: port, epoch: epoch)
        let slot: Int
        if let free = freeReplies.popLast() {
            slot = free
            replies[slot] = reply
        } else {
            slot = replies.count
            replies.append(reply)
        }
        simulator.schedule(Self.reply, for: id, after: delay, payload: UInt64(slot))
    }

    private func send(_ response: DriveResponse, on port: DrivePort) {
        guard let path = paths[port.rawValue] else { preconditionFailure("\(name): port \(port) not connected") }
        statistics.commandsAnswered += 1
        path.send(response, from: self)
    }

    private func drop(_ command: DriveCommand) {
        statistics.commandsDropped += 1
        simulator.recordDecision(command.exchange ^ 0xd15c_d20f)
    }

    // MARK: - Faults

    /// Multiplies mechanical times (seek, rotation, media transfer, destaging) by `factor`.
    public func slow(factor: Double) {
        precondition(factor > 0 && factor.isFinite, "\(name): slow factor \(factor)")
        slowFactor = factor
    }

    /// The drive fails for good: it still takes commands off the loop but answers nothing.
    public func kill() {
        loseOutstandingWork()
        state = .dead
    }

    /// Pulls the drive from its bay: it leaves the loops, and its power (with the write cache)
    /// and outstanding commands are gone.
    public func pull() {
        presence.isPresent = false
        if state != .dead { cutPower() }
    }

    /// Puts the drive back: present again, and spinning up before it answers.
    public func insert() {
        presence.isPresent = true
        if state == .unpowered { restorePower() }
    }

    /// Power is cut: the queue, the command in service and the volatile write cache are lost.
    public func losePower() {
        guard state != .dead else { return }
        cutPower()
    }

    /// Power is back: after the model's spin-up time the drive answers again.
    public func restorePower() {
        guard state == .unpowered, isPresent else { return }
        state = .spinningUp
        readyAt = simulator.now + model.spinUpTime
        simulator.schedule(Self.spunUp, for: id, after: model.spinUpTime, payload: epoch)
    }

    /// Applies `fault` now.
    public func apply(_ fault: DiskFault) {
        switch fault {
        case .slow(let factor): slow(factor: factor)
        case .kill: kill()
        case .pull: pull()
        case .insert: insert()
        case .losePower: losePower()
        case .restorePower: restorePower()
        case .mediaError(let lbas): target.injectMediaError(lbas: lbas)
        case .clearMediaErrors: target.clearMediaErrors()
        }
    }

    /// Applies `fault` at `time` (a fault from a scenario's schedule).
    public func schedule(_ fault: DiskFault, at time: Instant) {
        precondition(time >= simulator.now, "\(name): fault scheduled in the past")
        scheduledFaults.append(fault)
        simulator.schedule(Self.fault, for: id, at: time, payload: UInt64(scheduledFaults.count - 1))
    }

    private func cutPower() {
        loseOutstandingWork()
        target.powerLost()
        mechanics.powerLost()
        state = .unpowered
    }

    private func loseOutstandingWork() {
        statistics.commandsDropped += queuedCommands
        for entry in queue.entries { simulator.recordDecision(entry.pending.command.exchange ^ 0xd15c_d20f) }
        queue.removeAll()
        for slot in inService.indices { inService[slot] = nil }
        inServiceCount = 0
        epoch += 1
    }
}

/// Watches the writes a disk executes.
public protocol DiskWriteObserver: AnyObject {
    /// `disk` has just executed a write of `blocks` blocks at `lba` for `initiator`.
    func disk(_ disk: SimDisk, wrote lba: UInt64, blocks: Int, for initiator: InitiatorID)
}
