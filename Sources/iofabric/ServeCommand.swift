import Foundation
import RealHardware
import Scenario
import Timebase

/// `iofabric serve REAL.json`: the storage target of a real-mode topology on real devices,
/// until SIGINT/SIGTERM or `--until`.
enum ServeCommand {
    static var spec: CommandSpec {
        CommandSpec(
            path: ["iofabric", "serve"],
            abstract: "Run a real-mode topology's storage target on real RDMA and SCSI generic devices.",
            discussion: """
                Opens the RDMA device (perftest's --ib-dev/--ib-port/--gid-index) and the target's sg \
                devices, starts the UMA, CTA, TTS and RTAs (the simulator's agents), and when they are \
                ready writes the management endpoint to the topology's bootstrap folder for the clients. \
                Runs until SIGINT or SIGTERM (or --until), then prints what it served. Exit status 0 \
                on a clean stop, 1 when it could not serve (one line says why), 2 for an invalid file.
                """,
            arguments: [ArgumentSpec(name: "topology", help: "The real-mode topology file (e.g. Scenarios/real/validation.json).")],
            options: [
                OptionSpec(name: "role", valueName: "role", help: "The process's role: target, or in a cluster file the system's name (as --system).", defaultValue: "target"),
                OptionSpec(name: "system", valueName: "name", help: "In a cluster file: which system of the HA pair to run (e.g. red)."),
                OptionSpec(name: "result", valueName: "file", help: "In a cluster file: keep the system's status (slam connect, heartbeats, takeover timeline) in this JSON file, rewritten atomically as things happen."),
                OptionSpec(name: "until", valueName: "time", help: "Stop after this long, e.g. 30s (default: at SIGINT/SIGTERM)."),
                OptionSpec(name: "seed", valueName: "n", help: "Seed of the agents' random streams (default: the file's)."),
            ] + ServeDeviceOptions.specs,
            run: run)
    }

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let role = arguments.string("role") ?? "target"
        var until: TimeSpan?
        if let text = arguments.string("until") {
            guard let span = Quantity.duration(text), span > .zero else {
                throw UsageError(message: "The value '\(text)' is invalid for '--until': expected a duration such as 30s")
            }
            until = span
        }
        guard let topology = ServeDeviceOptions.load(arguments.positionals[0]) else { return Tool.ExitCode.invalidScenario }
        let selection = try ServeDeviceOptions.selection(arguments, base: topology.device)
        let seed: UInt64 = arguments.string("seed") == nil ? topology.seed : try arguments.integer("seed", in: 0...UInt64.max)
        if let cluster = topology.cluster {
            guard let name = arguments.string("system") ?? (role == "target" ? nil : role) else {
                throw UsageError(message: "\(topology.file) is a cluster: pass --system with one of \(cluster.systems.map(\.name).joined(separator: ", "))")
            }
            do throws(RealModeError) {
                try RealDeviceCheck.requireDevices()
            } catch {
                Tool.printError(error.description)
                return Tool.ExitCode.failure
            }
            return try ServeCluster.run(topology, system: name, selection: selection, seed: seed, until: until, statusPath: arguments.string("result"))
        }
        guard role == "target", arguments.string("system") == nil else {
            throw UsageError(message: "The value '\(arguments.string("system") ?? role)' is invalid for '--\(arguments.string("system") == nil ? "role" : "system")': \(topology.file) has one target (expected target)")
        }
        do throws(RealModeError) {
            try RealDeviceCheck.requireDevices()
        } catch {
            Tool.printError(error.description)
            return Tool.ExitCode.failure
        }
        let runtime = try RealNodeRuntime(nodeName: topology.target.name, seed: seed)
        RealBootstrap.withdraw(folder: topology.bootstrap, target: topology.target.name)
        let target: RealTarget
        do throws(RealModeError) {
            target = try RealTarget(topology: topology, selection: selection, runtime: runtime)
        } catch {
            Tool.printError(error.description)
            return Tool.ExitCode.failure
        }
        installStopSignals()
        print("\(topology.target.name): starting on \(target.portLabel), serving \(topology.target.luns.joined(separator: ", "))")
        fflush(nil)
        target.start()
        let readyBy = runtime.now + topology.startTimeout
        let end = until.map { runtime.now + $0 }
        var announced = false
        while stopSignalled == 0 && target.failure == nil {
            if let end, runtime.now >= end { break }
            // Short slices: a signal is seen within one.
            _ = runtime.run(until: { stopSignalled != 0 || target.failure != nil || (target.isReady && !announced) },
                            deadline: min(runtime.now + .milliseconds(100), end ?? .distantFuture))
            if target.isReady && !announced {
                announced = true
                print("\(topology.target.name): ready: \(target.published!.address) in \(RealBootstrap.targetPath(folder: topology.bootstrap, target: topology.target.name))")
                fflush(nil)
            }
            if !announced && runtime.now >= readyBy {
                Tool.printError("\(topology.target.name): not ready after \(Quantity.text(topology.startTimeout)) (UMA \(target.uma.state))")
                target.close()
                return Tool.ExitCode.failure
            }
        }
        target.close()
        if let failure = target.failure {
            Tool.printError(failure)
            return Tool.ExitCode.failure
        }
        print(target.summary)
        return Tool.ExitCode.success
    }
}
