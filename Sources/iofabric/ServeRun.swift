import Foundation
import Reports
import Scenario

/// `iofabric run --backend real`: the target and the clients of a real-mode topology as child
/// processes of this one (`iofabric serve`, `iofabric client`, started with `posix_spawn` as
/// `sweep` starts its workers), then the report.
enum RealModeRun {
    static func run(
        _ topology: RealTopology, deviceOptions: [String], directory: String, quiet: Bool, compareSim: SimTwinCalibration? = nil,
        reference: PerftestReference? = nil
    ) throws -> Int32 {
        if let cluster = topology.cluster {
            return try RealClusterRun.run(
                topology, cluster: cluster, deviceOptions: deviceOptions, directory: directory, quiet: quiet, compareSim: compareSim)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        installStopSignals()  // unblocks SIGTERM, so the children (which inherit the mask) can be stopped
        RealBootstrap.withdraw(folder: topology.bootstrap, target: topology.target.name)
        let executable = ChildProcess.currentExecutable
        let target = try ChildProcess.spawn(
            executable, ["serve", topology.file] + deviceOptions,
            standardOutput: directory + "/target.out", standardError: directory + "/target.err")
        if !quiet { print("\(topology.name): target \(topology.target.name) started (pid \(target.pid)); output in \(directory)/target.out") }
        var targetEnding: ChildProcess.Ending?
        var outcomes: [RealRunReport.ClientOutcome] = []
        let batches = topology.clientsOneAfterAnother ? topology.clients.map { [$0] } : [topology.clients]
        for batch in batches {
            var running: [pid_t: String] = [:]
            for client in batch {
                running[try spawnClient(client.name, of: topology, executable: executable, directory: directory, deviceOptions: deviceOptions)] = client.name
            }
            while !running.isEmpty, let (pid, ending) = ChildProcess.waitForAny() {
                if pid == target.pid {
                    targetEnding = ending
                    continue
                }
                guard let name = running.removeValue(forKey: pid) else { continue }
                let base = directory + "/client-" + name
                let result = FileManager.default.contents(atPath: base + ".json").flatMap { try? JSONValue.parse($0) }
                outcomes.append(RealRunReport.ClientOutcome(name: name, ending: ending.description, result: result))
                if !quiet { print(lastLine(base + ".out") ?? "\(name): \(ending.description)") }
                if result == nil, let error = lastLine(base + ".err") { Tool.printError("\(name): \(error)") }
            }
        }
        if targetEnding == nil {
            kill(target.pid, SIGTERM)
            while targetEnding == nil, let (pid, ending) = ChildProcess.waitForAny() {
                if pid == target.pid { targetEnding = ending }
            }
        }
        if let error = lastLine(directory + "/target.err") { Tool.printError("target: \(error)") }
        let report = RealRunReport(
            topology: topology, deviceOptions: deviceOptions, targetEnding: targetEnding?.description ?? "unknown",
            targetSummary: lastLine(directory + "/target.out"), clients: outcomes.sorted { $0.name < $1.name },
            reference: reference)
        let files = try report.write(to: directory)
        for ratio in report.bandwidthRatios { print(ratio.line) }
        print("\(topology.name) (real): \(report.passed ? "PASS" : "FAIL"); report: \(files.joined(separator: ", "))")
        if let calibration = compareSim,
            let failed = compareWithTwin(name: topology.name + " (simulated twin)", quiet: quiet, { () throws(RealModeError) in
                try SimVsReal.compare(topology, calibration: calibration, directory: directory)
            })
        {
            return failed
        }
        return report.passed ? Tool.ExitCode.success : Tool.ExitCode.failure
    }

    /// Starts `iofabric client FILE --name NAME` as a child writing `client-NAME.{json,out,err}`
    /// in `directory` (a result file of an earlier run removed first); returns its pid.
    static func spawnClient(
        _ name: String, of topology: RealTopology, executable: String, directory: String, deviceOptions: [String]
    ) throws -> pid_t {
        let base = directory + "/client-" + name
        unlink(base + ".json")
        return try ChildProcess.spawn(
            executable, ["client", topology.file, "--name", name, "--result", base + ".json"] + deviceOptions,
            standardOutput: base + ".out", standardError: base + ".err"
        ).pid
    }

    /// Runs the simulated twin after the real run (so it never competes with it for the CPU)
    /// through `compare`, prints the table's rows (unless `quiet`) and where it went; returns
    /// the exit status when the twin failed or could not run, nil when it passed.
    static func compareWithTwin(
        name: String, quiet: Bool, _ compare: () throws(RealModeError) -> (report: SimVsRealReport, files: [String])
    ) -> Int32? {
        do throws(RealModeError) {
            let (comparison, written) = try compare()
            if !quiet { print(comparison.markdown.split(separator: "\n").filter { $0.hasPrefix("|") }.joined(separator: "\n")) }
            print("\(name): \(comparison.simulatedVerdict == .pass ? "PASS" : "FAIL"); sim vs real: \(written.joined(separator: ", "))")
            return comparison.simulatedVerdict == .pass ? nil : Tool.ExitCode.failure
        } catch {
            Tool.printError(error.description)
            return Tool.ExitCode.failure
        }
    }

    /// The last non-empty line of a file, if any.
    static func lastLine(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init)
    }
}
