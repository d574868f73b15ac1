import Glibc
import Hardware

/// A SCSI disk in this process's memory behind the ``Hardware/SCSIGenericDevice`` contract: the
/// real-mode LUN that measures the agents' data path without a disk's cost (the name says
/// so: `ram:64MiB`). Not a device of the kernel: no SG_IO, no worker thread, no sg driver
/// copies. Everything else a LUN needs from the SCSI DDM works as on `/dev/sgN`.
///
/// Commands, each answered from memory at submit and completed on a later turn of the loop
/// (a zero-delay timer; every completion ready by then is delivered in that turn, in submit
/// order):
/// - INQUIRY: standard data (vendor `IOFABRIC`, product `RAM DISK`, revision `0001`); VPD pages
///   are refused with ILLEGAL REQUEST, INVALID FIELD IN CDB (the DDM then goes on without a
///   serial number or world wide name, as for any disk without them).
/// - READ CAPACITY (10) and (16), TEST UNIT READY, SYNCHRONIZE CACHE (10): GOOD.
/// - READ (10/16), WRITE (10/16): the bytes, from and into the memory; a range past the end is
///   CHECK CONDITION, ILLEGAL REQUEST, LOGICAL BLOCK ADDRESS OUT OF RANGE (SBC-3 5.8), a data
///   phase that does not match the transfer length is INVALID FIELD IN CDB.
/// - anything else: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (SPC-4 4.5.6).
///
/// The memory is `calloc`ed: it reads as zeroes until written, and pages are touched only when
/// written, so a large disk costs nothing until used.
///
/// - Warning: Not thread-safe, like every `SCSIGenericDevice`: call it on its runtime's loop.
public final class MemorySCSIGenericDevice: SCSIGenericDevice, TimerHandler {
    /// E.g. `ram:64MiB`.
    public let name: String
    public let queueDepth: Int
    /// Bytes per logical block.
    public let blockLength: Int
    /// Logical blocks on the medium.
    public let blockCount: UInt64
    public var outstandingCount: Int { completions.count - completionHead }
    /// Commands completed so far.
    public private(set) var completed = 0

    private let runtime: any NodeRuntime
    private let storage: UnsafeMutableRawPointer
    private var completions: [(completion: SCSICompletion, handler: any SCSICompletionHandler)] = []
    private var completionHead = 0
    private var deliveryArmed = false
    private var isClosed = false

    /// The prefix of a LUN name that asks for a disk in memory, as in `ram:64MiB`.
    public static let namePrefix = "ram:"

    /// `capacity` bytes (rounded down to whole blocks) of zeroes, named `name`.
    ///
    /// - Parameters:
    ///   - blockLength: 512 by default, scsi_debug's default `sector_size`, so the two LUNs
    ///     compare block for block. [assumption]
    ///   - queueDepth: 16 by default, as ``RealSCSIGenericDeviceConfiguration/queueDepth`` (the sg
    ///     driver's `SG_MAX_QUEUE`).
    public init(name: String, capacity: Int, blockLength: Int = 512, queueDepth: Int = 16, runtime: any NodeRuntime) {
        precondition(blockLength > 0 && capacity >= blockLength, "\(name): a disk of \(capacity) bytes in blocks of \(blockLength)")
        precondition(queueDepth > 0, "\(name): queue depth \(queueDepth)")
        self.name = name
        self.blockLength = blockLength
        self.blockCount = UInt64(capacity / blockLength)
        self.queueDepth = queueDepth
        self.runtime = runtime
        guard let memory = calloc(capacity / blockLength, blockLength) else {
            preconditionFailure("\(name): calloc of \(capacity) bytes failed")
        }
        storage = memory
    }

    deinit {
        free(storage)
    }

    // MARK: Submitting

    public func submit(_ request: SCSIRequest, handler: any SCSICompletionHandler) throws(SCSIGenericError) {
        guard !isClosed else { throw .deviceGone }
        guard outstandingCount < queueDepth else { throw .queueFull }
        let started = runtime.now
        var completion = execute(request)
        completion.duration = runtime.now - started
        completions.append((completion, handler))
        guard !deliveryArmed else { return }
        deliveryArmed = true
        runtime.scheduleTimer(after: .zero, handler: self, token: 0)
    }

    /// Delivers the completions queued before this turn, in submit order.
    public func timerFired(_ token: UInt64) {
        deliveryArmed = false
        let end = completions.count
        while completionHead < end {
            let (completion, handler) = completions[completionHead]
            completionHead += 1
            completed += 1
            handler.scsiRequestCompleted(completion)
        }
        if completionHead == completions.count {
            completions.removeAll(keepingCapacity: true)
            completionHead = 0
        } else if !deliveryArmed {
            deliveryArmed = true
            runtime.scheduleTimer(after: .zero, handler: self, token: 0)
        }
    }

    /// Refuses later submits with ``Hardware/SCSIGenericError/deviceGone``; what was submitted
    /// still completes. Idempotent.
    public func close() {
        isClosed = true
    }

