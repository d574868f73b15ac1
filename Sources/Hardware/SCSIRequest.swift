/// One SCSI command to submit to a ``SCSIGenericDevice``: the input half of `sg_io_hdr`.
///
/// The initializer checks the shape (CDB length, transfer length, timeout) and throws, so a
/// request that exists is one every backend accepts. Whether the device accepts the command
/// is for the device to say, in the completion.
public struct SCSIRequest: Hashable, Sendable, CustomStringConvertible {
    /// The command descriptor block (`cmdp`, `cmd_len`).
    public let cdb: [UInt8]
    /// The data phase (`dxfer_direction`, `dxferp`, `dxfer_len`).
    public let dataTransfer: SCSIDataTransfer
    /// How long the device may take before the host aborts the command and completes it with
    /// ``SCSIHostStatus/timeOut`` (`timeout`; the real backend rounds up to milliseconds).
    public let timeout: TimeSpan
    /// The caller's tag, returned in the completion (`pack_id`/`usr_ptr`).
    public let tag: UInt64

    /// The largest sense buffer a completion carries (`mx_sb_len`): SPC's 252-byte maximum.
    public static let maxSenseLength = 252

    /// The longest CDB: a variable-length CDB of 260 bytes (SPC-4).
    public static let maxCDBLength = 260

    /// A request for `cdb` with `dataTransfer`.
    ///
    /// - Throws: ``SCSIGenericError/invalidCDBLength(_:)`` unless the CDB is 6…16 bytes, or a
    ///   variable-length CDB (operation code 0x7F, byte 7 = length − 8) of up to 260 bytes;
    ///   ``SCSIGenericError/invalidTransferLength(_:)`` for a negative or larger than 32-bit
    ///   transfer; ``SCSIGenericError/invalidTimeout(_:)`` for a timeout that is not positive.
    public init(cdb: [UInt8], dataTransfer: SCSIDataTransfer = .none, timeout: TimeSpan, tag: UInt64)
        throws(SCSIGenericError)
    {
        guard SCSIRequest.isValidCDB(cdb) else { throw .invalidCDBLength(cdb.count) }
        let length = dataTransfer.byteCount
        guard length >= 0 && length <= Int(UInt32.max) else { throw .invalidTransferLength(length) }
        guard timeout > .zero else { throw .invalidTimeout(timeout) }
        self.cdb = cdb
        self.dataTransfer = dataTransfer
        self.timeout = timeout
        self.tag = tag
    }

    /// A request for a CDB built with one of the ``CDB`` builders.
    ///
    /// - Throws: as ``init(cdb:dataTransfer:timeout:tag:)``.
    public init(
        _ command: some CommandDescriptorBlock, dataTransfer: SCSIDataTransfer = .none, timeout: TimeSpan, tag: UInt64
    ) throws(SCSIGenericError) {
        try self.init(cdb: command.bytes, dataTransfer: dataTransfer, timeout: timeout, tag: tag)
    }

    /// Whether `cdb` has a length SG_IO and SPC allow.
    public static func isValidCDB(_ cdb: [UInt8]) -> Bool {
        switch cdb.count {
        case 6...16: true
        case 17...maxCDBLength: cdb[0] == SCSIOperationCode.variableLength.rawValue && Int(cdb[7]) == cdb.count - 8
        default: false
        }
    }

    /// The operation code (CDB byte 0).
    public var operationCode: SCSIOperationCode { SCSIOperationCode(rawValue: cdb[0]) }

    /// E.g. `tag 5: 28 00 12 34 56 78 00 00 08 00 SG_DXFER_FROM_DEV 4096`.
    public var description: String {
        "tag \(tag): \(HexFormatting.bytes(cdb)) \(dataTransfer.direction) \(dataTransfer.byteCount)"
    }
}
