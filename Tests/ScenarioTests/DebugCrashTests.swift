import Foundation
import Testing
@testable import Scenario

@Suite struct DebugCrash {
    @Test func crashNoMirror() throws {
        let definition = try ScenarioDefinition.load(path: "/tmp/ha-slow-nomirror.json")
        var inspection = ScenarioRunner.Inspection()
        inspection.afterRun = { _, assembly in
            for target in assembly.retired + assembly.targets {
                print("DBG", target.uma.name, target.uma.cta.clusterStatistics, target.cluster?.mirror.log.liveRecords ?? -1, target.cluster?.replayedRecords ?? -1)
            }
        }
        let outcome = try ScenarioRunner.run(definition, seed: nil, duration: nil, progress: nil, inspect: inspection)
        print("DBG", outcome.report.metrics["lostAcknowledgedWrites"] ?? "-")
    }
}
