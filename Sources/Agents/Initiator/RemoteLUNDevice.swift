import Hardware

/// A LUN granted to a ``ClientInitiator``, offered as a ``SCSIGenericDevice``: unchanged
/// SCSI-generic code (notably ``DiskLoadGenerator`` and its integrity oracle) drives the remote
/// LUN as it would a local disk.
///
/// Commands:
/// - TEST UNIT READY: GOOD while connected or failing over (commands are held, then sent on
///   the new connection); otherwise CHECK CONDITION NOT READY, LOGICAL UNIT NOT READY (02/04/00).
/// - INQUIRY: minimal standard data (direct-access block device, vendor `IOFABRIC`, product
///   `REMOTE LUN`); EVPD → ILLEGAL REQUEST, INVALID FIELD IN CDB (24/00).
/// - READ CAPACITY (10)/(16): from the target's advertisement (10 saturates at FFFFFFFFh).
/// - READ (10)/(16), WRITE (10)/(16): through a data slot of the initiator's buffer. The
///   transfer length must equal blocks × block length (else 24/00); past the last LBA →
///   LOGICAL BLOCK ADDRESS OUT OF RANGE (21/00); zero blocks → GOOD without a transfer (SBC).
/// - SYNCHRONIZE CACHE (10)/(16): a flush of the whole LUN (the range is not sent).
/// - Anything else → CHECK CONDITION ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (20/00).
///
/// The target's statuses map as: ``IOStatus/checkCondition(_:)`` → CHECK CONDITION with the
/// summary as fixed-format sense (an information field beyond 32 bits leaves VALID clear);
/// ``RejectReason/lunNotGranted`` → ILLEGAL REQUEST, LOGICAL UNIT NOT SUPPORTED (25/00); every
/// other rejection → ILLEGAL REQUEST, INVALID FIELD IN CDB (24/00: the request, as the CDB
/// described it, was refused); ``IOStatus/deviceUnavailable`` → host status
/// ``SCSIHostStatus/timeOut`` (Linux's DID_TIME_OUT); ``IOStatus/transferFailed`` → host status
/// ``SCSIHostStatus/error`` (DID_ERROR).
///
/// ``queueDepth`` is the grant's maxOutstanding. The data slots are shared by every device of
/// the initiator, so ``submit(_:handler:)`` also throws ``SCSIGenericError/queueFull`` when
/// none is free; a transfer larger than a slot throws ``SCSIGenericError/unsupported(_:)``.
/// The device stays the same object across failovers: a command in flight when the connection
/// is lost is sent again on the next connection and completes once. After the initiator gave
/// up reconnecting (``InitiatorConfiguration/failoverTimeout``), held commands complete with
/// host status ``SCSIHostStatus/timeOut`` and submissions throw ``SCSIGenericError/deviceGone``.
public final class RemoteLUNDevice: SCSIGenericDevice, TimerHandler {
    public let name: String
    public let lun: UInt16
    /// What the target advertised of the LUN.
    public let profile: LUNProfile
    unowned let initiator: ClientInitiator
    let index: Int

    struct Pending {
        var handler: any SCSICompletionHandler
        var tag: UInt64
        var slot: Int?
        var readBytes: Int?
        var transferBytes: Int
        var submitted: Instant
    }
    /// Commands sent through the initiator, by the device's token.
    var pending: [UInt64: Pending] = [:]
    /// Slots of completed commands whose pieces may still be written by the target, by token.
    var draining: [UInt64: Int] = [:]
    var nextToken: UInt64 = 1
    /// Commands answered here, delivered on the next turn of the loop.
    var local: [(handler: any SCSICompletionHandler, completion: SCSICompletion)] = []

    init(initiator: ClientInitiator, index: Int, profile: LUNProfile) {
        self.initiator = initiator
        self.index = index
        self.profile = profile
        lun = profile.lun
        name = initiator.name + ".lun\(profile.lun)"
    }

    public var queueDepth: Int { Int(initiator.connection?.1.maxOutstanding ?? initiator.configuration.maxOutstanding) }

    public private(set) var outstandingCount = 0

    public func submit(_ request: SCSIRequest, handler: any SCSICompletionHandler) throws(SCSIGenericError) {
        guard initiator.phase != .failed else { throw .deviceGone }
        guard outstandingCount < queueDepth else { throw .queueFull }
        switch plan(request) {
        case .answer(let completion):
            if local.isEmpty { initiator.runtime.scheduleTimer(after: .zero, handler: self, token: 0) }
            local.append((handler, completion))
        case .transfer(let block, let data):
            guard request.dataTransfer.byteCount <= initiator.configuration.deviceSlotBytes else {
                throw .unsupported(
                    "\(name): a transfer of \(request.dataTransfer.byteCount) bytes, beyond the \(initiator.configuration.deviceSlotBytes)-byte slot")
            }
            var slot: Int?
            if request.dataTransfer.byteCount > 0 {
                guard let taken = initiator.takeDeviceSlot() else { throw .queueFull }
                slot = taken
                if let data { initiator.buffer.write(data, at: taken) }
            }
            let token = nextToken
            nextToken += 1
            pending[token] = Pending(
                handler: handler, tag: request.tag, slot: slot,
                readBytes: block.operation == .read ? request.dataTransfer.byteCount : nil,
                transferBytes: request.dataTransfer.byteCount, submitted: initiator.runtime.now)
            let blockRequest = BlockRequest(
                lun: lun, operation: block.operation, lba: block.lba, blocks: block.blocks,
                bufferOffset: slot ?? initiator.configuration.bufferBytes)
            initiator.submit(blockRequest, tag: token, timeout: request.timeout, owner: .device(index))
        }
        outstandingCount += 1
    }

    public func timerFired(_ token: UInt64) {
        let due = local
        local.removeAll()
        for (handler, completion) in due {
            outstandingCount -= 1
            handler.scsiRequestCompleted(completion)
        }
    }

    /// The initiator completed the command sent with `token`; `draining`: pieces are still out,
    /// so its slot stays reserved until ``requestReleased(token:)``.
    func requestCompleted(token: UInt64, status: IOStatus, draining isDraining: Bool) {
        guard let command = pending.removeValue(forKey: token) else {
            preconditionFailure("\(name): completion of unknown token \(token)")
        }
        var dataIn: [UInt8] = []
        if status == .good, let count = command.readBytes, let slot = command.slot {
            dataIn = initiator.buffer.read(offset: slot, count: count)
        }
        if let slot = command.slot {
            if isDraining { draining[token] = slot } else { initiator.returnDeviceSlot(slot) }
        }
        outstandingCount -= 1
        command.handler.scsiRequestCompleted(
            Self.completion(
                of: status, tag: command.tag, dataIn: dataIn, transferBytes: command.transferBytes,
                duration: initiator.runtime.now - command.submitted))
    }

    /// The slot of a command that timed out is free: the target can no longer write into it.
    func requestReleased(token: UInt64) {
        guard let slot = draining.removeValue(forKey: token) else { return }
        initiator.returnDeviceSlot(slot)
    }
}
