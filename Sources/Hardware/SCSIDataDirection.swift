/// The direction of a SCSI command's data transfer (`sg_io_hdr.dxfer_direction`).
///
/// Requests carry their data in a ``SCSIDataTransfer``; this type is the `SG_DXFER_*` code a
/// backend passes to the kernel, and what traces print.
public struct SCSIDataDirection: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// No data (TEST UNIT READY, SYNCHRONIZE CACHE).
    ///
    /// The corresponding C constant is `SG_DXFER_NONE`.
    public static let none = SCSIDataDirection(rawValue: -1)

    /// Data from the initiator to the device (WRITE).
    ///
    /// The corresponding C constant is `SG_DXFER_TO_DEV`.
    public static let toDevice = SCSIDataDirection(rawValue: -2)

    /// Data from the device to the initiator (READ, INQUIRY).
    ///
    /// The corresponding C constant is `SG_DXFER_FROM_DEV`.
    public static let fromDevice = SCSIDataDirection(rawValue: -3)

    /// Treated like ``fromDevice``, but the buffer is first copied to the kernel.
    ///
    /// The corresponding C constant is `SG_DXFER_TO_FROM_DEV`.
    public static let toFromDevice = SCSIDataDirection(rawValue: -4)

    /// The C constant's name, e.g. `SG_DXFER_FROM_DEV`.
    public var description: String {
        switch rawValue {
        case -1: "SG_DXFER_NONE"
        case -2: "SG_DXFER_TO_DEV"
        case -3: "SG_DXFER_FROM_DEV"
        case -4: "SG_DXFER_TO_FROM_DEV"
        default: "dxfer_direction \(rawValue)"
        }
    }
}

/// The data phase of a SCSI request: nothing, bytes to the device, or room for bytes from it.
///
/// A closed set: a SCSI command moves data one way or not at all (bidirectional commands are
/// not used here).
public enum SCSIDataTransfer: Hashable, Sendable {
    /// No data phase.
    case none
    /// These bytes go to the device (the data-out buffer).
    case toDevice([UInt8])
    /// Up to `count` bytes come from the device (the data-in buffer length, `dxfer_len`).
    case fromDevice(count: Int)

    /// The `SG_DXFER_*` direction.
    public var direction: SCSIDataDirection {
        switch self {
        case .none: .none
        case .toDevice: .toDevice
        case .fromDevice: .fromDevice
        }
    }

    /// The transfer length in bytes (`dxfer_len`).
    public var byteCount: Int {
        switch self {
        case .none: 0
        case .toDevice(let bytes): bytes.count
        case .fromDevice(let count): count
        }
    }
}
