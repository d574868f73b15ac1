import Hardware

/// A fio-like load on SCSI generic devices, with an integrity oracle: the same code drives
/// simulated disks and real `/dev/sg*` devices.
///
/// For each device it first reads the capacity (READ CAPACITY(16)), then keeps
/// ``DiskLoad/queueDepth`` READ(16)/WRITE(16) commands outstanding (or issues them at
/// ``DiskLoad/rate``) until ``DiskLoad/stop``.
///
/// The oracle: every written sector carries a stamp — its LBA and the write's number — and
/// the generator remembers, per I/O-sized unit, the last acknowledged write. A read must
/// return that write's stamp, or that of a write whose outcome is unknown (it failed or timed
/// out: it may have reached the medium). An older stamp, or zeros where an acknowledged write
/// was, is a lost acknowledged write; a stamp of another LBA or of no write is an integrity
/// violation. No two outstanding I/Os touch the same unit, so the device's reordering of
/// concurrent commands cannot be mistaken for a loss.
public final class DiskLoadGenerator: SCSICompletionHandler, TimerHandler {
    public let name: String
    private let runtime: any NodeRuntime
    private let devices: [any SCSIGenericDevice]
    private let load: DiskLoad
    private weak var observer: (any DiskLoadObserver)?
    private var random: RandomStream
    public private(set) var totals = DiskLoadTotals()

    private struct DeviceState {
        var blockLength = 0
        /// Units of `blockSize` bytes the load may touch.
        var units: UInt64 = 0
        var ready = false
        var outstanding = 0
        var nextSequentialUnit: UInt64 = 0
        /// Units with an I/O outstanding: never touched twice at once.
        var busyUnits: Set<UInt64> = []
        /// The last acknowledged write's number, per unit.
        var acknowledged: [UInt64: UInt64] = [:]
        /// Writes that failed or timed out, per unit: their data may or may not be there.
        var uncertain: [UInt64: [UInt64]] = [:]
        var nextIssue: Instant = .zero
        /// A refill timer is pending (one at a time: each would refill the whole queue).
        var refillArmed = false
    }

    private struct Outstanding {
        var device: Int
        var unit: UInt64
        var isRead: Bool
        var writeNumber: UInt64
        var submitted: Instant
        var isCapacityProbe: Bool
    }

    private var states: [DeviceState]
    private var outstanding: [UInt64: Outstanding] = [:]
    private var nextTag: UInt64 = 1
    private var nextWriteNumber: UInt64 = 1

    /// Timer tokens: the start, and per device a "try to issue" wake-up.
    private static let startToken = UInt64.max

    public init(
        name: String, runtime: any NodeRuntime, devices: [any SCSIGenericDevice], load: DiskLoad,
        observer: (any DiskLoadObserver)?
    ) {
        precondition(!devices.isEmpty, "\(name): a disk load without devices")
        self.name = name
        self.runtime = runtime
        self.devices = devices
        self.load = load
        self.observer = observer
        random = runtime.randomStream(named: name)
        states = Array(repeating: DeviceState(), count: devices.count)
    }

    /// Arms the start; call once before the runtime runs.
    public func start() {
        runtime.scheduleTimer(after: load.start - runtime.now, handler: self, token: Self.startToken)
    }

    public func timerFired(_ token: UInt64) {
        if token == Self.startToken {
            for device in devices.indices { probeCapacity(device) }
        } else {
            states[Int(token)].refillArmed = false
            fill(Int(token))
        }
    }

    /// Fills `device`'s queue after `delay`, unless a refill is already pending.
    private func refill(_ device: Int, after delay: TimeSpan) {
        guard !states[device].refillArmed else { return }
        states[device].refillArmed = true
        runtime.scheduleTimer(after: delay, handler: self, token: UInt64(device))
    }

    // MARK: - Issuing

    private func probeCapacity(_ device: Int) {
        let request = try! SCSIRequest(
            CDB.ReadCapacity16(allocationLength: UInt32(ReadCapacity16Data.length)),
            dataTransfer: .fromDevice(count: ReadCapacity16Data.length), timeout: load.timeout, tag: takeTag())
        submit(request, Outstanding(device: device, unit: 0, isRead: true, writeNumber: 0, submitted: runtime.now, isCapacityProbe: true))
    }

