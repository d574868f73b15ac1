import Foundation
import Reports
import Testing

@testable import Scenario

/// CI regression (issue #7 item 7): every bundled scenario, at its default seed and at the
/// duration its committed baseline records, meets its expectations and matches its baseline
/// (`Reports/baselines/<scenario>.json`) by ``Baseline/rule`` — the comparison
/// `iofabric baseline` uses.
@Suite("Bundled scenarios against their baselines")
struct BaselineTests {
    /// Every `Scenarios/*.json` but the schema, found when the tests are listed: a scenario
    /// added to the folder is a new test case without touching this file.
    static let scenarioFiles: [String] = {
        let folder = packageRoot.appendingPathComponent("Scenarios").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }.sorted()
    }()

    @Test("The Scenarios folder holds bundled scenarios")
    func scenariosFound() {
        #expect(!Self.scenarioFiles.isEmpty)
    }

    // Serialized: Swift Testing starts every case of a parameterized test at once, and each run
    // holds its whole simulation until it ends (memory grew past 11 GB over the 200 seeds below).
    @Test("Meets its expectations and matches its committed baseline", .serialized, arguments: scenarioFiles)
    func matchesBaseline(file: String) throws {
        let definition = try ScenarioDefinition.load(path: packageRoot.appendingPathComponent("Scenarios/" + file).path)
        let path = packageRoot.appendingPathComponent(Baseline.path(scenario: definition.name)).path
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("\(file): no baseline \(Baseline.path(scenario: definition.name)); make it with: \(Baseline.updateCommand(scenario: definition.name))")
            return
        }
        let baseline = try Baseline(json: try Data(contentsOf: URL(fileURLWithPath: path)))
        // One duration rule: the baseline says how long it was made, the comparison runs as long.
        let report = try ScenarioRunner.run(definition, seed: nil, duration: baseline.simulatedDuration).report
        let failed = report.expectations.filter { !$0.passed }.map { "\($0.text) (measured \($0.measured))" }
        #expect(report.verdict == .pass, "\(file): \((failed + report.problems).joined(separator: "; "))")
        let differences = baseline.differences(Baseline(report: report, relativeTolerance: baseline.relativeTolerance))
        #expect(differences.isEmpty, """
            \(file) differs from \(Baseline.path(scenario: definition.name)):
            \(BaselineDifference.table(differences))  if the change is deliberate: \(Baseline.updateCommand(scenario: definition.name))
            """)
    }
}
