import Foundation
import Reports
@testable import Scenario
import SimHardware
import Testing
import Timebase

@Suite("Sim-vs-real: the simulated twin of a real-mode topology and the report")
struct SimVsRealTests {
    static let validation = packageRoot.appendingPathComponent("Scenarios/real/validation.json").path
    let calibration = SimTwinCalibration.vmDefaults

    @Test("link rate = ib_write_bw × 8 × (MTU + 82 B) ÷ MTU; propagation = ib_write_lat − its packet's wire time")
    func linkCalibration() {
        // 82 = Ethernet 14 + IPv4 20 + UDP 8 + BTH 12 + ICRC 4 + FCS 4 + preamble and gap 20.
        #expect(SimTwinCalibration.perPacketOverhead == 82)
        let expected = 45.22e6 * 8 * Double(1024 + 82) / 1024
        #expect(abs(Double(calibration.linkBitsPerSecond) - expected) <= 1)
        let wire = TimeSpan.transmission(bytes: 82 + 16 + 4, bitsPerSecond: calibration.linkBitsPerSecond)
        #expect(calibration.latencyPacketWireTime == wire)
        #expect(calibration.propagationDelay == .nanoseconds(10_700) - wire)
    }

    @Test("a calibration file overrides what it names and keeps the defaults for the rest; a bad value is one line")
    func calibrationFile() throws {
        let text = #"{ "disk": { "read": "100us", "source": "mine" }, "link": { "mtu": 4096 } }"#
        let parsed = try SimTwinCalibration.parse(Data(text.utf8), file: "cal.json")
        #expect(parsed.disk.read == .microseconds(100))
        #expect(parsed.disk.write == calibration.disk.write)
        #expect(parsed.disk.source == "mine")
        #expect(parsed.link.mtu == 4096 && parsed.link.writeMBps == calibration.link.writeMBps)
        #expect(throws: RealModeError("cal.json: $.link.mtu: expected 256, 512, 1024, 2048 or 4096")) {
            try SimTwinCalibration.parse(Data(#"{ "link": { "mtu": 1500 } }"#.utf8), file: "cal.json")
        }
    }

    @Test("the twin of Scenarios/real/validation.json has its shape: one system, one storage node per RTA, one disk per LUN, one RoCE fabric, the client's load")
    func twinShape() throws {
        let topology = try RealTopology.load(path: Self.validation)
        let twin = try SimTwin(topology, calibration: calibration)
        let definition = twin.definition
        #expect(definition.topology.systems.count == 1)
        let system = definition.topology.systems[0]
        #expect(system.name == topology.target.name)
        #expect(system.storageNodes.count == topology.target.rtas)
        #expect(system.dataPoolBytes == Int64(topology.target.dataPoolBytes))
        #expect(system.maxTransferBytes == Int64(topology.target.maxTransferBytes))
        #expect(definition.topology.diskNames.count == topology.target.luns.count)
        // The disk serves as the real path to the sg device: in arrival order (the sg workers'
        // FIFO), sgWorkers (2 in validation.json) commands at once.
        #expect(twin.diskOverlap == topology.target.sgWorkers && twin.diskOverlap == 2)
        let model = calibration.diskModel(overlap: topology.target.sgWorkers)
        #expect(model.overlap == 2 && model.order == .firstComeFirstServed)
        #expect(definition.topology.shelves.allSatisfy { $0.diskGroups.allSatisfy { $0.calibratedModel == model } })
        #expect(definition.topology.fabrics.count == 1)
        let fabric = definition.topology.fabrics[0]
        #expect(fabric.kind == .ethernet)
        #expect(fabric.calibratedLinkBitsPerSecond == calibration.linkBitsPerSecond)
        #expect(fabric.calibratedPropagationDelay == calibration.propagationDelay)
        #expect(fabric.calibratedMTUBytes == 1024)
        #expect(definition.topology.clients.map(\.name) == topology.clients.map(\.name))
        let client = topology.clients[0]
        let workload = try #require(definition.workloads.first)
        #expect(workload.kind == .block && workload.client == client.name && workload.target == topology.target.name)
        #expect(workload.readPercent == client.readPercent && workload.blockSize == Int64(client.blockSize))
        #expect(workload.queueDepth == client.queueDepth && workload.workingSet == client.workingSet)
        #expect(workload.pattern == .random && workload.verify == client.verify && workload.timeout == client.timeout)
        #expect(workload.start == SimTwin.loadStart && workload.stop == SimTwin.loadStart + client.duration)
        #expect(definition.duration == SimTwin.loadStart + client.duration + SimTwin.drain)
        #expect(definition.seed == topology.seed)
    }

    @Test("the twin runs and passes; the disk is its bottleneck: IOPS ≈ overlap / mean service time, latency ≈ queue depth / IOPS (Little)")
    func twinRuns() throws {
        let topology = try RealTopology.load(path: Self.validation)
        let twin = try SimTwin(topology, calibration: calibration)
        let outcome = try ScenarioRunner.run(twin.definition)
        let report = outcome.report
        #expect(report.verdict == .pass, "\(report.problems) \(report.expectations.filter { !$0.passed })")
        let client = topology.clients[0]
        let figures = SimVsRealFigures.simulated(report, workload: client.name, verify: client.verify)
        #expect(figures.passed)
        let reads = try #require(figures.reads), writes = try #require(figures.writes)
        #expect(figures.verifiedReads == reads && reads > 0 && writes > 0)
        // One disk serving N = overlap (sgWorkers) commands at once, mean service S = r·read +
        // (1 − r)·write; queueDepth ≥ N keeps every slot busy: in the load's D seconds it
        // completes at most N·D / S I/Os, plus the queueDepth issued before the stop that
        // complete after it (counted over the same D).
        let overlap = Double(twin.diskOverlap)
        #expect(client.queueDepth >= twin.diskOverlap)
        let r = Double(reads) / Double(reads + writes)
        let meanService = r * calibration.disk.read.seconds + (1 - r) * calibration.disk.write.seconds
        let seconds = client.duration.seconds
        let iops = try #require(figures.iops)
        let most = (overlap * seconds / meanService + Double(client.queueDepth)) / seconds
        #expect(iops <= most && iops >= 0.9 * overlap / meanService, "IOPS \(iops), N/service \(overlap / meanService)")
        // Closed loop of queueDepth I/Os: mean latency = queueDepth / IOPS (Little's law), within 10 %.
        let histogram = report.latencies[client.name + ".read"]!
        var all = histogram
        all.merge(report.latencies[client.name + ".write"]!)
        let little = Double(client.queueDepth) / iops
        #expect(abs(all.mean.seconds - little) / little < 0.1, "mean \(all.mean.seconds), Little \(little)")
        // Every read waits at least its own service time.
        #expect(try #require(figures.readLatency["p50"]) >= calibration.disk.read.seconds)
        // Arrival order, no tail: an I/O reaching the disk finds at most queueDepth − 1 = 3 others,
        // at most N = 2 in service and so at most 1 waiting ahead of it; it starts when the
        // second of those in service ends (≤ one service time), then takes its own: every I/O,
        // read or write, within 2 × max(read, write) + the path (fabric, target, FC loop: tens of
        // µs; bound 1 ms, assumption). Shortest-positioning-first broke this: it kept serving
        // the cheaper kind first, and the other waited (read p99 113 ms in the VM's twin).
        #expect(client.queueDepth - 1 - twin.diskOverlap <= 1)
        let bound = 2 * max(calibration.disk.read.seconds, calibration.disk.write.seconds) + 0.001
        #expect(histogram.max.seconds <= bound && report.latencies[client.name + ".write"]!.max.seconds <= bound,
                "max read \(histogram.max), write \(report.latencies[client.name + ".write"]!.max), bound \(bound)")
        print("twin of validation.json: \(reads) reads, \(writes) writes, \(Format.fixed(iops, 1)) IOPS (N/service \(Format.fixed(overlap / meanService, 1))), read p50 \(Format.duration(seconds: figures.readLatency["p50"]!))")
    }

