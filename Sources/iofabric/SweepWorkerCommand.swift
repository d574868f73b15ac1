import Foundation
import Reports
import Scenario
import Timebase

/// `iofabric sweep-worker SCENARIO --seed N [--until T]` (hidden): what each child process of
/// `iofabric sweep` runs. Prints one line on stdout, the seed's ``SweepSeedResult`` as
/// compact JSON, and exits 0 (pass), 1 (fail) or 2 (invalid scenario); writes no files.
enum SweepWorkerCommand {
    static var spec: CommandSpec {
        CommandSpec(
            path: ["iofabric", "sweep-worker"],
            abstract: "Internal: run one seed of a sweep and print its result as one JSON line.",
            arguments: [ArgumentSpec(name: "scenario", help: "The scenario file.")],
            options: [
                OptionSpec(name: "seed", valueName: "n", help: "The seed to run."),
                OptionSpec(name: "until", valueName: "time", help: "Simulated time to run (default: the scenario's duration)."),
            ],
            isHidden: true,
            run: run)
    }

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let file = arguments.positionals[0]
        let seed: UInt64 = try arguments.integer("seed", in: 0...UInt64.max)
        let duration = try SweepCommand.until(arguments)
        do {
            let definition = try ScenarioDefinition.load(path: file)
            let report = try ScenarioRunner.run(definition, seed: seed, duration: duration).report
            print(SweepSeedResult(report: report).jsonValue.rendered())
            return report.verdict == .pass ? Tool.ExitCode.success : Tool.ExitCode.failure
        } catch {
            for issue in error.issues { Tool.printError(issue.description) }
            return Tool.ExitCode.invalidScenario
        }
    }
}
