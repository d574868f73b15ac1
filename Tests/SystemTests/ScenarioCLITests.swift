import Foundation
import Testing

@Suite("Scenario commands")
struct ScenarioCLITests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("iofabric-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("run writes the report files; two processes write byte-identical report.json and trace.json",
          arguments: [("quickstart", "400ms"), ("storage-target", "150ms")])
    func runIsDeterministicAcrossProcesses(name: String, until: String) throws {
        let scenario = packageRoot.appendingPathComponent("Scenarios/\(name).json").path
        var reports: [Data] = []
        var traces: [Data] = []
        for _ in 0..<2 {
            let out = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: out) }
            let run = try runTool(["run", scenario, "--until", until, "--out", out.path])
            #expect(run.standardOutput.contains("replay: iofabric run"), "\(run.standardOutput)\n\(run.standardError)")
            for name in ["report.json", "report.md", "report.html", "trace.json"] {
                #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name) missing")
            }
            reports.append(try Data(contentsOf: out.appendingPathComponent("report.json")))
            traces.append(try Data(contentsOf: out.appendingPathComponent("trace.json")))
            // The trace is Chrome Trace Event JSON: an object with a traceEvents array.
            let trace = try JSONSerialization.jsonObject(with: traces.last!) as? [String: Any]
            #expect((trace?["traceEvents"] as? [Any])?.isEmpty == false)
        }
        #expect(reports[0] == reports[1])
        #expect(traces[0] == traces[1])
    }

    @Test("validate on the broken corpus: one line per file on stderr, exit 2, no crash trace")
    func validateBrokenCorpus() throws {
        let corpus = packageRoot.appendingPathComponent("Tests/ScenarioTests/Invalid")
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".json") }
        let run = try runTool(["validate", corpus.path])
        #expect(run.status == 2)
        let lines = run.standardError.split(separator: "\n")
        #expect(lines.count == files.count, "\(run.standardError)")
        #expect(!run.standardError.contains("Backtrac") && !run.standardError.contains("Fatal error"))
    }

    @Test("run on an invalid scenario exits 2 with the issue; validate and list accept the bundled scenarios")
    func runInvalidAndList() throws {
        let broken = packageRoot.appendingPathComponent("Tests/ScenarioTests/Invalid/pci-bus-typo.json").path
        let run = try runTool(["run", broken])
        #expect(run.status == 2)
        #expect(run.standardError.contains("$.topology.nodes[0].pciBus"))
        let validate = try runTool(["validate", packageRoot.appendingPathComponent("Scenarios").path])
        #expect(validate.status == 0, "\(validate.standardError)")
        let list = try runTool(["list", "--directory", packageRoot.appendingPathComponent("Scenarios").path])
        #expect(list.status == 0)
        #expect(list.standardOutput.contains("quickstart.json"))
    }

    @Test("schema prints the committed JSON Schema")
    func schema() throws {
        let run = try runTool(["schema"])
        let committed = try String(contentsOf: packageRoot.appendingPathComponent("Scenarios/scenario.schema.json"), encoding: .utf8)
        #expect(run.standardOutput == committed)
    }
}
