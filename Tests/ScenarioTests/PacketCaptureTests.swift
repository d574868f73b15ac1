import Foundation
import Reports
import SimHardware
import Testing
import Timebase

@testable import Scenario

/// `iofabric run --pcap`: what the capture holds and that capturing changes nothing.
@Suite("Packet capture")
struct PacketCaptureTests {
    /// The records of a classic pcap file: (link type, [(captured length, first bytes)]).
    static func records(_ bytes: [UInt8]) -> (linkType: UInt32, records: [[UInt8]]) {
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) } }
        var records: [[UInt8]] = []
        var offset = 24
        while offset + 16 <= bytes.count {
            let length = Int(u32(offset + 8))
            records.append(Array(bytes[(offset + 16)..<(offset + 16 + length)]))
            offset += 16 + length
        }
        #expect(offset == bytes.count, "the file ends on a record boundary")
        return (u32(20), records)
    }

    @Test("A captured run is the same run: same digest as without the tap")
    func captureChangesNothing() throws {
        let definition = try StorageTargetTests.variant(duration: "30ms")
        let plain = try ScenarioRunner.run(definition)
        let captured = try ScenarioRunner.run(definition, capture: .infiniband)
        #expect(plain.report.traceDigest == captured.report.traceDigest)
        #expect(plain.captures.isEmpty)
        #expect(captured.captures.map(\.fabric) == ["ib0"])
    }

    @Test("InfiniBand: one LINKTYPE_INFINIBAND record per packet sent, each starting at an LRH whose LNH says what follows")
    func infiniBand() throws {
        let outcome = try ScenarioRunner.run(try StorageTargetTests.variant(duration: "30ms"), capture: .infiniband)
        let capture = try #require(outcome.captures.first)
        let (linkType, records) = Self.records(capture.writer.bytes)
        #expect(linkType == 247)
        #expect(records.count == capture.writer.packetCount && records.count > 100)
        var opcodes = Set<UInt8>()
        for record in records {
            // LRH byte 1: SL (4 bits), reserved (2), LNH (2): 2 = IBA local (BTH next), 3 = IBA global (GRH).
            let lnh = record[1] & 3
            #expect(lnh == 2 || lnh == 3)
            // LRH bytes 4–5: packet length in 4-byte words, LRH to VCRC exclusive of the VCRC: the record is that plus 2.
            let words = Int(record[4] & 0x07) << 8 | Int(record[5])
            #expect(words * 4 + 2 == record.count)
            opcodes.insert(record[lnh == 3 ? 48 : 8])
        }
        // The storage target's traffic: the SM's UD MADs, SENDs (requests and responses), RDMA
        // WRITE (read data), RDMA READ request and response (write data), ACKs.
        for expected: UInt8 in [0x64, 0x04, 0x0C, 0x11] { #expect(opcodes.contains(expected), "opcode \(expected)") }
        #expect(opcodes.contains { (0x06...0x0B).contains($0) }, "an RDMA WRITE")
        #expect(opcodes.contains { (0x0D...0x10).contains($0) }, "an RDMA READ response")
    }

    @Test("RoCE v2: one Ethernet/IPv4/UDP 4791 frame per frame the NICs offered")
    func roce() throws {
        var offered = 0
        var inspection = ScenarioRunner.Inspection()
        inspection.afterRun = { topology, _ in
            if case .ethernet(let fabric) = topology.fabrics[0].network { offered = fabric.totals.framesOffered }
        }
        let outcome = try ScenarioRunner.run(
            try StorageTargetTests.variant(ethernet: true, duration: "30ms"), seed: nil, duration: nil, capture: .infiniband,
            progress: nil, inspect: inspection)
        let capture = try #require(outcome.captures.first)
        let (linkType, records) = Self.records(capture.writer.bytes)
        #expect(linkType == 1)
        #expect(records.count == offered && offered > 100)
        for record in records {
            #expect(record[12] == 0x08 && record[13] == 0x00, "EtherType IPv4")
            #expect(record[23] == 17, "UDP")
            #expect(Int(record[36]) << 8 | Int(record[37]) == 4791, "RoCE v2 port")
            #expect(Int(record[16]) << 8 | Int(record[17]) == record.count - 14, "IPv4 total length")
        }
    }
}
