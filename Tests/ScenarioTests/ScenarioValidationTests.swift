import Foundation
import Testing
import Timebase

@testable import Scenario

/// The package's root folder (this file is `Tests/ScenarioTests/ScenarioValidationTests.swift`).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

@Suite("Scenario validation")
struct ScenarioValidationTests {
    /// Each deliberately broken file in `Tests/ScenarioTests/Invalid` and the one issue it must
    /// give: its JSON path and the message (and suggestion).
    static let corpus: [(file: String, path: String, message: String)] = [
        ("syntax-trailing-comma.json", "line 4, column 1", "not valid JSON: expected a member name in double quotes, found '}'"),
        ("syntax-empty.json", "line 1, column 1", "not valid JSON: expected a value, found the end of the file"),
        ("not-an-object.json", "$", "expected an object (scenario); found an array of 2 items"),
        ("unknown-member-typo.json", "$.durration", "unknown member \"durration\" of scenario; expected one of \"$schema\", \"name\", \"description\", \"seed\", \"duration\", \"liveness\", \"topology\", \"workloads\", \"faults\", \"expectations\" (did you mean \"duration\"?)"),
        ("wrong-type-seed.json", "$.seed", "expected an integer of at least 0; found the string \"one\""),
        ("duration-without-unit.json", "$.duration", "expected a duration with a unit, such as \"2s\", \"500ms\" or \"10us\"; found the number 2"),
        ("pci-bus-typo.json", "$.topology.nodes[0].pciBus", "expected one of \"pci32at33\", \"pci64at66\"; found the string \"pci33\" (did you mean \"pci32at33\"?)"),
        ("disk-on-no-loop.json", "$.topology.shelves[0]", "no controller reaches shelf \"shelf0\": its disks would be on no initiator's loop (add \"shelf0.A\" to a controller's loops)"),
        ("client-on-no-fabric.json", "$.topology.clients[0].fabric", "no fabric named \"ib1\" (did you mean \"ib0\"?)"),
        ("duplicate-node.json", "$.topology.nodes[1].name", "a second host named \"red\" (the first is $.topology.nodes[0])"),
        ("fault-unknown-disk.json", "$.faults[0].target", "expected a disk for diskFail; found \"shelf0.bay9\" (did you mean \"shelf0.bay0\"?)"),
        ("fault-missing-factor.json", "$.faults[0]", "missing member \"factor\": diskSlow needs it"),
        ("fault-after-end.json", "$.faults[0].at", "after the end of the run (1s)"),
        ("expectation-unknown-metric.json", "$.expectations[0]", "unknown metric \"readIOPs\" (did you mean \"readIOPS\"?)"),
        ("too-many-disks.json", "$.topology.shelves[0].disks", "20 disks do not fit in 14 bays"),
        ("block-size-not-multiple.json", "$.workloads[0].blockSize", "expected a multiple of the 512-byte block; found 1000 bytes"),
        ("workload-unknown-node.json", "$.workloads[0].node", "no storage node named \"blue\""),
        ("cluster-no-b-loop.json", "$.topology.systems[1].storageNodes", "\"blue\" cannot take over \"red\": no controller of it reaches shelf \"shelf0\" through its B loop (add \"shelf0.B\")"),
        ("cluster-without-nvram.json", "$.topology.systems[1].nvram", "a system in a cluster logs writes in NVRAM and mirrors its partner's: give it \"nvram\" (e.g. \"32MiB\")"),
        ("swizzle-clog-on-a-link.json", "$.faults[0].target", "expected a fabric for swizzleClog; found \"c0.hca0\""),
        ("cluster-manager-unknown-interconnect.json", "$.topology.clusters[0].connectionManagers[1].interconnects[1]", "no interconnect named \"ic2\" in cluster \"ha\" (did you mean \"ic0\"?)"),
    ]

    @Test("Every broken file in the corpus gives exactly its one precise issue", arguments: corpus.map(\.file))
    func brokenFile(_ name: String) throws {
        let entry = try #require(Self.corpus.first { $0.file == name })
        let path = packageRoot.appendingPathComponent("Tests/ScenarioTests/Invalid/\(name)").path
        do {
            _ = try ScenarioDefinition.load(path: path)
            Issue.record("\(name) was accepted")
        } catch {
            #expect(error.issues.count == 1, "\(error.issues)")
            let issue = try #require(error.issues.first)
            #expect(issue.file == path)
            #expect(issue.path == entry.path)
            #expect(issue.message + (issue.suggestion.map { " (did you mean \"\($0)\"?)" } ?? "") == entry.message)
        }
    }