    /// Issues I/Os on `device` up to the queue depth (or the rate allows).
    private func fill(_ device: Int) {
        // A pending refill (a refused submission, an error's back-off, think time) waits its turn.
        while states[device].ready && !states[device].refillArmed && states[device].outstanding < load.queueDepth
            && runtime.now < load.stop
        {
            if load.rate != nil {
                if runtime.now < states[device].nextIssue {
                    refill(device, after: states[device].nextIssue - runtime.now)
                    return
                }
                states[device].nextIssue = max(states[device].nextIssue, load.start) + TimeSpan(seconds: 1 / load.rate!)
            }
            guard let unit = pickUnit(device) else { return }
            issue(device, unit: unit, isRead: random.below(100) < UInt64(load.readPercent))
        }
    }

    private func pickUnit(_ device: Int) -> UInt64? {
        let units = states[device].units
        for _ in 0..<8 {
            let unit: UInt64
            switch load.pattern {
            case .random:
                unit = random.below(units)
            case .sequential:
                unit = states[device].nextSequentialUnit
                states[device].nextSequentialUnit = (unit + 1) % units
            }
            if !states[device].busyUnits.contains(unit) { return unit }
        }
        return nil  // the working set is smaller than the queue: wait for a completion
    }

    private func issue(_ device: Int, unit: UInt64, isRead: Bool) {
        let blockLength = states[device].blockLength
        let blocks = load.blockSize / blockLength
        let lba = unit * UInt64(blocks)
        let tag = takeTag()
        var writeNumber: UInt64 = 0
        let request: SCSIRequest
        if isRead {
            request = try! SCSIRequest(
                CDB.Read16(lba: lba, transferLength: UInt32(blocks)), dataTransfer: .fromDevice(count: load.blockSize),
                timeout: load.timeout, tag: tag)
        } else {
            writeNumber = nextWriteNumber
            nextWriteNumber += 1
            request = try! SCSIRequest(
                CDB.Write16(lba: lba, transferLength: UInt32(blocks)),
                dataTransfer: .toDevice(stampedData(lba: lba, blocks: blocks, blockLength: blockLength, write: writeNumber)),
                timeout: load.timeout, tag: tag)
        }
        states[device].busyUnits.insert(unit)
        submit(request, Outstanding(device: device, unit: unit, isRead: isRead, writeNumber: writeNumber, submitted: runtime.now, isCapacityProbe: false))
    }

    private func submit(_ request: SCSIRequest, _ record: Outstanding) {
        do {
            try devices[record.device].submit(request, handler: self)
            outstanding[request.tag] = record
            states[record.device].outstanding += 1
        } catch {
            totals.refused += 1
            states[record.device].busyUnits.remove(record.unit)
            if !record.isCapacityProbe && !record.isRead { markUncertain(record) }
            // Try again a little later (a queue drains; a path may come back).
            refill(record.device, after: .milliseconds(10))
        }
    }

    private func takeTag() -> UInt64 {
        defer { nextTag += 1 }
        return nextTag
    }

    // MARK: - Completions

