import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process of this executable, started with `posix_spawn`, its stdout and stderr
/// going to files (no pipes: nothing can block on a full pipe while the parent waits).
struct ChildProcess {
    /// How a child ended.
    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)

        /// Decodes a `waitpid` status (the `WIFEXITED`/`WTERMSIG` macros, which Swift does not import).
        init(waitStatus status: Int32) {
            if status & 0x7f == 0 {
                self = .exited((status >> 8) & 0xff)
            } else {
                self = .signalled(status & 0x7f)
            }
        }

        var description: String {
            switch self {
            case .exited(let code): return "exited with status \(code)"
            case .signalled(let signal):
                let name = strsignal(signal).map { String(cString: $0) } ?? "signal"
                return "killed by signal \(signal) (\(name))"
            }
        }
    }

    let pid: pid_t
    let standardOutput: String
    let standardError: String

    /// The absolute path of the running executable: `/proc/self/exe` on Linux, else
    /// `argv[0]` made absolute against the current directory.
    static var currentExecutable: String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        let first = CommandLine.arguments[0]
        if first.hasPrefix("/") { return first }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(first).standardized.path
    }

    /// Starts `executable` with `arguments`; stdin is /dev/null.
    static func spawn(_ executable: String, _ arguments: [String], standardOutput: String, standardError: String) throws -> ChildProcess {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, standardError, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard status == 0 else { throw SpawnError(message: "cannot start \(executable): \(String(cString: strerror(status)))") }
        return ChildProcess(pid: pid, standardOutput: standardOutput, standardError: standardError)
    }

    /// Waits for any child to end; nil when there is none left.
    static func waitForAny() -> (pid: pid_t, ending: Ending)? {
        var status: Int32 = 0
        while true {
            let pid = waitpid(-1, &status, 0)
            if pid > 0 { return (pid, Ending(waitStatus: status)) }
            if errno != EINTR { return nil }
        }
    }
}

struct SpawnError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
