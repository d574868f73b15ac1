import Foundation
import RealHardware
import Reports
import Scenario
import Timebase

/// `iofabric run SCENARIO`: build the scenario on the simulator, run it, check its
/// expectations and write its report.
enum RunCommand {
    static var spec: CommandSpec {
        CommandSpec(
            path: ["iofabric", "run"],
            abstract: "Run a scenario on simulated hardware and write its report.",
            discussion: """
                Writes report.json (deterministic: the CI artefact), report.md, report.html and \
                trace.json (Chrome Trace Event format: Perfetto, chrome://tracing) to \
                Reports/<scenario>/ unless --out says otherwise. Exit status 0 when every \
                expectation holds, 1 when one does not, 2 when the scenario is invalid.
                """,
            arguments: [ArgumentSpec(name: "scenario", help: "The scenario file.")],
            options: [
                OptionSpec(name: "seed", valueName: "n", help: "Seed of every random draw (default: the scenario's)."),
                OptionSpec(name: "until", valueName: "time", help: "Simulated time to run, e.g. 500ms (default: the scenario's duration)."),
                OptionSpec(name: "out", valueName: "dir", help: "Where to write the report (default: Reports/<scenario>)."),
                OptionSpec(name: "pcap", help: "Also capture every packet the fabrics carry: capture.pcap (capture-<fabric>.pcap with several fabrics), InfiniBand from the LRH (LINKTYPE_INFINIBAND 247) or RoCE v2 frames (Ethernet)."),
                OptionSpec(name: "pcap-link-type", valueName: "type", help: "The link type of an InfiniBand capture: infiniband (247, the standard) or user0 (147, for Wireshark 4.0 and older, which do not map 247: see README).", defaultValue: "infiniband"),
                OptionSpec(name: "quiet", help: "Print only the verdict line."),
                OptionSpec(
                    name: "backend", valueName: "sim|real",
                    help: "Simulated devices, or real libibverbs/SG_IO devices: then SCENARIO is a real-mode topology (Scenarios/real/), run as a target and client processes (see 'iofabric serve', 'iofabric client'); the report goes to Reports/<name>-real/.",
                    defaultValue: "sim"),
                OptionSpec(
                    name: "compare-sim",
                    help: "With --backend real: after the real run, run its simulated twin (calibrated from SG_IO and perftest figures) and write simvsreal.md/.json and simtwin.json beside the report."),
                OptionSpec(
                    name: "calibration", valueName: "file",
                    help: "With --compare-sim: a calibration JSON ({\"disk\": {\"read\", \"write\", \"blocks\"}, \"link\": {\"writeMBps\", \"writeLatency\", \"mtu\"}}) overriding the VM's measured defaults."),
                OptionSpec(
                    name: "ib-write-bw", valueName: "MiB/s",
                    help: "With --backend real: perftest's ib_write_bw on the same device (its BW average, MiB/s); the report compares each client's reads with it (the target RDMA-WRITEs read data)."),
                OptionSpec(
                    name: "ib-read-bw", valueName: "MiB/s",
                    help: "With --backend real: perftest's ib_read_bw on the same device (MiB/s); the report compares each client's writes with it (the target RDMA-READs written data)."),
            ] + ServeDeviceOptions.specs,
            run: run)
    }

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        switch arguments.string("backend") ?? "sim" {
        case "sim": break
        case "real": return try runOnRealDevices(arguments)
        case let other: throw UsageError(message: "The value '\(other)' is invalid for '--backend': expected sim or real")
        }
        let file = arguments.positionals[0]
        let definition: ScenarioDefinition
        do {
            definition = try ScenarioDefinition.load(path: file)
        } catch {
            for issue in error.issues { Tool.printError(issue.description) }
            return Tool.ExitCode.invalidScenario
        }
        let seed: UInt64? = arguments.string("seed") == nil ? nil : try arguments.integer("seed", in: 0...UInt64.max)
        var duration: TimeSpan?
        if let text = arguments.string("until") {
            guard let span = Quantity.duration(text), span > .zero else {
                throw UsageError(message: "The value '\(text)' is invalid for '--until': expected a duration such as 500ms or 2s")
            }
            duration = span
        }
        let linkType: PcapWriter.LinkType
        switch arguments.string("pcap-link-type") ?? "infiniband" {
        case "infiniband": linkType = .infiniband
        case "user0": linkType = .user0
        case let other: throw UsageError(message: "The value '\(other)' is invalid for '--pcap-link-type': expected infiniband or user0")
        }
        let quiet = arguments.flag("quiet")
        let progress = ProgressLine(enabled: !quiet && isatty(2) == 1, total: duration ?? definition.duration)
        let started = DispatchTime.now().uptimeNanoseconds
        let outcome: ScenarioOutcome
        do {
            outcome = try ScenarioRunner.run(
                definition, seed: seed, duration: duration, capture: arguments.flag("pcap") ? linkType : nil, progress: progress.update)
        } catch {
            progress.finish()
            for issue in error.issues { Tool.printError(issue.description) }
            return Tool.ExitCode.invalidScenario
        }
        progress.finish()
        var report = outcome.report
        report.scenarioFile = file
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        report.wallClock = WallClock(seconds: seconds, eventsPerSecond: Double(report.eventCount) / max(seconds, 1e-9))
        let directory = URL(fileURLWithPath: arguments.string("out") ?? "Reports/\(definition.name)")
        for capture in outcome.captures where capture.truncated > 0 {
            Tool.printError("warning: the capture of \(capture.fabric) stopped at \(PacketCapture.byteLimit >> 20) MiB: \(capture.truncated) later packets not written")
        }
        let written = try ReportDirectory.write(
            report: report, trace: outcome.trace, captures: outcome.captures.map { ($0.fabric, $0.writer) }, to: directory)
        if quiet {
            print("\(definition.name): \(report.verdict == .pass ? "PASS" : "FAIL")")
        } else {
            print(RunSummary.render(report, files: written.map(\.path), replay: replayCommand(file: file, seed: report.seed, duration: duration)))
        }
        return report.verdict == .pass ? Tool.ExitCode.success : Tool.ExitCode.failure
    }

    /// `--backend real`: checks that libibverbs has a device (else one line, exit 1), loads the
    /// real-mode topology (exit 2 when invalid), then runs ``RealModeRun``.
    static func runOnRealDevices(_ arguments: ParsedArguments) throws -> Int32 {
        // The devices first: where there are none, the one line says so whatever the file.
        do throws(RealModeError) {
            try RealDeviceCheck.requireDevices()
        } catch {
            Tool.printError(error.description)
            return Tool.ExitCode.failure
        }
        guard let topology = ServeDeviceOptions.load(arguments.positionals[0]) else { return Tool.ExitCode.invalidScenario }
        _ = try ServeDeviceOptions.selection(arguments, base: topology.device)  // a bad option is a usage error here
        var calibration: SimTwinCalibration?
        if arguments.flag("compare-sim") {
            do throws(RealModeError) {
                calibration = try arguments.string("calibration").map(SimTwinCalibration.load) ?? .vmDefaults
            } catch {
                Tool.printError(error.description)
                return Tool.ExitCode.invalidScenario
            }
        }
        var reference = PerftestReference()
        for (name, path) in [("ib-write-bw", \PerftestReference.writeMiBps), ("ib-read-bw", \PerftestReference.readMiBps)] {
            guard let text = arguments.string(name) else { continue }
            guard let value = Double(text), value > 0, value.isFinite else {
                throw UsageError(message: "The value '\(text)' is invalid for '--\(name)': expected perftest's bandwidth in MiB/s, e.g. 41.5")
            }
            reference[keyPath: path] = value
        }
        return try RealModeRun.run(
            topology, deviceOptions: ServeDeviceOptions.passThrough(arguments),
            directory: arguments.string("out") ?? topology.reportDirectory, quiet: arguments.flag("quiet"),
            compareSim: calibration, reference: reference)
    }

    static func replayCommand(file: String, seed: UInt64, duration: TimeSpan?) -> String {
        "iofabric run \(file) --seed \(seed)" + (duration.map { " --until \(Quantity.text($0))" } ?? "")
    }
}