    public func scsiRequestCompleted(_ completion: SCSICompletion) {
        guard let record = outstanding.removeValue(forKey: completion.tag) else {
            preconditionFailure("\(name): completion of unknown tag \(completion.tag)")
        }
        let device = record.device
        states[device].outstanding -= 1
        if record.isCapacityProbe {
            capacityRead(device, completion)
            return
        }
        states[device].busyUnits.remove(record.unit)
        let outcome: DiskIORecord.Outcome =
            completion.isGood ? .success : (completion.hostStatus == .timeOut ? .timeout : .error)
        switch outcome {
        case .success:
            if record.isRead {
                totals.reads += 1
                totals.bytesRead += Int64(load.blockSize)
                if load.verify { check(completion.dataIn, device: device, unit: record.unit) }
            } else {
                totals.writes += 1
                totals.bytesWritten += Int64(load.blockSize)
                states[device].acknowledged[record.unit] = record.writeNumber
                states[device].uncertain[record.unit] = nil
            }
        case .error, .timeout:
            if outcome == .error { totals.errors += 1 } else { totals.timeouts += 1 }
            if !record.isRead { markUncertain(record) }
        }
        observer?.diskIOCompleted(
            DiskIORecord(device: device, isRead: record.isRead, bytes: load.blockSize, submitted: record.submitted,
                         latency: runtime.now - record.submitted, outcome: outcome))
        if outcome == .error {
            // A path that fails at once (a dead loop answers DID_NO_CONNECT without delay) would
            // otherwise be retried in a loop in which no time passes.
            refill(device, after: max(load.thinkTime, Self.errorBackoff))
        } else if load.thinkTime > .zero {
            refill(device, after: load.thinkTime)
        } else {
            fill(device)
        }
    }

    /// The pause before the next I/O on a device after one failed. Assumption: 3 ms, Linux's
    /// `SCSI_QUEUE_DELAY` (drivers/scsi/scsi_lib.c), the delay before it retries a busy device.
    static let errorBackoff = TimeSpan.milliseconds(3)

    private func capacityRead(_ device: Int, _ completion: SCSICompletion) {
        guard completion.isGood, let data = ReadCapacity16Data(bytes: completion.dataIn),
            data.blockLength > 0, load.blockSize % Int(data.blockLength) == 0
        else {
            totals.unusableDevices += 1
            return
        }
        let capacity = Int64(data.lastLBA + 1) * Int64(data.blockLength)
        let span = min(load.workingSet ?? capacity, capacity)
        states[device].blockLength = Int(data.blockLength)
        states[device].units = UInt64(span / Int64(load.blockSize))
        guard states[device].units > 0 else {
            totals.unusableDevices += 1
            return
        }
        states[device].ready = true
        states[device].nextIssue = runtime.now
        fill(device)
    }

    private func markUncertain(_ record: Outstanding) {
        states[record.device].uncertain[record.unit, default: []].append(record.writeNumber)
    }

    // MARK: - The oracle

    /// Bytes per stamp: the sector's LBA and the write's number, big-endian.
    private static let stampLength = 16

    private func stampedData(lba: UInt64, blocks: Int, blockLength: Int, write: UInt64) -> [UInt8] {
        var data = [UInt8](repeating: UInt8(truncatingIfNeeded: write | 1), count: blocks * blockLength)
        for block in 0..<blocks {
            let base = block * blockLength
            BigEndianBytes.write(lba + UInt64(block), into: &data, at: base, count: 8)
            BigEndianBytes.write(write, into: &data, at: base + 8, count: 8)
        }
        return data
    }

    private func check(_ data: [UInt8], device: Int, unit: UInt64) {
        let blockLength = states[device].blockLength
        let blocks = load.blockSize / blockLength
        let firstLBA = unit * UInt64(blocks)
        let expected = states[device].acknowledged[unit]
        let uncertain = states[device].uncertain[unit] ?? []
        guard data.count == load.blockSize else {
            totals.integrityViolations += 1
            return
        }
        for block in 0..<blocks {
            let base = block * blockLength
            let lba = BigEndianBytes.read(data, at: base, count: 8)
            let write = BigEndianBytes.read(data, at: base + 8, count: 8)
            if lba == 0 && write == 0 {
                // Never written: fine unless a write was acknowledged here.
                if expected != nil {
                    totals.lostAcknowledgedWrites += 1
                    return
                }
                continue
            }
            let filler = UInt8(truncatingIfNeeded: write | 1)
            guard lba == firstLBA + UInt64(block), write < nextWriteNumber, data[base + blockLength - 1] == filler else {
                totals.integrityViolations += 1
                return
            }
            if write == expected || uncertain.contains(write) { continue }
            if let expected, write < expected {
                totals.lostAcknowledgedWrites += 1
            } else {
                totals.integrityViolations += 1  // a write that was never acknowledged nor is uncertain
            }
            return
        }
    }
}