    // MARK: The command set

    /// The completion of `request`, its data moved.
    func execute(_ request: SCSIRequest) -> SCSICompletion {
        let cdb = request.cdb
        switch request.operationCode {
        case .testUnitReady, .synchronizeCache10:
            return good(request)
        case .inquiry:
            guard let inquiry = CDB.Inquiry(bytes: cdb) else { return invalidField(request) }
            guard !inquiry.vitalProductData, inquiry.pageCode == 0 else { return invalidField(request) }
            let data = StandardInquiryData(vendor: "IOFABRIC", product: "RAM DISK", revision: "0001").bytes
            return dataIn(data, allocation: Int(inquiry.allocationLength), request)
        case .readCapacity10:
            let last = UInt32(clamping: blockCount - 1)
            return dataIn(ReadCapacity10Data(lastLBA: last, blockLength: UInt32(blockLength)).bytes, allocation: 8, request)
        case .serviceActionIn16:
            guard let capacity = CDB.ReadCapacity16(bytes: cdb) else { return invalidOperation(request) }
            let data = ReadCapacity16Data(lastLBA: blockCount - 1, blockLength: UInt32(blockLength)).bytes
            return dataIn(data, allocation: Int(capacity.allocationLength), request)
        case .read10:
            guard let read = CDB.Read10(bytes: cdb) else { return invalidField(request) }
            return transfer(lba: UInt64(read.lba), blocks: Int(read.transferLength), write: false, request)
        case .read16:
            guard let read = CDB.Read16(bytes: cdb) else { return invalidField(request) }
            return transfer(lba: read.lba, blocks: Int(read.transferLength), write: false, request)
        case .write10:
            guard let write = CDB.Write10(bytes: cdb) else { return invalidField(request) }
            return transfer(lba: UInt64(write.lba), blocks: Int(write.transferLength), write: true, request)
        case .write16:
            guard let write = CDB.Write16(bytes: cdb) else { return invalidField(request) }
            return transfer(lba: write.lba, blocks: Int(write.transferLength), write: true, request)
        default:
            return checkCondition(request, .illegalRequest, .invalidCommandOperationCode)
        }
    }

    private func transfer(lba: UInt64, blocks: Int, write: Bool, _ request: SCSIRequest) -> SCSICompletion {
        let bytes = blocks * blockLength
        let (end, overflow) = lba.addingReportingOverflow(UInt64(blocks))
        guard !overflow, end <= blockCount else {
            return checkCondition(request, .illegalRequest, .logicalBlockAddressOutOfRange)
        }
        let offset = Int(lba) * blockLength
        switch request.dataTransfer {
        case .toDevice(let data) where write && data.count == bytes:
            data.withUnsafeBytes { source in
                if let base = source.baseAddress { (storage + offset).copyMemory(from: base, byteCount: bytes) }
            }
            return good(request)
        case .fromDevice(let count) where !write && count == bytes:
            let data = [UInt8](unsafeUninitializedCapacity: bytes) { buffer, initialized in
                if let base = buffer.baseAddress { UnsafeMutableRawPointer(base).copyMemory(from: storage + offset, byteCount: bytes) }
                initialized = bytes
            }
            return SCSICompletion(tag: request.tag, status: .good, dataIn: data, duration: .zero)
        default:
            return invalidField(request)
        }
    }

    private func dataIn(_ data: [UInt8], allocation: Int, _ request: SCSIRequest) -> SCSICompletion {
        let room = request.dataTransfer.byteCount
        guard case .fromDevice = request.dataTransfer else { return invalidField(request) }
        let sent = Array(data.prefix(min(allocation, room)))
        return SCSICompletion(tag: request.tag, status: .good, residual: room - sent.count, dataIn: sent, duration: .zero)
    }

    private func good(_ request: SCSIRequest) -> SCSICompletion {
        SCSICompletion(tag: request.tag, status: .good, duration: .zero)
    }

    private func invalidField(_ request: SCSIRequest) -> SCSICompletion {
        checkCondition(request, .illegalRequest, .invalidFieldInCDB)
    }

    private func invalidOperation(_ request: SCSIRequest) -> SCSICompletion {
        checkCondition(request, .illegalRequest, .invalidCommandOperationCode)
    }

    private func checkCondition(_ request: SCSIRequest, _ key: SenseKey, _ code: AdditionalSenseCode) -> SCSICompletion {
        SCSICompletion(
            tag: request.tag, status: .checkCondition, driverStatus: .sense,
            sense: SenseData.fixed(key, code).encoded(), residual: request.dataTransfer.byteCount, duration: .zero)
    }

    /// One line for a completion that did not go well, e.g. `ram:64MiB: READ(16) tag 3: CHECK
    /// CONDITION, sense key ILLEGAL REQUEST (0x5), ASC/ASCQ 0x21/0x00 (...)`.
    public func describe(_ completion: SCSICompletion, of request: SCSIRequest? = nil) -> String {
        SGIOFailureText.line(device: name, completion: completion, request: request)
    }
}
