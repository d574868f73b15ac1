import Foundation
import Testing

/// The `sweep` and `replay` commands end to end: child processes, exit codes, sweep.json.
@Suite("Sweep and replay commands")
struct SweepCLITests {
    private static let quickstart = packageRoot.appendingPathComponent("Scenarios/quickstart.json").path

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("iofabric-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func sweepSeeds(_ url: URL) throws -> [Int] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        return (object?["results"] as? [[String: Any]] ?? []).compactMap { $0["seed"] as? Int }
    }

    @Test("sweep runs every seed in a child process; shards 1/2 and 2/2 split the range; usage errors exit 64")
    func sweepAndShards() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let all = try runTool(["sweep", Self.quickstart, "--seeds", "1..4", "--until", "200ms", "--jobs", "2", "--out", out.path])
        #expect(all.status == 0, "\(all.standardOutput)\n\(all.standardError)")
        #expect(all.standardOutput.contains("4 seeds run (seeds 1..4), 4 passed, 0 failed"))
        #expect(try sweepSeeds(out.appendingPathComponent("sweep.json")) == [1, 2, 3, 4])
        for index in 1...2 {
            let run = try runTool(["sweep", Self.quickstart, "--seeds", "1..4", "--shard", "\(index)/2", "--until", "200ms", "--out", out.path])
            #expect(run.status == 0)
        }
        #expect(try sweepSeeds(out.appendingPathComponent("sweep-shard-1-of-2.json")) == [1, 3])
        #expect(try sweepSeeds(out.appendingPathComponent("sweep-shard-2-of-2.json")) == [2, 4])
        for bad in [["--shard", "0/2"], ["--shard", "3/2"], ["--seeds", "4..1"]] {
            var arguments = ["sweep", Self.quickstart, "--seeds", "1..4", "--out", out.path]
            arguments += bad
            let run = try runTool(arguments)
            #expect(run.status == 64, "\(bad): \(run.standardError)")
        }
    }

    @Test("sweep: failing seeds are listed with their replay commands (exit 1); an invalid scenario exits 2 before any child")
    func failingSeedsAndInvalid() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try String(contentsOfFile: Self.quickstart, encoding: .utf8)
            .replacingOccurrences(of: "\"readIOPS >= 300\"", with: "\"readIOPS >= 1000000\"")
        let failing = folder.appendingPathComponent("failing.json").path
        try text.write(toFile: failing, atomically: true, encoding: .utf8)
        let run = try runTool(["sweep", failing, "--seeds", "5..6", "--until", "100ms", "--out", folder.path])
        #expect(run.status == 1)
        for seed in [5, 6] {
            #expect(run.standardOutput.contains("replay: iofabric run \(failing) --seed \(seed) --until 100ms"), "\(run.standardOutput)")
        }
        #expect(run.standardOutput.contains("readIOPS >= 1000000"))
        let invalid = packageRoot.appendingPathComponent("Tests/ScenarioTests/Invalid/pci-bus-typo.json").path
        let rejected = try runTool(["sweep", invalid, "--seeds", "1..2", "--out", folder.appendingPathComponent("x").path])
        #expect(rejected.status == 2)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x/sweep.json").path))
    }

    @Test("replay: a report reruns to the identical digest (exit 0); a tampered digest is a mismatch (exit 1); unreadable exits 2")
    func replay() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try runTool(["run", Self.quickstart, "--seed", "3", "--until", "150ms", "--quiet", "--out", out.path])
        #expect(run.status == 0)
        let report = out.appendingPathComponent("report.json")
        let replayed = try runTool(["replay", report.path, "--quiet"])
        #expect(replayed.status == 0, "\(replayed.standardError)")
        #expect(replayed.standardOutput.hasPrefix("replayed: identical digest "))
        let text = try String(contentsOf: report, encoding: .utf8)
        let digest = try #require(text.firstRange(of: /"trace_digest": "[0-9a-f]+"/))
        let tampered = out.appendingPathComponent("tampered.json")
        try text.replacingCharacters(in: digest, with: "\"trace_digest\": \"0000000000000000\"").write(to: tampered, atomically: true, encoding: .utf8)
        let mismatch = try runTool(["replay", tampered.path, "--quiet"])
        #expect(mismatch.status == 1)
        #expect(mismatch.standardOutput.contains("MISMATCH") && mismatch.standardOutput.contains("0000000000000000"))
        let missing = try runTool(["replay", out.appendingPathComponent("none.json").path])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("none.json"))
    }
}
