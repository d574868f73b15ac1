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
                whole run including building the topology, --repeat times (default 3), and reports \
                the median run (the fastest too): a shared machine's noise moves single runs by \
                tens of percent. Every run must give the same trace digest. Use a release build: \
                'swift run -c release iofabric bench scenario Scenarios/quickstart.json'.
                """,
            arguments: [ArgumentSpec(name: "scenario", help: "The scenario file.")],
            options: [
                OptionSpec(name: "until", valueName: "time", help: "Simulated time to run (default: the scenario's)."),
                OptionSpec(name: "repeat", valueName: "n", help: "Runs to time (default 3); the figures are the median run's."),
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
        var runs = 3
        if let text = arguments.string("repeat") {
            guard let value = Int(text), value >= 1 else {
                throw UsageError(message: "The value '\(text)' is invalid for '--repeat': expected a whole number of runs, 1 or more")
            }
            runs = value
        }
        let clock = ContinuousClock()
        var walls: [Double] = []
        var outcome: ScenarioOutcome?
        for _ in 0..<runs {
            let start = clock.now
            let this: ScenarioOutcome
            do {
                this = try ScenarioRunner.run(definition, duration: duration)
            } catch {
                for issue in error.issues { Tool.printError(issue.description) }
                return Tool.ExitCode.invalidScenario
            }
            let elapsed = start.duration(to: clock.now)
            walls.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            if let first = outcome, first.report.traceDigest != this.report.traceDigest {
                Tool.printError("error: run \(walls.count) gave trace digest \(this.report.traceDigest), run 1 \(first.report.traceDigest): the simulation is not deterministic")
                return Tool.ExitCode.failure
            }
            outcome = outcome ?? this
        }
        walls.sort()
        let wall = walls[walls.count / 2]
        let report = outcome!.report
        let ios = (report.metrics["reads"]?.doubleValue ?? 0) + (report.metrics["writes"]?.doubleValue ?? 0)
        let figures: [(String, JSONValue, String)] = [
            ("client_ios", .number(ios), Format.grouped(Int64(ios))),
            ("events", .unsigned(report.eventCount), Format.grouped(report.eventCount)),
            ("simulated_seconds", .number(report.simulatedDuration.seconds), Format.fixed(report.simulatedDuration.seconds, 3)),
            ("runs", .number(Double(runs)), String(runs)),
            ("wall_seconds", .number(wall), Format.fixed(wall, 3) + (runs > 1 ? " (median)" : "")),
            ("fastest_wall_seconds", .number(walls[0]), Format.fixed(walls[0], 3)),
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
