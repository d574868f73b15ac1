import Foundation
import Reports
import SimHardware
import Testing
import Timebase

@testable import Agents
@testable import Scenario

/// `"kind": "rdma"` workloads: perftest-like transfers between two clients.
@Suite("RDMA workloads")
struct RDMAWorkloadTests {
    static func scenario(operation: String, pciBus: String = "pci64at66", verify: Bool = true) throws -> ScenarioDefinition {
        let text = """
            {"name": "rdma", "duration": "40ms",
             "topology": {"fabrics": [{"name": "ib0", "kind": "infiniband", "switches": [{"name": "sw0"}]}],
                          "clients": [{"name": "a", "fabric": "ib0", "switch": "sw0", "pciBus": "\(pciBus)"},
                                      {"name": "b", "fabric": "ib0", "switch": "sw0", "pciBus": "\(pciBus)"}]},
             "workloads": [{"name": "w", "kind": "rdma", "from": "a", "to": "b", "operation": "\(operation)",
                            "blockSize": "64KiB", "queueDepth": 16, "verify": \(verify)}],
             "expectations": ["errors == 0", "integrityViolations == 0"]}
            """
        return try ScenarioDefinition.parse(Data(text.utf8), file: "inline.json")
    }

    @Test("WRITE, READ and SEND move verified blocks from one client to the other", arguments: ["write", "read", "send"])
    func operations(operation: String) throws {
        let report = try ScenarioRunner.run(try Self.scenario(operation: operation)).report
        #expect(report.verdict == .pass, "\(report.expectations) \(report.problems)")
        #expect(report.problems.isEmpty)
        let moved = (report.metrics[operation == "read" ? "w.reads" : "w.writes"]?.doubleValue ?? 0)
        #expect(moved > 100, "transfers completed: \(moved)")
    }

    @Test("RDMA WRITE between adapters on ideal buses runs at the link's data rate less the per-packet headers (within 5 %)")
    func writeAtLinkRate() throws {
        let report = try ScenarioRunner.run(try Self.scenario(operation: "write", pciBus: "ideal", verify: false)).report
        let measured = try #require(report.metrics["w.writeMBps"]?.doubleValue) * 1e6
        // Each 64 KiB message is 64 KiB / MTU packets, each carrying LRH 8 + BTH 12 + ICRC 4 + VCRC 2
        // bytes of headers, the first also a 16-byte RETH (IBA 1.4 §5–9; REFERENCE.md §B).
        let configuration = InfiniBandConfiguration()
        let mtu = configuration.maxMTU.byteCount!
        let message = 65_536
        let wire = message + (message / mtu) * 26 + 16
        let expected = Double(configuration.defaultLink.dataRate) / 8 * Double(message) / Double(wire)
        #expect(abs(measured - expected) / expected < 0.05, "measured \(measured / 1e6) MB/s, formula \(expected / 1e6) MB/s")
    }

    @Test("The block check catches a flipped byte, a zero block and a block of another stamp")
    func blockCheck() {
        let block = RDMALoad.block(stamp: 42, size: 4096)
        #expect(RDMALoad.isIntact(block))
        #expect(RDMALoad.stamp(of: block) == 42)
        var flipped = block
        flipped[1000] ^= 1
        #expect(!RDMALoad.isIntact(flipped))
        #expect(!RDMALoad.isIntact([UInt8](repeating: 0, count: 4096)))
        var restamped = block
        restamped[0] = 43
        #expect(!RDMALoad.isIntact(restamped))
    }
}