    @Test("the table: real and simulated figures side by side, ratio = simulated ÷ real, cluster rows say the file has no cluster")
    func table() throws {
        let topology = try RealTopology.load(path: Self.validation)
        let twin = try SimTwin(topology, calibration: calibration)
        // A fixed real result: 100 reads and 50 writes of 4 KiB in 2 s, read p50 20 ms (ns in the JSON).
        let real = JSONValue.object([
            ("clients", .array([.object([
                ("name", .string("c0")),
                ("result", .object([
                    ("passed", .bool(true)), ("reads", .integer(100)), ("writes", .integer(50)), ("verifiedReads", .integer(100)),
                    ("readMBps", .number(0.2048)), ("writeMBps", .number(0.1024)), ("iops", .number(75)),
                    ("readLatency", .object([("count", .integer(100)), ("percentiles", .object([
                        ("p50", .number(20e6)), ("p90", .number(30e6)), ("p99", .number(40e6)),
                    ]))])),
                    ("writeLatency", .object([("count", .integer(0))])),
                ])),
            ])])),
        ])
        var simulated = RunReport(
            scenario: "validation-simtwin", description: "", seed: 8, simulatedDuration: .seconds(1), eventCount: 1, traceDigest: "00")
        simulated.metrics = [
            "c0.reads": .integer(400), "c0.writes": .integer(100), "c0.readMBps": .number(0.4096),
            "c0.writeMBps": .number(0.1024), "c0.iops": .number(150),
        ]
        var reads = LatencyHistogram()
        reads.record(.milliseconds(10))
        simulated.latencies = ["c0.read": reads]
        let report = SimVsRealReport(twin: twin, realReport: real, realSource: "Reports/validation-real/report.json", simulated: simulated)
        let markdown = report.markdown
        #expect(markdown.contains("| c0 | verdict | PASS | PASS | |"))
        #expect(markdown.contains("| c0 | reads | 100 | 400 | 4.00× |"))
        #expect(markdown.contains("| c0 | verified reads (every byte) | 100 | 400 | 4.00× |"))
        #expect(markdown.contains("| c0 | read MB/s | 0.20 | 0.41 | 2.00× |"))
        #expect(markdown.contains("| c0 | write MB/s | 0.10 | 0.10 | 1.00× |"))
        #expect(markdown.contains("| c0 | IOPS | 75.00 | 150.00 | 2.00× |"))
        // A single 10 ms sample is every percentile: 10 ms ÷ 20 ms = 0.5.
        #expect(markdown.contains("| c0 | read latency p50 | \(Format.duration(seconds: 0.02)) | \(Format.duration(seconds: 0.01)) | 0.50× |"))
        #expect(markdown.contains("| c0 | write latency p50 | - | - | - |"))
        #expect(markdown.contains("| cluster | slam-connect time | no cluster in this file | no cluster in this file | |"))
        #expect(markdown.contains("| cluster | takeover time | no cluster in this file | no cluster in this file | |"))
        #expect(markdown.contains(calibration.disk.source) && markdown.contains(calibration.link.source))
        #expect(report.json["clients"]?.arrayValue?.first?["real"]?["iops"] == .number(75))
        #expect(report.json["cluster"]?["takeover"] == .string("no cluster in this file"))
    }

