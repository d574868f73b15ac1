import Foundation
import Reports
import Scenario
import Timebase

/// `iofabric baseline [SCENARIO...] [--update]`: compares the bundled scenarios with their
/// committed baselines (`Reports/baselines/<scenario>.json`), or rewrites them deliberately.
///
/// One duration rule: a baseline records the simulated duration it was made at, and every
/// comparison runs at that duration. `--update` keeps an existing baseline's duration unless
/// `--until` gives another; a new baseline is made at the scenario's duration unless `--until`.
enum BaselineCommand {
    static var spec: CommandSpec {
        CommandSpec(
            path: ["iofabric", "baseline"],
            abstract: "Compare the bundled scenarios with their committed baselines, or rewrite them (--update).",
            discussion: """
                Runs each scenario (all of --directory, or those named) at its default seed and at the \
                duration its baseline records, and compares: exactly for the trace digest, event count, \
                verdict, problems and counts; within the baseline's relative tolerance for figures. Prints \
                a diff (key, baseline, now, tolerance); exit status 1 on any difference or missing baseline, \
                2 for an invalid scenario. With --update, writes the baselines and says which changed.
                """,
            arguments: [ArgumentSpec(name: "scenario", help: "Scenario names (in --directory) or files (default: all).", isRepeated: true, isOptional: true)],
            options: [
                OptionSpec(name: "update", help: "Rewrite the baselines from this run."),
                OptionSpec(name: "until", valueName: "time", help: "With --update: the simulated duration to make the baselines at (default: the existing baseline's, else the scenario's)."),
                OptionSpec(name: "directory", valueName: "dir", help: "Where the bundled scenarios are.", defaultValue: "Scenarios"),
                OptionSpec(name: "baselines", valueName: "dir", help: "Where the baselines are.", defaultValue: "Reports/baselines"),
            ],
            run: run)
    }

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let update = arguments.flag("update")
        let until = try SweepCommand.until(arguments)
        if until != nil && !update {
            throw UsageError(message: "--until needs --update: a comparison always runs at the duration its baseline records")
        }
        let directory = arguments.string("directory") ?? "Scenarios"
        let baselines = arguments.string("baselines") ?? "Reports/baselines"
        let files = arguments.positionals.isEmpty
            ? ScenarioFiles.expand([directory])
            : arguments.positionals.map { $0.hasSuffix(".json") || $0.contains("/") ? $0 : directory + "/" + $0 + ".json" }
        guard !files.isEmpty else {
            Tool.printError("Error: no scenario files in \(directory) (run from the package's root, or pass --directory)")
            return Tool.ExitCode.failure
        }
        var invalid = false
        var differing = false
        for file in files {
            let definition: ScenarioDefinition
            do {
                definition = try ScenarioDefinition.load(path: file)
            } catch {
                for issue in error.issues { Tool.printError(issue.description) }
                invalid = true
                continue
            }
            let path = Baseline.path(scenario: definition.name, directory: baselines)
            var existing: Baseline?
            var unreadable: String?
            if FileManager.default.fileExists(atPath: path) {
                do {
                    existing = try Baseline(json: try Data(contentsOf: URL(fileURLWithPath: path)))
                } catch {
                    unreadable = "\(error)"
                }
            }
            if !update, existing == nil {
                print("\(definition.name): " + (unreadable.map { "baseline \(path) unreadable: \($0)" } ?? "no baseline \(path)")
                      + "; make it with: \(Baseline.updateCommand(scenario: definition.name))")
                differing = true
                continue
            }
            let duration = until ?? existing?.simulatedDuration ?? definition.duration
            let report: RunReport
            do {
                report = try ScenarioRunner.run(definition, seed: nil, duration: duration).report
            } catch {
                for issue in error.issues { Tool.printError(issue.description) }
                invalid = true
                continue
            }
            let now = Baseline(report: report, relativeTolerance: existing?.relativeTolerance ?? Baseline.defaultRelativeTolerance)
            let differences = existing?.differences(now) ?? []
            let at = "seed \(report.seed), \(Quantity.text(duration)) simulated"
            if report.verdict != .pass {
                let failed = report.expectations.filter { !$0.passed }.map { "\($0.text) (measured \($0.measured))" } + report.problems
                print("\(definition.name): expectations FAILED (\(at)): " + failed.joined(separator: "; "))
            }
            if update {
                try FileManager.default.createDirectory(atPath: baselines, withIntermediateDirectories: true)
                try Data(now.jsonText.utf8).write(to: URL(fileURLWithPath: path))
                if existing == nil {
                    print("\(definition.name): created \(path) (\(at), digest \(report.traceDigest))")
                } else if differences.isEmpty {
                    print("\(definition.name): unchanged (\(at))")
                } else {
                    print("\(definition.name): updated \(path) (\(at)), \(differences.count) keys changed:")
                    print(BaselineDifference.table(differences), terminator: "")
                }
            } else if differences.isEmpty {
                print("\(definition.name): matches its baseline (\(at), digest \(report.traceDigest))")
            } else {
                differing = true
                print("\(definition.name): DIFFERS from \(path) (\(at)), \(differences.count) keys:")
                print(BaselineDifference.table(differences), terminator: "")
                print("  if the change is deliberate: \(Baseline.updateCommand(scenario: definition.name))")
            }
        }
        if invalid { return Tool.ExitCode.invalidScenario }
        return differing ? Tool.ExitCode.failure : Tool.ExitCode.success
    }
}
