import Reports
import SimCore
import SimHardware
import Timebase

/// `iofabric bench …`: performance figures, printed, never asserted in tests.
enum BenchCommand {
    static var spec: CommandSpec {
        CommandSpec(
            path: ["iofabric", "bench"],
            abstract: "Measure iofabric's speed (release builds only give meaningful figures).",
            subcommands: [engine, fabric, BenchScenarioCommand.spec])
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

    static var fabric: CommandSpec {
        CommandSpec(
            path: ["iofabric", "bench", "fabric"],
            abstract: "Stream packets through a simulated InfiniBand switch and print packets per wall-clock second.",
            discussion: """
                K clients and one target on one switch; 4X SDR links (8 Gb/s data), 100 ns \
                propagation; RDMA WRITE middle packets of 2048 payload bytes (2074 on the wire). \
                Forward: each client streams to the target at 1/K of the target link's rate, so \
                that link runs full. --reverse: the target streams to the clients in turn at its \
                link's full rate. Per-VL credits, SL→VL mapping and cut-through switching are on; \
                nothing may be dropped (the command fails if anything is). Wall time covers the \
                run (SM sweep included), not building the topology.
                """,
            options: [
                OptionSpec(name: "clients", valueName: "n", help: "Clients on the switch (K).", defaultValue: "8"),
                OptionSpec(
                    name: "duration", valueName: "seconds", help: "Simulated time to run.", defaultValue: "0.05"),
                OptionSpec(name: "reverse", help: "Stream from the target to the clients."),
                OptionSpec(name: "seed", valueName: "n", help: "Seed of the run.", defaultValue: "1"),
                OptionSpec(name: "json", help: "Print one JSON object instead of a table."),
            ],
            run: runFabric)
    }

    static func runFabric(_ arguments: ParsedArguments) throws -> Int32 {
        let durationText = arguments.string("duration") ?? "0.05"
        guard let seconds = Double(durationText), seconds > 0, seconds <= 1_000 else {
            throw UsageError(
                message: "The value '\(durationText)' is invalid for '--duration': expected seconds in (0, 1000]")
        }
        let configuration = InfiniBandBenchmark.Configuration(
            clients: try arguments.integer("clients", in: 1...253), duration: TimeSpan(seconds: seconds),
            reverse: arguments.flag("reverse"), seed: try arguments.integer("seed", in: 0...UInt64.max))
        if !arguments.flag("json") && isDebugBuild {
            Tool.printError("warning: this is a debug build; benchmark figures need 'swift run -c release iofabric bench fabric'")
        }
        let rig = InfiniBandBenchmark.Rig(configuration)
        let clock = ContinuousClock()
        let start = clock.now
        let result = rig.run()
        let elapsed = start.duration(to: clock.now)
        let wallSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let packetsPerSecond = Double(result.packetsDelivered) / wallSeconds
        let simulatedPerWall = result.simulatedTime.seconds / wallSeconds
        let payloadRate = Double(result.payloadBytes) * 8 / result.simulatedTime.seconds

        if arguments.flag("json") {
            let json = JSONValue.object([
                ("benchmark", .string("infiniband-fabric")),
                ("build", .string(isDebugBuild ? "debug" : "release")),
                ("clients", .integer(Int64(configuration.clients))),
                ("direction", .string(configuration.reverse ? "reverse" : "forward")),
                ("seed", .unsigned(configuration.seed)),
                ("simulated_seconds", .number(result.simulatedTime.seconds)),
                ("packets_delivered", .integer(Int64(result.packetsDelivered))),
                ("payload_bits_per_simulated_second", .number(payloadRate.rounded())),
                ("drops", .integer(Int64(result.drops))),
                ("credit_stall_seconds", .number(result.creditStallTime.seconds)),
                ("events", .unsigned(result.events)),
                ("trace_digest", .string(result.traceDigest.hex)),
                ("wall_seconds", .number(wallSeconds)),
                ("packets_per_wall_second", .number(packetsPerSecond.rounded())),
                ("simulated_seconds_per_wall_second", .number(simulatedPerWall)),
            ])
            print(json.rendered())
        } else {
            var table = TextTable(
                title: "InfiniBand fabric on the iofabric event kernel (\(isDebugBuild ? "debug" : "release") build)")
            table.append(["clients (K), direction", "\(configuration.clients), \(configuration.reverse ? "target → clients" : "clients → target")"])
            table.append(["simulated time", Format.fixed(result.simulatedTime.seconds, 6) + " s"])
            table.append(["packets delivered", Format.grouped(result.packetsDelivered)])
            table.append(["payload rate (simulated)", Format.si(payloadRate, unit: "b/s")])
            table.append(["drops", Format.grouped(result.drops)])
            table.append(["credit stall at the bottleneck", result.creditStallTime.description])
            table.append(["executed events", Format.grouped(result.events)])
            table.append(["trace digest", result.traceDigest.hex])
            table.append(["wall time", Format.fixed(wallSeconds, 3) + " s"])
            table.append(["packets per wall second", Format.si(packetsPerSecond)])
            table.append(["simulated seconds per wall second", Format.fixed(simulatedPerWall, 4)])
            print(table.rendered(), terminator: "")
        }
        return result.drops == 0 && result.packetsDelivered > 0 ? Tool.ExitCode.success : Tool.ExitCode.failure
    }

    static var isDebugBuild: Bool {
        #if DEBUG
        true
        #else
        false
        #endif
    }
}
