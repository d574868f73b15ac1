/// Why the real-time runtime could not be created or could not watch a file descriptor.
public enum RealRuntimeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A system call failed; `errno` is its error number.
    case systemCall(function: String, errno: Int32)
    /// The descriptor is already watched by this runtime.
    case alreadyWatched(Int32)
    /// The descriptor is not watched by this runtime.
    case notWatched(Int32)

    public var description: String {
        switch self {
        case .systemCall(let function, let errno): "\(function) failed: \(RealRuntimeError.text(of: errno))"
        case .alreadyWatched(let fd): "file descriptor \(fd) is already watched"
        case .notWatched(let fd): "file descriptor \(fd) is not watched"
        }
    }

    /// `strerror`'s text and the number, e.g. `Bad file descriptor (errno 9)`.
    static func text(of errno: Int32) -> String {
        String(cString: strerror(errno)) + " (errno \(errno))"
    }
}

import Glibc
