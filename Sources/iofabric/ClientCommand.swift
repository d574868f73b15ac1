import Foundation
import RealHardware
import Reports
import Scenario
import Timebase

/// `iofabric client REAL.json --name c0`: one client of a real-mode topology: connects to the
/// target over RDMA, runs its verified block load, prints a summary.
enum ClientCommand {
    static var spec: CommandSpec {
        CommandSpec(
            path: ["iofabric", "client"],
            abstract: "Run one client of a real-mode topology: a verified block load over RDMA to its target.",
            discussion: """
                Waits for the target's endpoint in the topology's bootstrap folder (up to its \
                startTimeout), connects with the simulator's client initiator, zeroes the working set \
                (zeroFirst), runs the fio-like load for its duration with the integrity oracle, and \
                prints a summary. Exit status 0 only when every read was verified and nothing failed; \
                1 otherwise (one line says why); 2 for an invalid file.
                """,
            arguments: [ArgumentSpec(name: "topology", help: "The real-mode topology file.")],
            options: [
                OptionSpec(name: "name", valueName: "client", help: "Which client of the file to run (default: the first)."),
                OptionSpec(name: "result", valueName: "file", help: "Also write the result as JSON to this file (atomically)."),
                OptionSpec(name: "seed", valueName: "n", help: "Seed of the load's random streams (default: the file's)."),
            ] + ServeDeviceOptions.specs,
            run: run)
    }

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        guard let topology = ServeDeviceOptions.load(arguments.positionals[0]) else { return Tool.ExitCode.invalidScenario }
        let name = arguments.string("name") ?? topology.clients[0].name
        guard var definition = topology.client(named: name) else {
            throw UsageError(message: "No client '\(name)' in \(topology.file): expected one of \(topology.clients.map(\.name).joined(separator: ", "))")
        }
        let selection = try ServeDeviceOptions.selection(arguments, base: topology.device)
        let seed: UInt64 = arguments.string("seed") == nil ? topology.seed : try arguments.integer("seed", in: 0...UInt64.max)
        let client: RealClient
        let runtime: RealNodeRuntime
        do throws(RealModeError) {
            try RealDeviceCheck.requireDevices()
            // In a cluster: the client's system first, then its partner (which serves the same
            // LUN numbers after a takeover).
            let target = topology.target(of: definition)
            var names = [target.name]
            if let partner = topology.cluster?.partner(of: target.name) { names.append(partner.name) }
            var records: [RealEndpointRecord] = []
            for targetName in names {
                records.append(try RealBootstrap.waitForTarget(folder: topology.bootstrap, target: targetName, timeout: topology.startTimeout))
            }
            do { runtime = try RealNodeRuntime(nodeName: name, seed: seed) } catch { throw RealModeError("\(name): \(error)") }
            if let cluster = topology.cluster, definition.luns == nil {
                // A cluster client asks for its system's LUNs (by their cluster-wide numbers), so
                // that after a takeover the partner grants the same ones and before it nothing else.
                definition.luns = cluster.luns(of: target.name)
            }
            client = try RealClient(definition: definition, selection: selection, runtime: runtime)
            if topology.cluster != nil { client.connectRetryUntil = runtime.now + topology.startTimeout }
            print("\(name): on \(client.portLabel), connecting to \(zip(names, records).map { "\($0) at \($1.address)" }.joined(separator: ", then "))")
            fflush(nil)
            client.start(targets: records.map(\.address))
        } catch {
            Tool.printError(error.description)
            return Tool.ExitCode.failure
        }
        installStopSignals()
        // Generous: the connection, the zeroing, the load, and two I/O timeouts to drain.
        let deadline = runtime.now + topology.startTimeout + definition.duration + definition.timeout * 2
        var announced = false
        while !client.isDone && stopSignalled == 0 && runtime.now < deadline {
            _ = runtime.run(until: { client.isDone || stopSignalled != 0 || (!announced && client.loadStarted != nil) },
                            deadline: min(runtime.now + .milliseconds(100), deadline))
            if !announced, client.loadStarted != nil {
                // `run --backend real` on a cluster times its kill from this line.
                announced = true
                print("\(name): \(RealClient.loadStartedLine)")
                fflush(nil)
            }
        }
        if !client.isDone {
            client.abandon(stopSignalled != 0 ? "stopped by a signal while \(client.phaseName)" : "still \(client.phaseName) at the deadline")
        }
        let result = client.result
        print(result.summary)
        if let path = arguments.string("result") {
            do throws(RealModeError) {
                try RealBootstrap.write(result.json.rendered(pretty: true) + "\n", to: path)
            } catch {
                Tool.printError(error.description)
                return Tool.ExitCode.failure
            }
        }
        return result.passed ? Tool.ExitCode.success : Tool.ExitCode.failure
    }
}
