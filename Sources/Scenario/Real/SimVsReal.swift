import Foundation
import Reports

/// Runs a real-mode topology's simulated twin and compares it with the real run's report:
/// what `iofabric run --backend real FILE --compare-sim` does after the real run, and
/// `iofabric simvsreal FILE` on a report already written.
public enum SimVsReal {
    /// Builds the twin of `topology` with `calibration`, runs it on the simulator, reads the
    /// real run's `report.json` from `directory` and writes `simtwin.json`, `simvsreal.md` and
    /// `simvsreal.json` there. Returns the report and the files written.
    ///
    /// - Throws: one line: a twin the simulator cannot build, or a real report that is missing
    ///   or not JSON.
    public static func compare(
        _ topology: RealTopology, calibration: SimTwinCalibration, directory: String
    ) throws(RealModeError) -> (report: SimVsRealReport, files: [String]) {
        let (realPath, real) = try realReport(of: topology, in: directory)
        let twin: SimTwin
        let outcome: ScenarioOutcome
        do {
            twin = try SimTwin(topology, calibration: calibration)
            outcome = try ScenarioRunner.run(twin.definition)
        } catch {
            throw RealModeError("\(topology.file): the simulated twin: " + error.issues.map(\.description).joined(separator: "; "))
        }
        let twinPath = directory + "/simtwin.json"
        try RealBootstrap.write(twin.json.rendered(pretty: true) + "\n", to: twinPath)
        let report = SimVsRealReport(twin: twin, realReport: real, realSource: realPath, simulated: outcome.report, twinFile: twinPath)
        return (report, [twinPath] + (try report.write(to: directory)))
    }

    /// The real run's `report.json` in `directory`: its path and its JSON.
    static func realReport(of topology: RealTopology, in directory: String) throws(RealModeError) -> (path: String, json: JSONValue) {
        let path = directory + "/report.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RealModeError("\(path): no real run's report (run 'iofabric run --backend real \(topology.file)' first)")
        }
        do {
            return (path, try JSONValue.parse(data))
        } catch {
            throw RealModeError("\(path): not JSON: \(error)")
        }
    }
}
