import Foundation
import Reports
import Scenario
import Timebase

/// `iofabric bench scenario`: end-to-end speed of a whole scenario run.
enum BenchScenarioCommand {
    static var spec: CommandSpec {
        CommandSpec(
            path: ["iofabric", "bench", "scenario"],
            abstract: "Run a scenario and print simulated client I/Os per wall-clock second, events/s and simulated time per second.",
            discussion: """
                Builds and runs the scenario as 'iofabric run' does (no report files), timing the \
                whole run including building the topology. Use a release build: \
                'swift run -c release iofabric bench scenario Scenarios/quickstart.json'.
                """,
            arguments: [ArgumentSpec(name: "scenario", help: "The scenario file.")],
            options: [
                OptionSpec(name: "until", valueName: "time", help: "Simulated time to run (default: the scenario's)."),
                OptionSpec(name: "json", help: "Print one JSON object instead of a table."),
            ],
            run: run)
    }

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let definition: ScenarioDefinition
        do {
            definition = try ScenarioDefinition.load(path: arguments.positionals[0])
        } catch {
            for issue in error.issues { Tool.printError(issue.description) }
            return Tool.ExitCode.invalidScenario
        }
        var duration: TimeSpan?
        if let text = arguments.string("until") {
            guard let span = Quantity.duration(text), span > .zero else {
                throw UsageError(message: "The value '\(text)' is invalid for '--until': expected a duration such as 500ms")
            }
            duration = span
        }
        if !arguments.flag("json") && BenchCommand.isDebugBuild {
            Tool.printError("warning: this is a debug build; benchmark figures need 'swift run -c release iofabric bench scenario …'")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let outcome: ScenarioOutcome
        do {
            outcome = try ScenarioRunner.run(definition, duration: duration)
        } catch {
            for issue in error.issues { Tool.printError(issue.description) }
            return Tool.ExitCode.invalidScenario
        }
        let elapsed = start.duration(to: clock.now)
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let report = outcome.report
        let ios = (report.metrics["reads"]?.doubleValue ?? 0) + (report.metrics["writes"]?.doubleValue ?? 0)
        let figures: [(String, JSONValue, String)] = [
            ("client_ios", .number(ios), Format.grouped(Int64(ios))),
            ("events", .unsigned(report.eventCount), Format.grouped(report.eventCount)),
            ("simulated_seconds", .number(report.simulatedDuration.seconds), Format.fixed(report.simulatedDuration.seconds, 3)),
            ("wall_seconds", .number(wall), Format.fixed(wall, 3)),
            ("client_ios_per_wall_second", .number(ios / wall), Format.si(ios / wall)),
            ("events_per_wall_second", .number(Double(report.eventCount) / wall), Format.si(Double(report.eventCount) / wall)),
            ("simulated_seconds_per_wall_second", .number(report.simulatedDuration.seconds / wall), Format.fixed(report.simulatedDuration.seconds / wall, 2)),
        ]
        if arguments.flag("json") {
            let fields: [(String, JSONValue)] = [
                ("benchmark", .string("scenario")), ("scenario", .string(definition.name)),
                ("build", .string(BenchCommand.isDebugBuild ? "debug" : "release")), ("trace_digest", .string(report.traceDigest)),
            ] + figures.map { ($0.0, $0.1) }
            print(JSONValue.object(fields).rendered())
        } else {
            var table = TextTable(title: "scenario \(definition.name) (\(BenchCommand.isDebugBuild ? "debug" : "release") build)", header: ["figure", "value"])
            for figure in figures { table.append([figure.0.replacingOccurrences(of: "_", with: " "), figure.2]) }
            print(table.rendered(), terminator: "")
        }
        return Tool.ExitCode.success
    }
}