/// `iofabric list`: the bundled scenarios.
enum ListCommand {
    static var spec: CommandSpec {
        CommandSpec(
            path: ["iofabric", "list"],
            abstract: "List the bundled scenarios (Scenarios/*.json) with their descriptions.",
            options: [OptionSpec(name: "directory", valueName: "dir", help: "Where the scenarios are.", defaultValue: "Scenarios")],
            run: run)
    }

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let directory = arguments.string("directory") ?? "Scenarios"
        let files = ScenarioFiles.expand([directory])
        guard !files.isEmpty else {
            Tool.printError("Error: no scenario files in \(directory) (run from the package's root, or pass --directory)")
            return Tool.ExitCode.failure
        }
        var table = TextTable(header: ["scenario", "duration", "description"])
        var invalid = 0
        for file in files {
            do {
                let scenario = try ScenarioDefinition.load(path: file)
                table.append([file, Quantity.text(scenario.duration), scenario.description])
            } catch {
                invalid += 1
                table.append([file, "-", "INVALID: \(error.issues[0].message)"])
            }
        }
        print(table.rendered(), terminator: "")
        return invalid == 0 ? Tool.ExitCode.success : Tool.ExitCode.invalidScenario
    }
}

/// A one-line progress display on standard error, redrawn in place, for terminals only.
final class ProgressLine {
    private let enabled: Bool
    private let total: TimeSpan
    private let started = DispatchTime.now().uptimeNanoseconds
    private var lastDrawn: UInt64 = 0

    init(enabled: Bool, total: TimeSpan) {
        self.enabled = enabled
        self.total = total
    }

    func update(_ now: Instant) {
        guard enabled else { return }
        let wall = DispatchTime.now().uptimeNanoseconds
        guard wall - lastDrawn > 100_000_000 || now - Instant.zero >= total else { return }
        lastDrawn = wall
        let fraction = min(1, (now - Instant.zero).seconds / total.seconds)
        let elapsed = Double(wall - started) / 1e9
        let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "\r[\(bar)] \(Format.fixed(fraction * 100, 0))%  simulated \(Format.fixed((now - Instant.zero).seconds, 2)) s  ETA \(Format.fixed(eta, 0)) s "
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: 78) + "\r").utf8))
    }
}
