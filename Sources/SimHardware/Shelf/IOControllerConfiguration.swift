import Timebase

/// The kind of a storage node's I/O controller.
public enum IOControllerKind: String, Hashable, Sendable {
    /// A Fibre Channel HBA speaking FCP to SCSI disks: tagged command queueing passes through.
    case scsiHBA
    /// A controller for ATA disks (behind the shelf's bridges): one command at a time per disk.
    case ataController
}

/// The timing and queueing parameters of an ``IOController``.
///
/// Defaults and their sources:
/// - SCSI HBA firmware: 15 µs per command submitted + 10 µs per completion on one embedded
///   processor, i.e. ≈ 40 000 commands/s. Assumption: a 2002 FC HBA (QLogic 23xx, Emulex
///   LP9002 class) handled a few tens of thousands of I/Os per second.
/// - ATA controller: 10 µs + 5 µs. Assumption: a simpler firmware path (no FCP exchange
///   management), but one command per disk.
/// - Queue depth per device: 32 for SCSI (REFERENCE §C.4: TCQ "typically 32 or more"), 1 for
///   ATA (REFERENCE §C.4: "model ATA with queue depth 1").
/// - DMA: one PCI transaction per 4 KiB of the buffer. Assumption: the scatter-gather list of
///   a Linux request has one element per page, and the HBA's DMA engine moves one element per
///   transaction (the bus splits it further in bursts under its latency timer).
public struct IOControllerConfiguration: Hashable, Sendable {
    public var kind: IOControllerKind
    /// Firmware time per command before it goes to the loop (serialised on one processor).
    public var commandOverhead: TimeSpan
    /// Firmware time per completion before it is posted to the host (serialised likewise).
    public var completionOverhead: TimeSpan
    /// The most commands outstanding per device path (``SimSCSIDevice/queueDepth``).
    public var queueDepth: Int
    /// The bytes of one DMA transaction.
    public var dmaTransactionBytes: Int

    public init(
        kind: IOControllerKind, commandOverhead: TimeSpan, completionOverhead: TimeSpan, queueDepth: Int,
        dmaTransactionBytes: Int = 4096
    ) {
        precondition(queueDepth >= 1 && dmaTransactionBytes >= 4, "impossible controller parameters")
        precondition(commandOverhead >= .zero && completionOverhead >= .zero, "negative firmware time")
        self.kind = kind
        self.commandOverhead = commandOverhead
        self.completionOverhead = completionOverhead
        self.queueDepth = queueDepth
        self.dmaTransactionBytes = dmaTransactionBytes
    }

    /// A 2002 FC HBA: 15 + 10 µs firmware, queue depth 32.
    public static let scsiHBA = IOControllerConfiguration(
        kind: .scsiHBA, commandOverhead: .microseconds(15), completionOverhead: .microseconds(10), queueDepth: 32)

    /// An ATA controller: 10 + 5 µs firmware, queue depth 1.
    public static let ataController = IOControllerConfiguration(
        kind: .ataController, commandOverhead: .microseconds(10), completionOverhead: .microseconds(5), queueDepth: 1)
}

/// What an ``IOController`` has done.
public struct IOControllerStatistics: Hashable, Sendable {
    /// Requests accepted by ``SimSCSIDevice/submit(_:handler:)``.
    public var commandsSubmitted = 0
    /// Requests completed (any outcome).
    public var commandsCompleted = 0
    /// Completions with a host status other than `DID_OK`.
    public var hostErrors = 0
    /// Completions with `DID_TIME_OUT`.
    public var timeouts = 0
    /// Answers that came after their request had completed (timed out, or failed with the
    /// loop) and were discarded.
    public var lateAnswersDiscarded = 0
    /// Data bytes read from devices and written to them.
    public var bytesRead = 0
    public var bytesWritten = 0
    /// Bytes moved by DMA across the PCI bus.
    public var dmaBytes = 0
    /// The sum over commands of the time from a DMA phase's first request to its last end.
    public var pciTime = TimeSpan.zero
}
