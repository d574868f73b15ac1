import CIOFabric
import Glibc

/// An open SCSI generic descriptor and what the driver said about it.
struct SCSIGenericDescriptor {
    var fileDescriptor: Int32
    var sgVersion: Int
    var limits: SCSIGenericLimits
}

/// Opens `path` read-write and checks it is a SCSI generic device (`CIOFabric_sg_open`).
///
/// - Throws: ``RealDeviceError/openFailed(path:errno:)`` (ENOENT, ...),
///   ``RealDeviceError/permissionDenied(path:)`` (EACCES),
///   ``RealDeviceError/notSCSIGeneric(path:)`` (SG_GET_VERSION_NUM answers ENOTTY),
///   ``RealDeviceError/ioctlFailed(path:request:errno:)``.
func openSCSIGenericDevice(path: String) throws(RealDeviceError) -> SCSIGenericDescriptor {
    var fd: Int32 = -1
    var version: Int32 = 0
    var stage = CIOFabric_SG_STAGE_NONE
    let code = CIOFabric_sg_open(path, &fd, &version, &stage)
    if code != 0 { throw RealDeviceError.scsiGeneric(path: path, stage: stage, errno: code) }
    var limits = CIOFabric_sg_limits()
    CIOFabric_sg_query_limits(fd, &limits)
    return SCSIGenericDescriptor(
        fileDescriptor: fd, sgVersion: Int(version),
        limits: SCSIGenericLimits(
            scatterGatherTableSize: limits.sg_table_size >= 0 ? Int(limits.sg_table_size) : nil,
            reservedBufferSize: limits.reserved_size >= 0 ? Int(limits.reserved_size) : nil))
}

extension RealDeviceError {
    /// The error of the SG step `stage` that failed with `code` on `path`.
    static func scsiGeneric(path: String, stage: CIOFabric_sg_stage, errno code: Int32) -> RealDeviceError {
        switch stage {
        case CIOFabric_SG_STAGE_OPEN:
            // EACCES is the file's permissions. EPERM is kernel policy instead (e.g. a mounted
            // block device refused for writing, even to root), so it gets no "run as root" hint.
            code == EACCES ? .permissionDenied(path: path) : .openFailed(path: path, errno: code)
        case CIOFabric_SG_STAGE_VERSION:
            code == ENOTTY
                ? .notSCSIGeneric(path: path) : .ioctlFailed(path: path, request: "SG_GET_VERSION_NUM", errno: code)
        default:
            .ioctlFailed(path: path, request: "SG_IO", errno: code)
        }
    }
}

/// Sizes the sg driver reports for a descriptor (`SG_GET_SG_TABLESIZE`, `SG_GET_RESERVED_SIZE`);
/// nil where it does not answer (a block device opened for SG_IO has no scatter-gather table size).
public struct SCSIGenericLimits: Hashable, Sendable {
    /// The host adapter's scatter-gather table size: with 4 KiB pages, table size × 4 KiB bounds
    /// one command's transfer.
    public var scatterGatherTableSize: Int?
    /// The descriptor's reserved buffer, in bytes (32 KiB by default, `SG_DEF_RESERVED_SIZE`).
    public var reservedBufferSize: Int?

    public init(scatterGatherTableSize: Int? = nil, reservedBufferSize: Int? = nil) {
        self.scatterGatherTableSize = scatterGatherTableSize
        self.reservedBufferSize = reservedBufferSize
    }
}
