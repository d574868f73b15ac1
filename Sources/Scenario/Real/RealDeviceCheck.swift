import RealHardware

/// The one line real mode says when it cannot run here: no libibverbs, or no RDMA device.
public enum RealDeviceCheck {
    /// Throws the one-line reason when libibverbs is missing or lists no device.
    public static func requireDevices() throws(RealModeError) {
        do throws(RealDeviceError) {
            let names = try VerbsLibrary.shared().deviceNames()
            if names.isEmpty { throw RealDeviceError.noDevices }
        } catch {
            throw RealModeError(line(for: error))
        }
    }

    /// The line for `error`: `libibverbs not found (install Debian's libibverbs1 and
    /// ibverbs-providers)`, `no RDMA devices found (see README: real-hardware mode)`, or the
    /// error's own line.
    public static func line(for error: RealDeviceError) -> String {
        switch error {
        case .libraryNotFound, .librarySymbolMissing:
            "libibverbs not found (install Debian's libibverbs1 and ibverbs-providers)"
        case .noDevices:
            "no RDMA devices found (see README: real-hardware mode)"
        default:
            error.description
        }
    }
}
