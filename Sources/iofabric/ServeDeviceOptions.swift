#if canImport(Glibc)
import Glibc
#endif
import RealHardware
import Scenario

/// The options every real-mode command shares: perftest's device selection, and a flag
/// signals set to stop the loop.
enum ServeDeviceOptions {
    static var specs: [OptionSpec] {
        [
            OptionSpec(name: "ib-dev", valueName: "name", help: "The RDMA device, as perftest's --ib-dev (default: the file's, else the first)."),
            OptionSpec(name: "ib-port", valueName: "n", help: "The device's port, as perftest's --ib-port (default: the file's, else 1)."),
            OptionSpec(name: "gid-index", valueName: "n", help: "The GID index, as perftest's --gid-index (default: the file's, else perftest's choice)."),
        ]
    }

    /// The device options given, as they would be passed on to a child process.
    static func passThrough(_ arguments: ParsedArguments) -> [String] {
        ["ib-dev", "ib-port", "gid-index"].flatMap { name in arguments.string(name).map { ["--" + name, $0] } ?? [] }
    }

    /// `base` (the file's selection) with the command line's options applied.
    static func selection(_ arguments: ParsedArguments, base: RealDeviceSelection) throws -> RealDeviceSelection {
        let given = passThrough(arguments)
        let parsed: RealDeviceSelection
        do {
            parsed = try RealDeviceSelection(arguments: given)
        } catch {
            throw UsageError(message: error.description)
        }
        var selection = base
        if arguments.string("ib-dev") != nil { selection.deviceName = parsed.deviceName }
        if arguments.string("ib-port") != nil { selection.port = parsed.port }
        if arguments.string("gid-index") != nil { selection.gidIndex = parsed.gidIndex }
        return selection
    }

    /// Loads a real-mode topology, printing its issues; nil when it is invalid.
    static func load(_ file: String) -> RealTopology? {
        do {
            return try RealTopology.load(path: file)
        } catch {
            for issue in error.issues { Tool.printError(issue.description) }
            return nil
        }
    }
}

/// Set by SIGINT and SIGTERM; the real-mode loops look at it between turns.
nonisolated(unsafe) var stopSignalled: sig_atomic_t = 0

/// Makes SIGINT and SIGTERM set ``stopSignalled`` instead of killing the process.
/// Also unblocks them: a process started by one that blocks them (a test runner) inherits the
/// mask, and a blocked SIGTERM would never stop the loop.
func installStopSignals() {
    signal(SIGINT) { _ in stopSignalled = 1 }
    signal(SIGTERM) { _ in stopSignalled = 1 }
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    sigprocmask(SIG_UNBLOCK, &set, nil)
}
