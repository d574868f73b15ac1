import Foundation
import Reports
import Scenario
import Timebase

/// `iofabric sweep SCENARIO --seeds A..B [--jobs N] [--shard i/n]`: runs many seeds of a
/// scenario, each in its own process, and lists every failing seed with its replay command.
///
/// Each seed runs as `iofabric sweep-worker SCENARIO --seed S [--until T]` (this executable,
/// a hidden subcommand) that prints one JSON line, its ``SweepSeedResult``; a child that dies
/// (a trap, a signal) or prints no result is a failing seed with the reason.
enum SweepCommand {
    static var spec: CommandSpec {
        CommandSpec(
            path: ["iofabric", "sweep"],
            abstract: "Run many seeds of a scenario on all cores and list the failing seeds with their replay commands.",
            discussion: """
                Each seed runs in its own process, at most --jobs at once. --shard i/n runs only the seeds \
                at positions p (0-based, p = seed - A) with p mod n = i - 1; i is 1-based, like Slurm's \
                SLURM_ARRAY_TASK_ID with --array=1-n (Kubernetes' 0-based JOB_COMPLETION_INDEX: pass index+1), \
                so n invocations together run every seed exactly once. Writes sweep.json \
                (sweep-shard-i-of-n.json with --shard) to the out directory: every seed's verdict, trace digest, \
                failed expectations and exit code, sorted by seed, no wall-clock figures. Exit status 0 when \
                every seed passes, 1 when one fails, 2 when the scenario is invalid.
                """,
            arguments: [ArgumentSpec(name: "scenario", help: "The scenario file.")],
            options: [
                OptionSpec(name: "seeds", valueName: "A..B", help: "The seeds to run: A..B inclusive, or one seed N."),
                OptionSpec(name: "jobs", valueName: "n", help: "Processes at once (default: the number of active processors)."),
                OptionSpec(name: "shard", valueName: "i/n", help: "Run only shard i of n (1-based) of the seeds."),
                OptionSpec(name: "until", valueName: "time", help: "Simulated time of each run, e.g. 500ms (default: the scenario's duration)."),
                OptionSpec(name: "out", valueName: "dir", help: "Where to write sweep.json (default: Reports/<scenario>/sweep)."),
                OptionSpec(name: "quiet", help: "No progress line."),
            ],
            run: run)
    }

    /// The `--until` option as a positive duration, or nil.
    static func until(_ arguments: ParsedArguments) throws(UsageError) -> TimeSpan? {
        guard let text = arguments.string("until") else { return nil }
        guard let span = Quantity.duration(text), span > .zero else {
            throw UsageError(message: "The value '\(text)' is invalid for '--until': expected a duration such as 500ms or 2s")
        }
        return span
    }

    /// Reads `--seeds` and `--shard` into a plan; a wrong value is a usage error (exit 64).
    static func plan(_ arguments: ParsedArguments) throws(UsageError) -> SweepPlan {
        guard let seedsText = arguments.string("seeds") else {
            throw UsageError(message: "Missing expected option '--seeds <A..B>'")
        }
        let seeds: ClosedRange<UInt64>
        switch SweepPlan.parseSeeds(seedsText) {
        case .success(let range): seeds = range
        case .failure(let error): throw UsageError(message: error.message)
        }
        var shard: SweepPlan.Shard?
        if let text = arguments.string("shard") {
            switch SweepPlan.Shard.parse(text) {
            case .success(let value): shard = value
            case .failure(let error): throw UsageError(message: error.message)
            }
        }
        return SweepPlan(seeds: seeds, shard: shard)
    }

