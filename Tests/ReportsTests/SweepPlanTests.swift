import Foundation
import Reports
import Testing

@Suite("Sweep plan")
struct SweepPlanTests {
    private func shard(_ text: String) throws -> SweepPlan.Shard {
        try SweepPlan.Shard.parse(text).get()
    }

    @Test("Shards i/n of A..B: disjoint, and their union is the range (position p goes to shard p mod n + 1)",
          arguments: [(UInt64(1), UInt64(100), UInt64(1)), (1, 100, 3), (7, 7, 4), (0, 9, 10), (5, 17, 13), (1000, 1999, 8)])
    func shardsPartitionTheRange(first: UInt64, last: UInt64, count: UInt64) throws {
        var seen: [UInt64: UInt64] = [:]
        for index in 1...count {
            let plan = SweepPlan(seeds: first...last, shard: try shard("\(index)/\(count)"))
            let seeds = plan.selectedSeeds
            #expect(UInt64(seeds.count) == plan.selectedCount)
            #expect(seeds == seeds.sorted())
            for seed in seeds {
                #expect(seen[seed] == nil, "seed \(seed) in shards \(seen[seed] ?? 0) and \(index)")
                seen[seed] = index
                // The rule itself: the position's remainder names the shard.
                #expect((seed - first) % count == index - 1)
            }
        }
        #expect(seen.keys.sorted() == Array(first...last))
    }

    @Test("Without a shard every seed runs; a single seed N is N..N")
    func wholeRangeAndSingleSeed() throws {
        #expect(SweepPlan(seeds: try SweepPlan.parseSeeds("3..6").get()).selectedSeeds == [3, 4, 5, 6])
        #expect(try SweepPlan.parseSeeds("42").get() == 42...42)
        #expect(try SweepPlan.parseSeeds("1_000..1_002").get() == 1000...1002)
    }

    @Test("Shards at the top of UInt64 stop without overflow")
    func topOfRange() throws {
        let plan = SweepPlan(seeds: (UInt64.max - 4)...UInt64.max, shard: try shard("2/3"))
        #expect(plan.selectedSeeds == [UInt64.max - 3, UInt64.max])
        #expect(plan.selectedCount == 2)
        #expect(SweepPlan(seeds: 0...UInt64.max).rangeCount == UInt64.max)
    }

    @Test("Invalid --seeds and --shard values are errors that say what was expected",
          arguments: ["", "a..b", "5..2", "1...", "..3", "-1..4"])
    func invalidSeeds(text: String) {
        guard case .failure(let error) = SweepPlan.parseSeeds(text) else {
            Issue.record("'\(text)' accepted")
            return
        }
        #expect(error.message.contains("--seeds"))
    }

    @Test("Shard index is 1-based and at most the count", arguments: ["0/4", "5/4", "1/0", "x/2", "2", "1/2/3", "-1/2"])
    func invalidShard(text: String) {
        guard case .failure(let error) = SweepPlan.Shard.parse(text) else {
            Issue.record("'\(text)' accepted")
            return
        }
        #expect(error.message.contains("--shard"))
    }

    @Test("sweep.json: sorted by seed whatever order the children finished in, counts, no wall clock; a seed result reads back")
    func sweepReport() throws {
        let results = [
            SweepSeedResult(seed: 9, verdict: .fail, failedExpectations: ["takeovers == 1 (measured 0)"], exitCode: 1),
            SweepSeedResult(seed: 3, verdict: .pass, traceDigest: "ab", eventCount: 10, exitCode: 0),
            SweepSeedResult(seed: 5, verdict: .fail, reason: "killed by signal 6 (Aborted)"),
        ]
        let plan = SweepPlan(seeds: 3...11, shard: try shard("1/2"))
        let report = SweepReport(scenario: "s", scenarioFile: "Scenarios/s.json", plan: plan, simulatedDuration: .milliseconds(5), results: results)
        let reversed = SweepReport(
            scenario: "s", scenarioFile: "Scenarios/s.json", plan: plan, simulatedDuration: .milliseconds(5), results: results.reversed())
        #expect(report.jsonText == reversed.jsonText)
        #expect(report.results.map(\.seed) == [3, 5, 9])
        #expect(report.passed == 1 && report.failed.map(\.seed) == [5, 9])
        #expect(!report.jsonText.contains("wall"))
        let parsed = try JSONValue.parse(Data(report.jsonText.utf8))
        #expect(parsed["shard"]?.stringValue == "1/2")
        #expect(parsed["failed"]?.doubleValue == 2)
        for result in results {
            #expect(try SweepSeedResult(json: Data(result.jsonValue.rendered().utf8)) == result)
        }
    }
}
