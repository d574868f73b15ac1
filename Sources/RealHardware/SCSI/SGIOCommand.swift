import Hardware

/// One command as a worker thread hands it to SG_IO: a ``Hardware/SCSIRequest`` turned into
/// plain, `Sendable` inputs of `struct sg_io_hdr` (`cmdp`, `dxfer_direction`, `dxferp`,
/// `dxfer_len`, `timeout`).
public struct SGIOCommand: Hashable, Sendable {
    /// The command descriptor block (`cmdp`, `cmd_len`).
    public var cdb: [UInt8]
    /// `dxfer_direction`.
    public var direction: SCSIDataDirection
    /// The bytes a ``Hardware/SCSIDataDirection/toDevice`` command writes; empty otherwise.
    public var dataOut: [UInt8]
    /// `dxfer_len`: the bytes written, or the room for the bytes read.
    public var transferLength: Int
    /// `timeout`, in milliseconds: the SCSI layer aborts the command after it (DID_TIME_OUT).
    public var timeoutMilliseconds: UInt32

    /// A command from its parts (tests and other callers that build commands without a request).
    public init(
        cdb: [UInt8], direction: SCSIDataDirection, dataOut: [UInt8] = [], transferLength: Int,
        timeoutMilliseconds: UInt32
    ) {
        self.cdb = cdb
        self.direction = direction
        self.dataOut = dataOut
        self.transferLength = transferLength
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// The command for `request`: its CDB, data phase, and its timeout rounded up to whole
    /// milliseconds (`sg_io_hdr.timeout`'s unit; at least 1 ms, at most 2³² − 1 ms ≈ 49 days).
    public init(_ request: SCSIRequest) {
        var dataOut: [UInt8] = []
        if case .toDevice(let bytes) = request.dataTransfer { dataOut = bytes }
        self.init(
            cdb: request.cdb, direction: request.dataTransfer.direction, dataOut: dataOut,
            transferLength: request.dataTransfer.byteCount,
            timeoutMilliseconds: Self.milliseconds(roundingUp: request.timeout))
    }

    /// `span` in whole milliseconds, rounded up, clamped to 1...2³² − 1.
    static func milliseconds(roundingUp span: TimeSpan) -> UInt32 {
        let millisecond = TimeSpan.milliseconds(1).picoseconds
        let (quotient, remainder) = span.picoseconds.quotientAndRemainder(dividingBy: millisecond)
        let rounded = quotient + (remainder > 0 ? 1 : 0)
        return UInt32(clamping: max(rounded, 1))
    }
}
