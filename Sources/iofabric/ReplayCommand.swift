import Foundation
import Reports
import Scenario
import Timebase

/// `iofabric replay REPORT.json`: reruns the run a `report.json` records (its scenario file,
/// seed and simulated duration) and checks that the trace digest is the recorded one.
enum ReplayCommand {
    static var spec: CommandSpec {
        CommandSpec(
            path: ["iofabric", "replay"],
            abstract: "Rerun the run a report.json records and check it is identical (same trace digest).",
            discussion: """
                Reads the scenario file (scenario_file), seed and simulated duration from the report, \
                runs them again and compares trace digests. Writes no report. Exit status 0 for an \
                identical digest, 1 for a mismatch, 2 when the report cannot be read or the scenario is invalid.
                """,
            arguments: [ArgumentSpec(name: "report", help: "A report.json written by 'iofabric run'.")],
            options: [
                OptionSpec(name: "scenario", valueName: "file", help: "The scenario file to use instead of the one the report names."),
                OptionSpec(name: "quiet", help: "No progress line."),
            ],
            run: run)
    }

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let path = arguments.positionals[0]
        let recorded: RecordedRun
        do {
            recorded = try RecordedRun(json: try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as JSONReadError {
            Tool.printError("Error: \(path): \(error.message)")
            return Tool.ExitCode.invalidScenario
        } catch {
            Tool.printError("Error: \(path): cannot be read: \((error as NSError).localizedDescription)")
            return Tool.ExitCode.invalidScenario
        }
        guard let file = arguments.string("scenario") ?? recorded.scenarioFile else {
            Tool.printError("Error: \(path): the report records no scenario_file (written by an older iofabric); pass --scenario FILE")
            return Tool.ExitCode.invalidScenario
        }
        let definition: ScenarioDefinition
        do {
            definition = try ScenarioDefinition.load(path: file)
        } catch {
            for issue in error.issues { Tool.printError(issue.description) }
            return Tool.ExitCode.invalidScenario
        }
        if definition.name != recorded.scenario {
            Tool.printError("warning: \(file) is scenario '\(definition.name)', the report is of '\(recorded.scenario)'")
        }
        let progress = ProgressLine(enabled: !arguments.flag("quiet") && isatty(2) == 1, total: recorded.simulatedDuration)
        let report: RunReport
        do {
            report = try ScenarioRunner.run(definition, seed: recorded.seed, duration: recorded.simulatedDuration, progress: progress.update).report
        } catch {
            progress.finish()
            for issue in error.issues { Tool.printError(issue.description) }
            return Tool.ExitCode.invalidScenario
        }
        progress.finish()
        let run = "\(recorded.scenario) seed \(recorded.seed), \(Quantity.text(recorded.simulatedDuration)) simulated"
        if report.traceDigest == recorded.traceDigest {
            print("replayed: identical digest \(report.traceDigest) (\(run), \(report.eventCount) events)")
            return Tool.ExitCode.success
        }
        print("""
            replayed: DIGEST MISMATCH (\(run))
              recorded \(recorded.traceDigest)  (\(recorded.eventCount) events)
              now      \(report.traceDigest)  (\(report.eventCount) events)
            The scenario file or the models changed since the report was written, or the run is not deterministic.
            """)
        return Tool.ExitCode.failure
    }
}
