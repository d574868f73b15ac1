/// Why the real backend could not find, open or identify a device: setup and environment
/// errors, thrown before any agent runs.
///
/// Every ``description`` is one line that a user can act on, e.g.
/// `cannot open /dev/sg3: No such file or directory`. Errors that carry a system error keep
/// its number (`errno`) and render it with `strerror`.
public enum RealDeviceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// dlopen() could not load libibverbs (it is not installed, or a library it needs is
    /// missing). `reason` is dlerror()'s text.
    case libraryNotFound(library: String, reason: String)

    /// libibverbs loaded, but a function this backend calls is missing from it (a library too
    /// old for the IBVERBS_1.1 ABI, or not libibverbs at all). `reason` is dlerror()'s text.
    case librarySymbolMissing(library: String, symbol: String, reason: String)

    /// libibverbs works but reports no RDMA device, or the kernel has no RDMA support at all
    /// (`ibv_get_device_list` failing with ENOSYS).
    case noDevices

    /// `ibv_get_device_list` failed for another reason than missing kernel support.
    case deviceListFailed(errno: CInt)

    /// No RDMA device has the requested name; `available` lists those that exist.
    case deviceNotFound(name: String, available: [String])

    /// `ibv_open_device` failed, e.g. EACCES when `/dev/infiniband/uverbsN` is not accessible.
    case deviceOpenFailed(device: String, errno: CInt)

    /// `ibv_query_device` failed on an opened device.
    case deviceQueryFailed(device: String, errno: CInt)

    /// `ibv_query_port` failed, e.g. EINVAL for a port number the device does not have.
    case portQueryFailed(device: String, port: Int, errno: CInt)

    /// `ibv_query_gid` failed for one GID table entry.
    case gidQueryFailed(device: String, port: Int, index: Int, errno: CInt)

    /// open() failed for another reason than the file's permissions (ENOENT, EISDIR, ENXIO,
    /// EPERM for a mounted block device, ...); also used when a directory of device nodes
    /// cannot be read.
    case openFailed(path: String, errno: CInt)

    /// open() failed with EACCES: the user may not open the device node for reading and writing.
    case permissionDenied(path: String)

    /// The file opened, but does not answer SG_GET_VERSION_NUM (ENOTTY): it is neither a
    /// /dev/sgN node nor a SCSI block device.
    case notSCSIGeneric(path: String)

    /// An ioctl on a SCSI generic device failed; `request` names it (`SG_GET_VERSION_NUM`, `SG_IO`).
    case ioctlFailed(path: String, request: String, errno: CInt)

    /// The INQUIRY command reached the device and did not complete with GOOD status.
    case inquiryFailed(path: String, status: SGIOStatus)

    /// The INQUIRY response was shorter than the 36 bytes of a standard response.
    case inquiryTooShort(path: String, length: Int)

    /// A device's worker thread could not be started (`pthread_create`, e.g. EAGAIN at the
    /// process's thread limit).
    case threadStartFailed(device: String, errno: CInt)

    /// The error as one line, e.g. `RDMA device 'mlx5_9' not found (available: rxe0)`.
    public var description: String {
        let text: String
        switch self {
        case .libraryNotFound(let library, let reason):
            text =
                "libibverbs not found (\(Self.naming(library, reason))); "
                + "install Debian's libibverbs1 and ibverbs-providers"
        case .librarySymbolMissing(let library, let symbol, let reason):
            text =
                "\(library) is unusable: it has no \(symbol) (\(reason)); "
                + "install Debian's libibverbs1 and ibverbs-providers"
        case .noDevices:
            text = "no RDMA devices found"
        case .deviceListFailed(let code):
            text = "cannot list RDMA devices: \(TextFormatting.errnoText(code))"
        case .deviceNotFound(let name, let available):
            let names = available.isEmpty ? "none" : available.joined(separator: ", ")
            text = "RDMA device '\(name)' not found (available: \(names))"
        case .deviceOpenFailed(let device, let code):
            text = "cannot open RDMA device \(device): \(TextFormatting.errnoText(code))"
        case .deviceQueryFailed(let device, let code):
            text = "cannot query RDMA device \(device): \(TextFormatting.errnoText(code))"
        case .portQueryFailed(let device, let port, let code):
            text = "cannot query port \(port) of \(device): \(TextFormatting.errnoText(code))"
        case .gidQueryFailed(let device, let port, let index, let code):
            text = "cannot query GID \(index) of port \(port) of \(device): \(TextFormatting.errnoText(code))"
        case .openFailed(let path, let code):
            text = "cannot open \(path): \(TextFormatting.errnoText(code))"
        case .permissionDenied(let path):
            text = "permission denied opening \(path) (run as root or add the user to the disk group)"
        case .notSCSIGeneric(let path):
            text = "\(path) is not a SCSI generic device"
        case .ioctlFailed(let path, let request, let code):
            text = "\(request) on \(path) failed: \(TextFormatting.errnoText(code))"
        case .inquiryFailed(let path, let status):
            text = "INQUIRY to \(path) failed: \(status)"
        case .inquiryTooShort(let path, let length):
            text = "INQUIRY to \(path) returned \(length) bytes, fewer than the 36 of a standard response"
        case .threadStartFailed(let device, let code):
            text = "cannot start the SG_IO worker thread of \(device): \(TextFormatting.errnoText(code))"
        }
        return TextFormatting.singleLine(text)
    }

    /// dlerror() usually starts with the file name already; name it once, not twice.
    private static func naming(_ library: String, _ reason: String) -> String {
        reason.hasPrefix(library) ? reason : "\(library): \(reason)"
    }
}
