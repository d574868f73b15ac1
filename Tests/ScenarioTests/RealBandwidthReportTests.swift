import Foundation
import Reports
@testable import Scenario
import Testing

/// The real run's report against perftest: each client's MiB/s through the agents (bytes ÷
/// seconds ÷ 2²⁰, perftest's unit) over `ib_write_bw` for reads and `ib_read_bw` for writes,
/// and the LUN kind (a disk, or memory: `ram:SIZE`) named beside every figure.
@Suite("Real-mode bandwidth against perftest")
struct RealBandwidthReportTests {
    static func topology(luns: [String]) throws -> RealTopology {
        let lunList = luns.map { "\"\($0)\"" }.joined(separator: ", ")
        let text = """
            { "name": "bw", "target": { "luns": [\(lunList)] },
              "clients": [ { "name": "r", "duration": "1s", "readPercent": 100, "blockSize": "64KiB", "queueDepth": 16 },
                           { "name": "w", "duration": "1s", "readPercent": 0, "blockSize": "64KiB", "queueDepth": 16 } ] }
            """
        return try RealTopology.parse(Data(text.utf8), file: "bw.json")
    }

    static func outcome(_ name: String, bytesRead: Int64, bytesWritten: Int64, seconds: Double) -> RealRunReport.ClientOutcome {
        RealRunReport.ClientOutcome(
            name: name, ending: "exited with status 0",
            result: .object([
                ("seconds", .number(seconds)), ("bytesRead", .integer(bytesRead)), ("bytesWritten", .integer(bytesWritten)),
                ("passed", .bool(true)),
            ]))
    }

    @Test("reads ÷ ib_write_bw and writes ÷ ib_read_bw, in MiB/s (bytes ÷ seconds ÷ 2²⁰)")
    func ratios() throws {
        // 100 MiB read in 4 s = 25 MiB/s; 60 MiB written in 5 s = 12 MiB/s.
        let clients = [
            Self.outcome("r", bytesRead: 100 << 20, bytesWritten: 0, seconds: 4),
            Self.outcome("w", bytesRead: 0, bytesWritten: 60 << 20, seconds: 5),
        ]
        let report = RealRunReport(
            topology: try Self.topology(luns: ["/dev/sg0"]), deviceOptions: [], targetEnding: "exited with status 0",
            targetSummary: nil, clients: clients, reference: PerftestReference(writeMiBps: 40, readMiBps: 30))
        let ratios = report.bandwidthRatios
        #expect(ratios.map(\.direction) == ["reads", "writes"])
        #expect(ratios.map(\.reference) == ["ib_write_bw", "ib_read_bw"])
        #expect(abs(ratios[0].agentsMiBps - 100.0 / 4) < 1e-9)
        #expect(abs(ratios[0].ratio - (100.0 / 4) / 40) < 1e-9)
        #expect(abs(ratios[1].ratio - (60.0 / 5) / 30) < 1e-9)
        #expect(!ratios[0].meetsTarget)
        #expect(ratios[0].line == "r: reads 25.00 MiB/s through the agents vs ib_write_bw 40.00 MiB/s = 62.5 % (disk path: /dev/sg0)")
        #expect(report.markdown.contains("## Data path against perftest"))
        #expect(report.json["perftest"]?["ratios"] != nil)
    }

    @Test("a memory LUN is named as such beside the figure; at 90 % or more the target is met")
    func memoryLUN() throws {
        // 45 MiB in 1 s against 50 MiB/s: 90 %.
        let report = RealRunReport(
            topology: try Self.topology(luns: ["ram:64MiB"]), deviceOptions: [], targetEnding: "exited with status 0",
            targetSummary: nil, clients: [Self.outcome("r", bytesRead: 45 << 20, bytesWritten: 0, seconds: 1)],
            reference: PerftestReference(writeMiBps: 50))
        let ratio = try #require(report.bandwidthRatios.first)
        #expect(ratio.lunKind == "memory LUN, no disk: ram:64MiB")
        #expect(ratio.meetsTarget && abs(ratio.ratio - 0.9) < 1e-9)
        #expect(report.bandwidthRatios.count == 1)  // no ib_read_bw, and no bytes written
    }

    @Test("without perftest figures there is no comparison")
    func noReference() throws {
        let report = RealRunReport(
            topology: try Self.topology(luns: ["/dev/sg0"]), deviceOptions: [], targetEnding: "exited with status 0",
            targetSummary: nil, clients: [Self.outcome("r", bytesRead: 1 << 20, bytesWritten: 0, seconds: 1)],
            reference: PerftestReference())
        #expect(report.reference == nil && report.bandwidthRatios.isEmpty)
        #expect(report.json["perftest"] == .null)
        #expect(!report.markdown.contains("against perftest"))
    }

    @Test("ram:SIZE names a disk in memory of SIZE bytes; anything else is not one")
    func memoryDiskNames() {
        #expect(RealTarget.memoryDiskCapacity("ram:64MiB") == 64 << 20)
        #expect(RealTarget.memoryDiskCapacity("ram:4KiB") == 4096)
        #expect(RealTarget.memoryDiskCapacity("ram:1KiB") == nil)  // under one 4 KiB page
        #expect(RealTarget.memoryDiskCapacity("ram:lots") == nil)
        #expect(RealTarget.memoryDiskCapacity("/dev/sg0") == nil)
    }
}
