import Hardware

/// The half of a device driver module that does not depend on the I/O format: it keeps the
/// operations in flight, sends their commands to the device in arrival order, queues them
/// while the device's queue is full, retries what the device asks to be retried, and
/// completes every operation exactly once, on the loop, never from inside a call from above.
///
/// The format-specific half is a ``DeviceCommandSet``. Operations live in slots (an array
/// indexed by small ints); a command's SCSI tag is the slot and a generation, so a completion
/// that names no live command is counted and dropped, never misapplied.
final class DeviceDriverEngine: SCSICompletionHandler, TimerHandler {
    let device: any SCSIGenericDevice
    let runtime: any NodeRuntime
    let configuration: DeviceDriverConfiguration
    let commandSet: any DeviceCommandSet
    weak var owner: (any DeviceDriver)?
    weak var delegate: (any DeviceDriverDelegate)?
    private(set) var statistics = DeviceDriverStatistics()

    /// The logical block length in bytes: 512 until identify learns the device's.
    /// Assumption: 512 is the block length of every disk model simulated (REFERENCE.md C.4)
    /// and of most real disks; the layer above identifies a device before any I/O.
    private(set) var blockLength: UInt32 = 512
    /// The device as the last successful identify found it.
    private(set) var identity: DeviceIdentity?