    @Test("The corpus table covers every file in the corpus folder")
    func corpusIsComplete() throws {
        let folder = packageRoot.appendingPathComponent("Tests/ScenarioTests/Invalid").path
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files == Self.corpus.map(\.file).sorted())
    }

    @Test("A file that does not exist is one issue naming it, not a crash")
    func missingFile() {
        #expect(throws: ScenarioErrors.self) { try ScenarioDefinition.load(path: "/nonexistent/x.json") }
        do {
            _ = try ScenarioDefinition.load(path: "/nonexistent/x.json")
        } catch {
            #expect(error.description == "/nonexistent/x.json: (file): cannot be read: no such file")
        }
    }

    @Test("Several independent mistakes in one file are all reported, in path order")
    func severalIssues() {
        let text = #"{"name": "x", "duration": "1s", "seed": -1, "topology": {"nodes": [{"name": "a", "nvram": "4 furlongs"}]}}"#
        do {
            _ = try ScenarioDefinition.parse(Data(text.utf8), file: "inline.json")
            Issue.record("accepted")
        } catch {
            #expect(error.issues.map(\.path) == ["$.seed", "$.topology.nodes[0].nvram"])
        }
    }

    @Test("Defaults fill what a file leaves out")
    func defaults() throws {
        let text = #"{"name": "x", "duration": "1s", "topology": {"nodes": [{"name": "red", "controllers": [{"name": "hba0", "loops": ["s.A"]}]}], "shelves": [{"name": "s", "disks": [{"model": "atlas10K"}]}]}, "workloads": [{"name": "w", "kind": "disk", "node": "red"}]}"#
        let scenario = try ScenarioDefinition.parse(Data(text.utf8), file: "inline.json")
        #expect(scenario.seed == 1)
        #expect(scenario.topology.nodes[0].pciBus == "pci32at33")
        #expect(scenario.topology.shelves[0].loopRate == "2GFC")
        #expect(scenario.topology.shelves[0].bays == 14)
        let workload = scenario.workloads[0]
        #expect(workload.blockSize == 4096)
        #expect(workload.queueDepth == 1)
        #expect(workload.readPercent == 100)
        #expect(workload.pattern == .random)
        #expect(workload.timeout == .seconds(10))
    }

    @Test("Every bundled scenario is valid")
    func bundledScenariosAreValid() throws {
        let folder = packageRoot.appendingPathComponent("Scenarios").path
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }.sorted()
        #expect(!files.isEmpty)
        for file in files {
            let scenario = try ScenarioDefinition.load(path: folder + "/" + file)
            #expect(scenario.name + ".json" == file, "a bundled scenario's file is named after it")
            #expect(!scenario.description.isEmpty)
            #expect(!scenario.expectations.isEmpty, "\(file) checks nothing")
        }
    }

    @Test("The committed JSON Schema is the one the format generates (run `swift run iofabric schema > Scenarios/scenario.schema.json`)")
    func schemaIsCurrent() throws {
        let committed = try String(contentsOf: packageRoot.appendingPathComponent("Scenarios/scenario.schema.json"), encoding: .utf8)
        #expect(committed == ScenarioSchema.rendered())
    }
}

@Suite("Scenario syntax")
struct ScenarioSyntaxTests {
    @Test("Durations and sizes parse with their units")
    func quantities() {
        #expect(Quantity.duration("2s") == .seconds(2))
        #expect(Quantity.duration("1.5ms") == .microseconds(1500))
        #expect(Quantity.duration("10 us") == .microseconds(10))
        #expect(Quantity.duration("250µs") == .microseconds(250))
        #expect(Quantity.duration("2") == nil)
        #expect(Quantity.duration("-1s") == nil)
        #expect(Quantity.duration("s") == nil)
        #expect(Quantity.size("4KiB") == 4096)
        #expect(Quantity.size("1 MiB") == 1_048_576)
        #expect(Quantity.size("4KB") == 4000)
        #expect(Quantity.size("1.5KiB") == 1536)
        #expect(Quantity.size("0.3B") == nil)
        #expect(Quantity.text(.milliseconds(1500)) == "1500ms")
        #expect(Quantity.text(.seconds(2)) == "2s")
    }

    @Test("The syntax locator points at the first offending character")
    func syntaxLocator() {
        #expect(JSONSyntaxLocator.firstError(in: Array(#"{"a": [1, 2,, 3]}"#.utf8))
            == .init(line: 1, column: 13, message: "expected a value, found ','"))
        #expect(JSONSyntaxLocator.firstError(in: Array("{\"a\": 1,\n \"b\": tru}".utf8))
            == .init(line: 2, column: 7, message: "expected a value, found 't'"))
        #expect(JSONSyntaxLocator.firstError(in: Array(#"{"a": "x"} 7"#.utf8))?.message == "unexpected text after the document")
        #expect(JSONSyntaxLocator.firstError(in: Array(#"{"a": [1.5e3, -0, "é", null, true, false, {}]}"#.utf8)) == nil)
    }

    @Test("Did-you-mean suggests typos and abbreviations, and nothing for unrelated words")
    func suggestions() {
        #expect(didYouMean("durration", among: ["name", "duration"]) == "duration")
        #expect(didYouMean("pci33", among: ["pci32at33", "pci64at66"]) == "pci32at33")
        #expect(didYouMean("blue", among: ["red"]) == nil)
        #expect(editDistance("kitten", "sitting") == 3)
    }

    @Test("Expectations parse metric, comparison and a value in the metric's unit")
    func expectations() throws {
        let latency = try Expectation.parse("web.p99ReadLatency <= 30ms", workloads: ["web"]).get()
        #expect(latency.workload == "web")
        #expect(latency.metric == "p99ReadLatency")
        #expect(latency.comparison == .atMost)
        #expect(latency.bound == 0.03)
        #expect(latency.key == "web.p99ReadLatency")
        let count = try Expectation.parse("errors == 0", workloads: []).get()
        #expect(count.comparison.holds(0, count.bound))
        #expect(!count.comparison.holds(1, count.bound))
        if case .failure(let error) = Expectation.parse("p99ReadLatency <= 30", workloads: []) {
            #expect(error.message.contains("expected a duration"))
        } else {
            Issue.record("a latency bound without a unit was accepted")
        }
    }
}
