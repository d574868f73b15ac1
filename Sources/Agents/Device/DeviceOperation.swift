import Hardware

/// What the layer above asked a driver to do.
enum DeviceOperationKind: Hashable {
    case identify
    case read(lba: UInt64, blocks: UInt32)
    case write(lba: UInt64, data: [UInt8], forceUnitAccess: Bool)
    case flush
    /// A persistent reservation operation: one PERSISTENT RESERVE OUT or IN command.
    case reservation(ReservationRequest)
}

/// One SCSI command of an operation: the CDB and its data phase.
struct DeviceCommand: Hashable {
    var cdb: [UInt8]
    var transfer: SCSIDataTransfer
}

/// What a command set makes of the answer to one step.
enum StepVerdict: Hashable {
    /// The step is done (the command set has moved the operation to its next step).
    case advance
    /// The operation ends with this status.
    case fail(IOStatus)
    /// The answer did not decode: the operation ends ``IOStatus/deviceUnavailable``, counted.
    case malformed
}

/// An operation in flight in a driver: a sequence of SCSI commands (steps), one outstanding at
/// a time. Its phase moves
///
///     waiting ──submit──> issued ──GOOD, advance──> waiting (next step) … ──no step──> done
///        ▲                  │
///        └──retry now───────┤ UNIT ATTENTION
///        └──timer───────────┘ BUSY, TASK SET FULL (retryPending)
///
/// and to done on any failure.
struct DeviceOperation {
    enum Phase: Hashable {
        /// In the driver's waiting list, for a device slot.
        case waiting
        /// Sent to the device; its completion is awaited.
        case issued
        /// Waiting for the retry delay before going back to the waiting list.
        case retryPending
    }

    let tag: UInt64
    /// Arrival order: the waiting list is kept in this order.
    let sequence: UInt64
    let kind: DeviceOperationKind
    let submitted: Instant
    var phase = Phase.waiting
    /// The current step (a command set's own numbering).
    var step = 0
    /// Blocks already moved by the steps done (ATA splits long transfers).
    var blocksDone: UInt64 = 0
    /// A read's data so far.
    var data: [UInt8] = []
    /// An identify's findings so far.
    var identity = DeviceIdentity(
        vendor: "", product: "", serialNumber: "", worldWideName: 0, blockLength: 0, blockCount: 0)
    /// A reservation operation's findings.
    var reservation: ReservationResult?
    /// Retries left for the current step.
    var retriesLeft: Int

    init(tag: UInt64, sequence: UInt64, kind: DeviceOperationKind, submitted: Instant, retries: Int) {
        self.tag = tag
        self.sequence = sequence
        self.kind = kind
        self.submitted = submitted
        retriesLeft = retries
    }
}

/// The format-specific half of a driver: which commands an operation takes and what their
/// answers mean. The other half, ``DeviceDriverEngine``, queues, sends, retries and completes.
protocol DeviceCommandSet {
    /// Whether the format can address `kind` at all (the engine has checked the block counts).
    func accepts(_ kind: DeviceOperationKind, blockLength: UInt32) -> Bool
    /// The next command of `operation`, or nil when it has none left (it succeeded).
    func nextCommand(of operation: DeviceOperation, blockLength: UInt32) -> DeviceCommand?
    /// The sense of a CHECK CONDITION as the agents see it; nil when it does not decode.
    func senseSummary(of completion: SCSICompletion) -> SenseSummary?
    /// Takes in a GOOD answer to the current step.
    func absorbGood(_ completion: SCSICompletion, into operation: inout DeviceOperation, blockLength: UInt32)
        -> StepVerdict
    /// Takes in a CHECK CONDITION (other than UNIT ATTENTION) on the current step.
    func absorbCheckCondition(_ sense: SenseSummary, into operation: inout DeviceOperation) -> StepVerdict
}

extension DeviceCommandSet {
    func accepts(_ kind: DeviceOperationKind, blockLength: UInt32) -> Bool { true }

    func absorbCheckCondition(_ sense: SenseSummary, into operation: inout DeviceOperation) -> StepVerdict {
        .fail(.checkCondition(sense))
    }
}
