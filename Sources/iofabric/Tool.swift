#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `iofabric` command tree and its dispatcher.
enum Tool {
    static let version = "0.1.0"

    /// Exit codes (documented in README.md).
    enum ExitCode {
        static let success: Int32 = 0
        /// The command ran and what it checked failed (a benchmark that could not run, …).
        static let failure: Int32 = 1
        /// The command line was wrong (`EX_USAGE`).
        static let usage: Int32 = 64
        /// A scenario file is invalid (`iofabric validate`, `run`).
        static let invalidScenario: Int32 = 2
    }

    static var root: CommandSpec {
        CommandSpec(
            path: ["iofabric"],
            abstract: "Simulate a storage fabric (PCI, InfiniBand, SCSI/ATA disks) deterministically, or drive real devices.",
            subcommands: [RunCommand.spec, SweepCommand.spec, ReplayCommand.spec, BaselineCommand.spec, SweepWorkerCommand.spec, ValidateCommand.spec, ListCommand.spec, SchemaCommand.spec, BenchCommand.spec, DevicesCommand.spec, ServeCommand.spec, ClientCommand.spec])
    }

    /// Parses `arguments` (without the program name), runs the command, returns the exit code.
    static func main(_ arguments: [String]) -> Int32 {
        var spec = root
        var rest = arguments[...]
        // `iofabric help [<subcommand> ...]` is `iofabric [<subcommand> ...] --help`.
        if rest.first == "help" {
            rest.removeFirst()
            var target = spec
            for word in rest {
                guard let sub = target.subcommands.first(where: { $0.name == word }) else {
                    return usageError("Unknown subcommand '\(word)'", spec: target)
                }
                target = sub
            }
            print(HelpText.render(target, version: target.path.count == 1 ? version : nil), terminator: "")
            return ExitCode.success
        }
        while let word = rest.first, let sub = spec.subcommands.first(where: { $0.name == word }) {
            spec = sub
            rest.removeFirst()
        }
        if rest.contains("-h") || rest.contains("--help") {
            print(HelpText.render(spec, version: spec.path.count == 1 ? version : nil), terminator: "")
            return ExitCode.success
        }
        if spec.path.count == 1, rest.contains("--version") {
            print("iofabric \(version)")
            return ExitCode.success
        }
        guard let run = spec.run else {
            if let word = rest.first {
                return usageError(
                    word.hasPrefix("-") ? "Unknown option '\(word)'" : "Unknown subcommand '\(word)'", spec: spec)
            }
            // A group without a subcommand shows what it offers.
            print(HelpText.render(spec, version: spec.path.count == 1 ? version : nil), terminator: "")
            return spec.path.count == 1 ? ExitCode.success : ExitCode.usage
        }
        do {
            let parsed = try ParsedArguments(spec: spec, arguments: rest)
            return try run(parsed)
        } catch let error as UsageError {
            return usageError(error.message, spec: spec)
        } catch {
            printError("Error: \(error)")
            return ExitCode.failure
        }
    }

    private static func usageError(_ message: String, spec: CommandSpec) -> Int32 {
        printError("Error: \(message)")
        printError("See '\(spec.commandLine) --help' for more information.")
        return ExitCode.usage
    }

    /// Writes `line` and a newline to standard error (unbuffered, straight to fd 2).
    static func printError(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