    private var operations: [DeviceOperation?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [Int] = []
    /// Slots of the operations waiting to send their next command, in arrival order.
    private var waiting: [Int] = []
    private var nextSequence: UInt64 = 0
    /// This driver's commands the device holds.
    private(set) var outstanding = 0

    /// Results waiting to be handed to the delegate.
    private var finished: [(tag: UInt64, result: DeviceResult)] = []
    private var deliveryArmed = false
    private var delivering = false
    private var pumpArmed = false

    private static let deliverToken = UInt64.max
    private static let pumpToken = UInt64.max - 1

    init(
        device: any SCSIGenericDevice, runtime: any NodeRuntime, configuration: DeviceDriverConfiguration,
        commandSet: any DeviceCommandSet
    ) {
        self.device = device
        self.runtime = runtime
        self.configuration = configuration
        self.commandSet = commandSet
    }

    /// Operations accepted and not yet completed.
    var inProgress: Int { statistics.operations - statistics.completed }

    // MARK: - From above

    /// Starts an operation; its result reaches the delegate later, on the loop.
    func start(_ kind: DeviceOperationKind, tag: UInt64) {
        statistics.operations += 1
        if !isValid(kind) || !commandSet.accepts(kind, blockLength: blockLength) {
            statistics.rejected += 1
            finished.append((tag, DeviceResult(status: .rejected(.invalidRange))))
            armDelivery()
            return
        }
        let slot = freeSlots.popLast() ?? appendSlot()
        operations[slot] = DeviceOperation(
            tag: tag, sequence: nextSequence, kind: kind, submitted: runtime.now, retries: configuration.retries)
        nextSequence += 1
        waiting.append(slot)
        pump()
        if operations[slot]?.phase == .waiting {
            statistics.queuedForSlot += 1
        }
        statistics.maxWaiting = max(statistics.maxWaiting, waiting.count)
        armDelivery()
    }

    private func isValid(_ kind: DeviceOperationKind) -> Bool {
        switch kind {
        case .identify, .flush, .reservation: true
        case .read(_, let blocks): blocks > 0
        case .write(_, let data, _): !data.isEmpty && data.count % Int(blockLength) == 0
        }
    }

    private func appendSlot() -> Int {
        operations.append(nil)
        generations.append(0)
        return operations.count - 1
    }

    // MARK: - Sending

    /// Sends the waiting operations' next commands, oldest first, while the device has room.
    private func pump() {
        while let slot = waiting.first {
            guard let operation = operations[slot] else { preconditionFailure("a free slot is waiting") }
            assert(operation.phase == .waiting, "an operation waits in phase \(operation.phase)")
            guard let command = commandSet.nextCommand(of: operation, blockLength: blockLength) else {
                waiting.removeFirst()
                complete(slot, .good)
                continue
            }
            if device.outstandingCount >= device.queueDepth {
                blockedOnFullQueue()
                return
            }
            generations[slot] &+= 1
            let requestTag = Self.requestTag(slot: slot, generation: generations[slot])
            let request: SCSIRequest
            do {
                request = try SCSIRequest(
                    cdb: command.cdb, dataTransfer: command.transfer, timeout: configuration.commandTimeout,
                    tag: requestTag)
            } catch {
                // Only a transfer longer than 2³² − 1 bytes gets here: the request is too big.
                waiting.removeFirst()
                complete(slot, .rejected(.invalidRange))
                continue
            }
            do {
                try device.submit(request, handler: self)
            } catch .queueFull {
                // Another user of the device filled it between our check and the submit.
                blockedOnFullQueue()
                return
            } catch {
                waiting.removeFirst()
                statistics.hostErrors += 1
                complete(slot, .deviceUnavailable)
                continue
            }
            waiting.removeFirst()
            operations[slot]?.phase = .issued
            outstanding += 1
            statistics.commandsIssued += 1
        }
    }

    /// The device's queue is full. A completion of ours will pump again; with none of ours
    /// outstanding (other users fill the device) a timer will.
    private func blockedOnFullQueue() {
        guard outstanding == 0, !pumpArmed else { return }
        pumpArmed = true
        runtime.scheduleTimer(after: configuration.retryDelay, handler: self, token: Self.pumpToken)
    }

    /// Puts `slot` back in the waiting list, in arrival order.
    private func enqueue(_ slot: Int) {
        guard let sequence = operations[slot]?.sequence else { preconditionFailure("enqueueing a free slot") }
        operations[slot]?.phase = .waiting
        var index = waiting.count
        while index > 0, let before = operations[waiting[index - 1]], before.sequence > sequence { index -= 1 }
        waiting.insert(slot, at: index)
        statistics.maxWaiting = max(statistics.maxWaiting, waiting.count)
    }

    // MARK: - From the device

    func scsiRequestCompleted(_ completion: SCSICompletion) {
        let slot = Int(truncatingIfNeeded: completion.tag & 0xffff_ffff)
        guard slot < operations.count, generations[slot] == UInt32(truncatingIfNeeded: completion.tag >> 32),
            operations[slot]?.phase == .issued
        else {
            statistics.strayCompletions += 1
            return
        }
        outstanding -= 1
        assert(outstanding >= 0, "more completions than commands")
        judge(completion, slot: slot)
        pump()
        deliver()
    }

    /// What the completion of the current step of `slot` means.
    private func judge(_ completion: SCSICompletion, slot: Int) {
        switch completion.hostStatus {
        case .ok:
            break
        case .busBusy, .immediateRetry, .requeue:
            // The command did not reach the target (Linux retries these too).
            retry(slot, after: configuration.retryDelay, counter: \.hostRetries, otherwise: .deviceUnavailable)
            return
        case .timeOut:
            statistics.timeouts += 1
            complete(slot, .deviceUnavailable)
            return
        default:
            statistics.hostErrors += 1
            complete(slot, .deviceUnavailable)
            return
        }
        switch completion.driverStatus.code {
        case .ok, .sense:
            break
        case .timeout:
            statistics.timeouts += 1
            complete(slot, .deviceUnavailable)
            return
        default:
            statistics.hostErrors += 1
            complete(slot, .deviceUnavailable)
            return
        }
        let verdict: StepVerdict
        switch completion.status {
        case .good, .conditionMet:
            guard var operation = operations[slot] else { preconditionFailure("judging a free slot") }
            verdict = commandSet.absorbGood(completion, into: &operation, blockLength: blockLength)
            operations[slot] = operation
        case .checkCondition:
            guard let sense = commandSet.senseSummary(of: completion) else {
                verdict = .malformed
                break
            }
            if sense.senseKey == .unitAttention {
                // A reset or power on (a reinserted disk) since our last command: send it again.
                retry(slot, after: nil, counter: \.unitAttentionRetries, otherwise: .checkCondition(sense))
                return
            }
            guard var operation = operations[slot] else { preconditionFailure("judging a free slot") }
            verdict = commandSet.absorbCheckCondition(sense, into: &operation)
            operations[slot] = operation
        case .busy, .taskSetFull:
            retry(slot, after: configuration.retryDelay, counter: \.busyRetries, otherwise: .deviceUnavailable)
            return
        case .reservationConflict:
            statistics.reservationConflicts += 1
            verdict = .fail(.reservationConflict)
        default:
            statistics.hostErrors += 1
            verdict = .fail(.deviceUnavailable)
        }
        switch verdict {
        case .advance:
            operations[slot]?.retriesLeft = configuration.retries
            enqueue(slot)
        case .fail(let status):
            complete(slot, status)
        case .malformed:
            statistics.malformedResponses += 1
            complete(slot, .deviceUnavailable)
        }
    }

    /// Sends the current step again, at once (`delay` nil) or after `delay`, if it has retries
    /// left; else completes the operation with `exhausted`.
    private func retry(
        _ slot: Int, after delay: TimeSpan?, counter: WritableKeyPath<DeviceDriverStatistics, Int>,
        otherwise exhausted: IOStatus
    ) {
        guard let operation = operations[slot], operation.retriesLeft > 0 else {
            complete(slot, exhausted)
            return
        }
        operations[slot]?.retriesLeft -= 1
        statistics[keyPath: counter] += 1
        guard let delay else {
            enqueue(slot)
            return
        }
        operations[slot]?.phase = .retryPending
        runtime.scheduleTimer(
            after: delay, handler: self, token: Self.requestTag(slot: slot, generation: generations[slot]))
    }

    // MARK: - Timers

    func timerFired(_ token: UInt64) {
        switch token {
        case Self.deliverToken:
            deliveryArmed = false
        case Self.pumpToken:
            pumpArmed = false
            pump()
        default:
            let slot = Int(truncatingIfNeeded: token & 0xffff_ffff)
            precondition(
                slot < operations.count && generations[slot] == UInt32(truncatingIfNeeded: token >> 32)
                    && operations[slot]?.phase == .retryPending, "a retry timer for no retrying operation")
            enqueue(slot)
            pump()
        }
        deliver()
    }

    // MARK: - Completing

    private static func requestTag(slot: Int, generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(slot)
    }

    /// Ends the operation in `slot` with `status`.
    private func complete(_ slot: Int, _ status: IOStatus) {
        guard let operation = operations[slot] else { preconditionFailure("completing a free slot") }
        var result = DeviceResult(status: status, duration: runtime.now - operation.submitted)
        switch status {
        case .good:
            statistics.good += 1
            if case .identify = operation.kind {
                result.identity = operation.identity
                identity = operation.identity
                blockLength = operation.identity.blockLength
            } else if case .reservation = operation.kind {
                result.reservation = operation.reservation ?? ReservationResult()
            } else {
                result.data = operation.data
            }
        case .checkCondition: statistics.checkConditions += 1
        case .reservationConflict: break  // counted when judged
        case .rejected: statistics.rejected += 1
        case .deviceUnavailable, .transferFailed: statistics.unavailable += 1
        }
        assert(!waiting.contains(slot), "completing an operation still waiting")
        operations[slot] = nil
        generations[slot] &+= 1
        freeSlots.append(slot)
        finished.append((operation.tag, result))
    }

    /// Arms a zero-delay timer to hand over results produced inside a call from above.
    private func armDelivery() {
        guard !finished.isEmpty, !deliveryArmed, !delivering else { return }
        deliveryArmed = true
        runtime.scheduleTimer(after: .zero, handler: self, token: Self.deliverToken)
    }

    /// Hands every finished result to the delegate (on the loop, outside any call from above).
    private func deliver() {
        guard !delivering else { return }
        delivering = true
        defer { delivering = false }
        var index = 0
        while index < finished.count {
            let (tag, result) = finished[index]
            index += 1
            if let owner, let delegate { delegate.deviceCompleted(owner, tag: tag, result: result) }
        }
        finished.removeAll(keepingCapacity: true)
    }
}