    @Test("compare: reads the real report.json from the folder, runs the twin, writes simtwin.json, simvsreal.md and .json; no report is one line")
    func compareWritesFiles() throws {
        let topology = try RealTopology.load(path: Self.validation)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("simvsreal-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: RealModeError(
            "\(directory)/report.json: no real run's report (run 'iofabric run --backend real \(Self.validation)' first)")) {
            try SimVsReal.compare(topology, calibration: calibration, directory: directory)
        }
        let real = JSONValue.object([("clients", .array([.object([("name", .string("c0")), ("result", .null)])]))])
        try RealBootstrap.write(real.rendered(), to: directory + "/report.json")
        let (report, files) = try SimVsReal.compare(topology, calibration: calibration, directory: directory)
        #expect(files == [directory + "/simtwin.json", directory + "/simvsreal.md", directory + "/simvsreal.json"])
        #expect(files.allSatisfy { FileManager.default.fileExists(atPath: $0) })
        #expect(report.simulatedVerdict == .pass)
        // The client wrote no result: the real column is empty and FAIL, the simulated one is there.
        #expect(report.clients[0].real.passed == false && report.clients[0].real.iops == nil)
        #expect(report.markdown.contains("| c0 | verdict | FAIL | PASS | |"))
        // The twin file is a scenario the simulator accepts as it is (with the preset disk instead).
        _ = try ScenarioDefinition.load(path: directory + "/simtwin.json")
    }
}