    /// Assumption: a sweep of more seeds than this is a typo (the list of seeds is held in memory).
    static let maximumSeeds: UInt64 = 10_000_000

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let file = arguments.positionals[0]
        let plan = try plan(arguments)
        let jobs: Int = arguments.string("jobs") == nil
            ? max(1, ProcessInfo.processInfo.activeProcessorCount) : try arguments.integer("jobs", in: 1...4096)
        let duration = try until(arguments)
        guard plan.selectedCount <= maximumSeeds else {
            throw UsageError(message: "--seeds selects \(plan.selectedCount) seeds; at most \(maximumSeeds) per invocation (use --shard)")
        }
        // Validate once, here, before spawning anything.
        let definition: ScenarioDefinition
        do {
            definition = try ScenarioDefinition.load(path: file)
        } catch {
            for issue in error.issues { Tool.printError(issue.description) }
            return Tool.ExitCode.invalidScenario
        }
        let seeds = plan.selectedSeeds
        let directory = URL(fileURLWithPath: arguments.string("out") ?? "Reports/\(definition.name)/sweep")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("iofabric-sweep-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        let started = DispatchTime.now().uptimeNanoseconds
        let progress = SweepProgress(enabled: !arguments.flag("quiet") && isatty(2) == 1, total: seeds.count, started: started)
        let executable = ChildProcess.currentExecutable
        let extra = duration.map { ["--until", Quantity.text($0)] } ?? []
        var running: [pid_t: (seed: UInt64, child: ChildProcess)] = [:]
        var results: [SweepSeedResult] = []
        var next = 0
        while next < seeds.count || !running.isEmpty {
            while running.count < jobs, next < seeds.count {
                let seed = seeds[next]
                next += 1
                let base = scratch.appendingPathComponent("seed-\(seed)").path
                do {
                    let child = try ChildProcess.spawn(
                        executable, ["sweep-worker", file, "--seed", String(seed)] + extra,
                        standardOutput: base + ".out", standardError: base + ".err")
                    running[child.pid] = (seed, child)
                } catch {
                    results.append(SweepSeedResult(seed: seed, verdict: .fail, reason: "\(error)"))
                }
            }
            guard let (pid, ending) = ChildProcess.waitForAny() else { break }
            guard let (seed, child) = running.removeValue(forKey: pid) else { continue }
            results.append(result(seed: seed, child: child, ending: ending))
            progress.update(done: results.count, failed: results.count { $0.verdict != .pass }, running: running.count)
        }
        progress.finish()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9

        let report = SweepReport(
            scenario: definition.name, scenarioFile: file, plan: plan, simulatedDuration: duration ?? definition.duration,
            results: results)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = plan.shard.map { "sweep-shard-\($0.index)-of-\($0.count).json" } ?? "sweep.json"
        let output = directory.appendingPathComponent(name)
        try Data(report.jsonText.utf8).write(to: output)
        print(summary(report, file: file, duration: duration, wall: wall, jobs: jobs, output: output.path))
        return report.failed.isEmpty ? Tool.ExitCode.success : Tool.ExitCode.failure
    }

    /// What one child's exit and output say about its seed.
    static func result(seed: UInt64, child: ChildProcess, ending: ChildProcess.Ending) -> SweepSeedResult {
        let output = (try? String(contentsOfFile: child.standardOutput, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: child.standardError, encoding: .utf8)) ?? ""
        let lastError = errors.split(separator: "\n").last.map { ": " + String($0) } ?? ""
        let line = output.split(separator: "\n").last { $0.hasPrefix("{") }
        switch ending {
        case .exited(let code) where code == Tool.ExitCode.success || code == Tool.ExitCode.failure:
            guard let line, var parsed = try? SweepSeedResult(json: Data(line.utf8)), parsed.seed == seed else {
                return SweepSeedResult(seed: seed, verdict: .fail, exitCode: code, reason: "exited with status \(code) without a result\(lastError)")
            }
            parsed.exitCode = code
            if code != Tool.ExitCode.success && parsed.verdict == .pass { parsed.verdict = .fail }
            return parsed
        case .exited(let code):
            return SweepSeedResult(seed: seed, verdict: .fail, exitCode: code, reason: "\(ending.description)\(lastError)")
        case .signalled:
            return SweepSeedResult(seed: seed, verdict: .fail, reason: "\(ending.description)\(lastError)")
        }
    }

    static func summary(_ report: SweepReport, file: String, duration: TimeSpan?, wall: Double, jobs: Int, output: String) -> String {
        let range = report.plan.seeds.lowerBound == report.plan.seeds.upperBound
            ? "seed \(report.plan.seeds.lowerBound)" : "seeds \(report.plan.seeds.lowerBound)..\(report.plan.seeds.upperBound)"
        let shard = report.plan.shard.map { ", shard \($0)" } ?? ""
        var lines = [
            "\(report.scenario): \(report.results.count) seeds run (\(range)\(shard)), \(report.passed) passed, \(report.failed.count) failed"
                + "  (wall \(Format.fixed(wall, 1)) s, \(jobs) jobs)"
        ]
        if !report.failed.isEmpty {
            lines.append("failing seeds:")
            for failure in report.failed {
                let why = failure.reason.map { [$0] } ?? (failure.failedExpectations + failure.problems)
                lines.append("  seed \(failure.seed): " + (why.isEmpty ? "failed" : why.joined(separator: "; ")))
                lines.append("    replay: " + RunCommand.replayCommand(file: file, seed: failure.seed, duration: duration))
            }
        }
        lines.append("sweep: \(output)")
        return lines.joined(separator: "\n")
    }
}

/// The sweep's progress line on standard error (terminals only): seeds done, failed, running.
final class SweepProgress {
    private let enabled: Bool
    private let total: Int
    private let started: UInt64

    init(enabled: Bool, total: Int, started: UInt64) {
        self.enabled = enabled
        self.total = total
        self.started = started
    }

    func update(done: Int, failed: Int, running: Int) {
        guard enabled else { return }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let line = "\r\(done)/\(total) seeds  \(failed) failed  \(running) running  \(Format.fixed(elapsed, 0)) s  ETA \(Format.fixed(eta, 0)) s "
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: 78) + "\r").utf8))
    }
}
