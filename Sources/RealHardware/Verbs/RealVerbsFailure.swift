import Glibc
import Hardware

/// The one-line ``VerbsError`` of a failed libibverbs call on a real device, naming the device,
/// the call and the system error, with a hint where one helps, e.g.
/// `out of memory (rxe0: ibv_reg_mr of 4096 bytes: Cannot allocate memory (ENOMEM); raise 'ulimit -l')`.
enum RealVerbsFailure {
    /// The error of `call` (e.g. `ibv_reg_mr of 4096 bytes`) on `device` failing with `code`.
    ///
    /// The case follows the errno: ENOMEM → ``VerbsError/resourceExhausted(_:)``, EINVAL →
    /// ``VerbsError/invalidArgument(_:)``, EACCES/EPERM → ``VerbsError/accessDenied(_:)``, EBUSY →
    /// ``VerbsError/busy(_:)``, ENOSYS/EOPNOTSUPP → ``VerbsError/unsupported(_:)``, anything else
    /// ``VerbsError/systemError(function:errno:)`` with the device and call as the function.
    static func error(device: String, call: String, errno code: Int32, hint: String? = nil) -> VerbsError {
        let text = message(device: device, call: call, errno: code, hint: hint)
        switch code {
        case ENOMEM: return .resourceExhausted("memory (\(text))")
        case EINVAL: return .invalidArgument(text)
        case EACCES, EPERM: return .accessDenied(text)
        case EBUSY: return .busy(text)
        case ENOSYS, EOPNOTSUPP: return .unsupported(text)
        default: return .systemError(function: text, errno: code)
        }
    }

    /// `device: call: strerror (ENAME)[; hint]`, on one line. ENOSYS says the build has no data path.
    static func message(device: String, call: String, errno code: Int32, hint: String? = nil) -> String {
        var text = "\(device): \(call): \(TextFormatting.errnoText(code)) (\(errnoName(code)))"
        if code == ENOSYS && CIOFabricDataPath.isAvailable == false {
            text += "; this build has no verbs data path (compiled without <infiniband/verbs.h>: install libibverbs-dev and rebuild)"
        } else if let hint {
            text += "; \(hint)"
        }
        return TextFormatting.singleLine(text)
    }

    /// The hint for a failed memory registration: ENOMEM is nearly always the locked-memory limit.
    static let registrationHint = "raise the locked-memory limit ('ulimit -l unlimited')"

    /// The symbolic name of the errno values libibverbs returns, e.g. `ENOMEM`; `errno N` otherwise.
    static func errnoName(_ code: Int32) -> String {
        switch code {
        case EPERM: "EPERM"
        case ENOENT: "ENOENT"
        case EINTR: "EINTR"
        case EIO: "EIO"
        case EAGAIN: "EAGAIN"
        case ENOMEM: "ENOMEM"
        case EACCES: "EACCES"
        case EFAULT: "EFAULT"
        case EBUSY: "EBUSY"
        case EEXIST: "EEXIST"
        case ENODEV: "ENODEV"
        case EINVAL: "EINVAL"
        case ENOSPC: "ENOSPC"
        case ENOSYS: "ENOSYS"
        case EOPNOTSUPP: "EOPNOTSUPP"
        case ETIMEDOUT: "ETIMEDOUT"
        case ENETDOWN: "ENETDOWN"
        case ENETUNREACH: "ENETUNREACH"
        default: "errno \(code)"
        }
    }
}
