import Foundation
import Testing

/// The command-line contract: help everywhere, version, usage errors, benchmark JSON.
@Suite("iofabric CLI")
struct CLITests {
    /// Every command path, found by walking the SUBCOMMANDS sections of the help.
    func commandTree() throws -> [[String]] {
        var paths: [[String]] = [[]]
        var queue: [[String]] = [[]]
        while !queue.isEmpty {
            let path = queue.removeFirst()
            let help = try runTool(path + ["--help"]).standardOutput
            guard let section = help.range(of: "SUBCOMMANDS:\n") else { continue }
            for line in help[section.upperBound...].split(separator: "\n") {
                let words = line.split(separator: " ")
                // Subcommand rows start with two spaces and a name; continuation lines are deeper.
                guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = words.first, name != "See" else { continue }
                paths.append(path + [String(name)])
                queue.append(path + [String(name)])
            }
        }
        return paths
    }

    @Test("every command answers --help in the OVERVIEW / USAGE / OPTIONS layout, and help <cmd> agrees")
    func helpEverywhere() throws {
        let paths = try commandTree()
        #expect(paths.contains(["bench", "engine"]))
        for path in paths {
            let run = try runTool(path + ["--help"])
            let name = (["iofabric"] + path).joined(separator: " ")
            #expect(run.status == 0, "\(name) --help")
            #expect(run.standardOutput.hasPrefix("OVERVIEW: "), "\(name) --help")
            #expect(run.standardOutput.contains("\nUSAGE: \(name)"), "\(name) --help")
            #expect(run.standardOutput.contains("\nOPTIONS:\n"), "\(name) --help")
            #expect(run.standardOutput.contains("  -h, --help              Show help information."))
            #expect(run.standardError.isEmpty)
            #expect(try runTool(["help"] + path).standardOutput == run.standardOutput, "help \(path)")
            #expect(try runTool(path + ["-h"]).standardOutput == run.standardOutput)
        }
    }

    @Test("--version prints the version")
    func version() throws {
        let run = try runTool(["--version"])
        #expect(run.status == 0)
        #expect(run.standardOutput.hasPrefix("iofabric "))
    }

    @Test("usage errors: one line, a pointer to --help, on stderr, exit 64", arguments: [
        (["bench", "engine", "--frobnicate"], "Error: Unknown option '--frobnicate'", "iofabric bench engine"),
        (["bench", "engine", "--events"], "Error: Missing value for '--events <n>'", "iofabric bench engine"),
        (["bench", "engine", "--events", "many"], "Error: The value 'many' is invalid for '--events': expected an integer in 1...9223372036854775807", "iofabric bench engine"),
        (["bench", "engine", "extra"], "Error: Unexpected argument 'extra'", "iofabric bench engine"),
        (["teleport"], "Error: Unknown subcommand 'teleport'", "iofabric"),
        (["bench", "warp"], "Error: Unknown subcommand 'warp'", "iofabric bench"),
    ])
    func usageErrors(arguments: [String], message: String, command: String) throws {
        let run = try runTool(arguments)
        #expect(run.status == 64)
        #expect(run.standardOutput.isEmpty)
        #expect(run.standardError == "\(message)\nSee '\(command) --help' for more information.\n")
    }

    @Test("bench engine --json prints one JSON object with the required keys")
    func benchJSON() throws {
        let run = try runTool(["bench", "engine", "--events", "20000", "--processes", "128", "--json"])
        #expect(run.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        for key in ["events", "final_time_ps", "wall_seconds", "events_per_second", "trace_digest"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["events"] as? Int == 20_000)
    }

    @Test("bench scenario --repeat 2 --json times two runs of one digest and reports the median and the fastest")
    func benchScenarioRepeat() throws {
        let quickstart = packageRoot.appendingPathComponent("Scenarios/quickstart.json").path
        let run = try runTool(["bench", "scenario", quickstart, "--until", "20ms", "--repeat", "2", "--json"])
        #expect(run.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        #expect(object["runs"] as? Int == 2)
        let median = try #require(object["wall_seconds"] as? Double)
        let fastest = try #require(object["fastest_wall_seconds"] as? Double)
        #expect(fastest <= median, "the fastest of two runs is not slower than their median (the slower one)")
        #expect((object["trace_digest"] as? String)?.count == 16)
        let bad = try runTool(["bench", "scenario", quickstart, "--repeat", "0"])
        #expect(bad.status == 64)
        #expect(bad.standardError.contains("'--repeat'"))
    }

    @Test("two processes running the same benchmark agree on the trace digest and final time")
    func benchDeterministicAcrossProcesses() throws {
        let arguments = ["bench", "engine", "--events", "50000", "--processes", "256", "--json"]
        func fields(_ run: ToolRun) throws -> (String, Int) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
            return (try #require(object["trace_digest"] as? String), try #require(object["final_time_ps"] as? Int))
        }
        let a = try fields(try runTool(arguments))
        let b = try fields(try runTool(arguments))
        #expect(a.0 == b.0 && a.1 == b.1)
    }

    @Test("devices lists real devices, or says in one line why there are none")
    func devices() throws {
        let run = try runTool(["devices", "--sg-directory", "/nonexistent-sg-dir"])
        #expect(run.status == 0)
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "RDMA devices:")
        #expect(lines.contains("SCSI generic devices:"))
        #expect(lines.contains("  none: cannot open /nonexistent-sg-dir: No such file or directory"))
        let rdma = lines[1]
        #expect(rdma.hasPrefix("  none: libibverbs not found") || rdma == "  none: no RDMA devices found" || !rdma.hasPrefix("  none"),
            "unexpected: \(rdma)")
    }
}
