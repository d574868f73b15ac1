import Foundation
import RealHardware
import Scenario
import Timebase

/// `iofabric serve CLUSTER.json --system NAME`: one partner of a real-mode HA pair (see
/// ``RealClusterSystem``), until SIGINT/SIGTERM or `--until`.
enum ServeCluster {
    static func run(_ topology: RealTopology, system name: String, selection: RealDeviceSelection, seed: UInt64, until: TimeSpan?,
                    statusPath: String?) throws -> Int32 {
        guard topology.cluster?.system(named: name) != nil else {
            let names = topology.cluster?.systems.map(\.name).joined(separator: ", ") ?? ""
            throw UsageError(message: "No system '\(name)' in the cluster of \(topology.file): expected one of \(names)")
        }
        let runtime = try RealNodeRuntime(nodeName: name, seed: seed)
        RealBootstrap.withdraw(folder: topology.bootstrap, target: name)
        RealBootstrap.withdrawSlam(folder: topology.bootstrap, system: name)
        let system: RealClusterSystem
        do throws(RealModeError) {
            system = try RealClusterSystem(topology: topology, system: name, selection: selection, runtime: runtime)
        } catch {
            Tool.printError(error.description)
            return Tool.ExitCode.failure
        }
        system.statusPath = statusPath
        installStopSignals()
        print("\(name): starting on \(system.portLabel); own shelf \(system.system.target.luns.joined(separator: ", ")), partner's through \(system.partner.lunsAtPartner.joined(separator: ", ")); NVRAM \(system.nvram.path) (\(system.nvram.length >> 10) KiB, shared mapping); mailbox WWN 0x\(String(system.mailboxWorldWideName, radix: 16))")
        fflush(nil)
        do throws(RealModeError) {
            try system.start(partnerTimeout: topology.startTimeout)
        } catch {
            Tool.printError(error.description)
            system.close()
            return Tool.ExitCode.failure
        }
        print("\(name): slam connecting: local \(system.localEndpoint!), partner \(system.partnerEndpoint!)")
        fflush(nil)
        system.writeStatus()
        let readyBy = runtime.now + topology.startTimeout
        let end = until.map { runtime.now + $0 }
        var lastStatus = runtime.now
        while stopSignalled == 0 && system.failure == nil {
            if let end, runtime.now >= end { break }
            _ = runtime.run(until: { stopSignalled != 0 || system.failure != nil },
                            deadline: min(runtime.now + .milliseconds(100), end ?? .distantFuture))
            // The counters (heartbeats) move without journal entries: refresh the file each second.
            if runtime.now - lastStatus >= .seconds(1) {
                lastStatus = runtime.now
                system.writeStatus()
            }
            if system.published == nil && runtime.now >= readyBy && system.journal.takeoverCompleted == nil {
                Tool.printError("\(name): not serving after \(Quantity.text(topology.startTimeout)) (UMA \(system.uma.state), monitor \(system.node.monitor.state), slam \(system.node.manager.state(ofInterconnect: 0)))")
                system.writeStatus()
                system.close()
                return Tool.ExitCode.failure
            }
        }
        system.writeStatus()
        system.close()
        if let failure = system.failure {
            Tool.printError(failure)
            return Tool.ExitCode.failure
        }
        print(system.summary)
        return Tool.ExitCode.success
    }
}
