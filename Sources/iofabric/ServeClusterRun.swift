import Foundation
import Reports
import Scenario
import Timebase

/// `iofabric run --backend real CLUSTER.json`: both systems of the HA pair (`iofabric serve
/// FILE --system NAME`, the partner of the one to be killed first), then the clients once both
/// serve; at the file's `kill` time SIGKILL to that system; the survivor takes over and the
/// clients fail over to it. Then the report: slam connect per system, heartbeats, the takeover
/// timeline, the failover time (kill → survivor serving) on CLOCK_MONOTONIC, lost writes.
enum RealClusterRun {
    static func run(_ topology: RealTopology, cluster: RealTopology.Cluster, deviceOptions: [String], directory: String, quiet: Bool,
                    compareSim: SimTwinCalibration? = nil) throws -> Int32 {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        installStopSignals()
        // A fresh cluster: no endpoint files of an earlier run, empty NVRAM logs.
        for system in cluster.systems {
            RealBootstrap.withdraw(folder: topology.bootstrap, target: system.name)
            RealBootstrap.withdrawSlam(folder: topology.bootstrap, system: system.name)
            RealFileNVRAM.remove(path: cluster.nvramPath(topology: topology.name, system: system.name))
            unlink(directory + "/system-\(system.name).json")
        }
        let executable = ChildProcess.currentExecutable
        // The survivor-to-be first: it waits in the slam connect for the other.
        let order = cluster.systems.sorted { ($0.name == cluster.kill?.system ? 1 : 0) < ($1.name == cluster.kill?.system ? 1 : 0) }
        var systems: [(name: String, pid: pid_t, ending: ChildProcess.Ending?)] = []
        for system in order {
            let base = directory + "/system-" + system.name
            let child = try ChildProcess.spawn(
                executable, ["serve", topology.file, "--system", system.name, "--result", base + ".json"] + deviceOptions,
                standardOutput: base + ".out", standardError: base + ".err")
            systems.append((system.name, child.pid, nil))
            if !quiet { print("\(topology.name): \(system.name) started (pid \(child.pid)); output in \(base).out") }
        }
        func reap() {
            for index in systems.indices where systems[index].ending == nil {
                var status: Int32 = 0
                if waitpid(systems[index].pid, &status, WNOHANG) == systems[index].pid {
                    systems[index].ending = ChildProcess.Ending(waitStatus: status)
                }
            }
        }
        func stopSystems() {
            for system in systems where system.ending == nil { kill(system.pid, SIGTERM) }
            while systems.contains(where: { $0.ending == nil }) {
                reap()
                usleep(20_000)
            }
        }
        // Both serving (their target files published), or one gave up.
        let readyBy = RealClock.monotonicNanoseconds() + UInt64(topology.startTimeout.picoseconds / 1000) * 2
        var ready = false
        while !ready && stopSignalled == 0 {
            reap()
            if let dead = systems.first(where: { $0.ending != nil }) {
                Tool.printError("\(dead.name) \(dead.ending!.description) before serving: \(RealModeRun.lastLine(directory + "/system-\(dead.name).err") ?? "see its output")")
                break
            }
            ready = cluster.systems.allSatisfy {
                FileManager.default.fileExists(atPath: RealBootstrap.targetPath(folder: topology.bootstrap, target: $0.name))
            }
            if !ready {
                if RealClock.monotonicNanoseconds() > readyBy {
                    Tool.printError("the cluster is not serving after \(Quantity.text(topology.startTimeout * 2))")
                    break
                }
                usleep(50_000)
            }
        }
        guard ready else {
            stopSystems()
            return Tool.ExitCode.failure
        }
        if !quiet { print("\(topology.name): both systems serve; starting the clients") }
        var clients: [pid_t: String] = [:]
        for client in topology.clients {
            let pid = try RealModeRun.spawnClient(
                client.name, of: topology, executable: executable, directory: directory, deviceOptions: deviceOptions)
            clients[pid] = client.name
        }
        // The kill is timed from the first client's load start (after its connect and zeroing),
        // or from the clients' start if none says so within startTimeout.
        let spawned = RealClock.monotonicNanoseconds()
        var clientsStarted: UInt64?
        var killedAt: UInt64?
        var outcomes: [RealRunReport.ClientOutcome] = []
        while !clients.isEmpty {
            if clientsStarted == nil {
                let loading = topology.clients.contains { client in
                    (try? String(contentsOfFile: directory + "/client-\(client.name).out", encoding: .utf8))?
                        .contains(": " + RealClient.loadStartedLine) == true
                }
                if loading || RealClock.monotonicNanoseconds() > spawned + UInt64(topology.startTimeout.picoseconds / 1000) {
                    clientsStarted = RealClock.monotonicNanoseconds()
                }
            }
            if let kill = cluster.kill, killedAt == nil, let clientsStarted,
                RealClock.monotonicNanoseconds() >= clientsStarted + UInt64(kill.after.picoseconds / 1000),
                let victim = systems.first(where: { $0.name == kill.system && $0.ending == nil })
            {
                Glibc.kill(victim.pid, SIGKILL)
                killedAt = RealClock.monotonicNanoseconds()
                if !quiet { print("\(topology.name): SIGKILL to \(victim.name) (pid \(victim.pid)) \(Quantity.text(kill.after)) after the load started") }
            }
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid > 0 {
                let ending = ChildProcess.Ending(waitStatus: status)
                if let index = systems.firstIndex(where: { $0.pid == pid }) {
                    systems[index].ending = ending
                } else if let name = clients.removeValue(forKey: pid) {
                    let base = directory + "/client-" + name
                    let result = FileManager.default.contents(atPath: base + ".json").flatMap { try? JSONValue.parse($0) }
                    outcomes.append(RealRunReport.ClientOutcome(name: name, ending: ending.description, result: result))
                    if !quiet { print(RealModeRun.lastLine(base + ".out") ?? "\(name): \(ending.description)") }
                    if result == nil, let error = RealModeRun.lastLine(base + ".err") { Tool.printError("\(name): \(error)") }
                }
                continue
            }
            if stopSignalled != 0 {
                for pid in clients.keys { kill(pid, SIGTERM) }
            }
            usleep(10_000)
        }
        stopSystems()
        var statuses: [(name: String, ending: String, status: JSONValue?)] = []
        for system in cluster.systems {
            let ending = systems.first { $0.name == system.name }?.ending?.description ?? "unknown"
            let status = FileManager.default.contents(atPath: directory + "/system-\(system.name).json").flatMap { try? JSONValue.parse($0) }
            statuses.append((system.name, ending, status))
            if status == nil || (system.name != cluster.kill?.system && !ending.hasSuffix("status 0")),
                let error = RealModeRun.lastLine(directory + "/system-\(system.name).err")
            {
                Tool.printError("\(system.name): \(error)")
            }
        }
        let report = RealClusterReport(
            topology: topology, deviceOptions: deviceOptions, clientsStarted: clientsStarted ?? spawned, killedAt: killedAt,
            systems: statuses.map { RealClusterReport.SystemOutcome(name: $0.name, ending: $0.ending, status: $0.status) },
            clients: outcomes.sorted { $0.name < $1.name })
        let files = try report.write(to: directory)
        if !quiet { print(report.figuresText) }
        print("\(topology.name) (real cluster): \(report.passed ? "PASS" : "FAIL"); report: \(files.joined(separator: ", "))")
        if let calibration = compareSim,
            let failed = RealModeRun.compareWithTwin(name: topology.name + " (simulated cluster twin)", quiet: quiet, { () throws(RealModeError) in
                try SimVsReal.compareCluster(topology, calibration: calibration, directory: directory)
            })
        {
            return failed
        }
        return report.passed ? Tool.ExitCode.success : Tool.ExitCode.failure
    }
}
