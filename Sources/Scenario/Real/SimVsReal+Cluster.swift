import Foundation
import Reports

extension SimVsReal {
    /// The cluster file's comparison: builds ``SimClusterTwin``, runs it, reads the real cluster
    /// run's `report.json` from `directory`, and writes `simtwin.json`, `simvsreal.md` and
    /// `simvsreal.json` there (client rows as for one target, and the cluster rows filled).
    ///
    /// - Throws: one line: a twin the simulator cannot build, or a missing real report.
    public static func compareCluster(
        _ topology: RealTopology, calibration: SimTwinCalibration, directory: String
    ) throws(RealModeError) -> (report: SimVsRealReport, files: [String]) {
        let (realPath, real) = try realReport(of: topology, in: directory)
        let twin: SimClusterTwin
        let outcome: ScenarioOutcome
        do {
            twin = try SimClusterTwin(topology, calibration: calibration)
            outcome = try ScenarioRunner.run(twin.definition)
        } catch {
            throw RealModeError("\(topology.file): the simulated cluster twin: " + error.issues.map(\.description).joined(separator: "; "))
        }
        let twinPath = directory + "/simtwin.json"
        try RealBootstrap.write(twin.json.rendered(pretty: true) + "\n", to: twinPath)
        var report = SimVsRealReport(
            topology: topology, calibration: calibration, diskOverlap: twin.diskOverlap, realReport: real, realSource: realPath,
            simulated: outcome.report, twinFile: twinPath)
        report.cluster = SimVsRealClusterFigures(real: real, simulated: outcome.report, twin: twin)
        return (report, [twinPath] + (try report.write(to: directory)))
    }
}
