import Reports
import SimCore

/// `iofabric bench …`: performance figures, printed, never asserted in tests.
enum BenchCommand {
    static var spec: CommandSpec {
        CommandSpec(
            path: ["iofabric", "bench"],
            abstract: "Measure iofabric's speed (release builds only give meaningful figures).",
            subcommands: [engine])
    }

    static var engine: CommandSpec {
        CommandSpec(
            path: ["iofabric", "bench", "engine"],
            abstract: "Run PHOLD on the event kernel and print events per wall-clock second.",
            discussion: """
                PHOLD runs on the same queue, dispatch, time types and random streams the device \
                models use. Recipe: one splitmix64 stream; delay = 0.1 + (-ln u) s; each of the \
                N processes starts P events; each executed event draws a delay, then a \
                destination (next() % N), and schedules one event there. With the defaults the \
                final simulated time is 1343101139703624 ps (134471495650343 ps at 2,000,000 \
                events): that is how we know the work equals the peers' (ns-3, C++).
                """,
            options: [
                OptionSpec(name: "processes", valueName: "n", help: "Logical processes (N).", defaultValue: "1024"),
                OptionSpec(
                    name: "initial-events", valueName: "n", help: "Initial events per process (P).", defaultValue: "16"),
                OptionSpec(name: "events", valueName: "n", help: "Events to execute (E).", defaultValue: "20000000"),
                OptionSpec(name: "seed", valueName: "n", help: "Seed of the splitmix64 stream.", defaultValue: "42"),
                OptionSpec(name: "json", help: "Print one JSON object instead of a table."),
            ],
            run: runEngine)
    }

    static func runEngine(_ arguments: ParsedArguments) throws -> Int32 {
        let configuration = PHOLD.Configuration(
            processes: try arguments.integer("processes", in: 1...1_000_000),
            initialEventsPerProcess: try arguments.integer("initial-events", in: 1...1_000_000),
            events: try arguments.integer("events", in: 1...UInt64(Int64.max)),
            seed: try arguments.integer("seed", in: 0...UInt64.max))
        if !arguments.flag("json") && isDebugBuild {
            Tool.printError("warning: this is a debug build; benchmark figures need 'swift run -c release iofabric bench engine'")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let result = PHOLD.run(configuration)
        let elapsed = start.duration(to: clock.now)
        let wallSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let eventsPerSecond = Double(result.events) / wallSeconds

        if arguments.flag("json") {
            let json = JSONValue.object([
                ("benchmark", .string("phold")),
                ("build", .string(isDebugBuild ? "debug" : "release")),
                ("processes", .integer(Int64(configuration.processes))),
                ("initial_events_per_process", .integer(Int64(configuration.initialEventsPerProcess))),
                ("seed", .unsigned(configuration.seed)),
                ("events", .unsigned(result.events)),
                ("final_time_ps", .integer(result.finalTime.picoseconds)),
                ("trace_digest", .string(result.traceDigest.hex)),
                ("wall_seconds", .number(wallSeconds)),
                ("events_per_second", .number(eventsPerSecond.rounded())),
            ])
            print(json.rendered())
        } else {
            var table = TextTable(title: "PHOLD on the iofabric event kernel (\(isDebugBuild ? "debug" : "release") build)")
            table.append(["logical processes (N)", Format.grouped(configuration.processes)])
            table.append(["initial events per process (P)", Format.grouped(configuration.initialEventsPerProcess)])
            table.append(["executed events (E)", Format.grouped(result.events)])
            table.append(["final simulated time", "\(result.finalTime.picoseconds) ps"])
            table.append(["trace digest", result.traceDigest.hex])
            table.append(["wall time", Format.fixed(wallSeconds, 3) + " s"])
            table.append(["events per wall second", Format.si(eventsPerSecond)])
            print(table.rendered(), terminator: "")
        }
        return result.events == configuration.events ? Tool.ExitCode.success : Tool.ExitCode.failure
    }

    static var isDebugBuild: Bool {
        #if DEBUG
        true
        #else
        false
        #endif
    }
}
