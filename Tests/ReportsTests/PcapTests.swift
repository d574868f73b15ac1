import Foundation
import Reports
import Testing
import Timebase

@Suite("Packet capture")
struct PcapTests {
    @Test("CRC-32 gives the standard check value 0xCBF43926 for \"123456789\"")
    func crc32CheckValue() {
        #expect(Checksums.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test("pcap header: ns magic, version 2.4, link type; record header = seconds, ns, lengths")
    func fileLayout() {
        var writer = PcapWriter(linkType: .infiniband)
        let packet: [UInt8] = [1, 2, 3]
        let time = Instant.zero + .seconds(2) + .nanoseconds(345)
        writer.append(packet, at: time)
        let bytes = writer.bytes
        func le32(_ offset: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) } }
        #expect(le32(0) == PcapWriter.magicNanoseconds)
        #expect(bytes[4] == 2 && bytes[6] == 4)
        #expect(le32(20) == 247)
        #expect(le32(24) == 2 && le32(28) == 345)  // 2 s + 345 ns
        #expect(le32(32) == UInt32(packet.count) && le32(36) == UInt32(packet.count))
        #expect(Array(bytes[40...]) == packet)
        #expect(bytes.count == 24 + 16 + packet.count)
    }

    @Test("LRH PktLen = (LRH 8 + BTH 12 + RETH 16 + payload + pad + ICRC 4) / 4; link bytes add VCRC 2")
    func lengths() {
        for packet in SamplePackets.packets {
            let grh = packet.globalRoute == nil ? 0 : 40
            let extensions = (packet.rdma == nil ? 0 : 16) + (packet.acknowledge == nil ? 0 : 4)
                + (packet.datagram == nil ? 0 : 8)
            let words = (8 + grh + 12 + extensions + packet.payload.count + packet.padCount + 4) / 4
            let bytes = packet.linkBytes()
            #expect((packet.payload.count + packet.padCount) % 4 == 0)
            #expect(Int(bytes[4] & 0x07) << 8 | Int(bytes[5]) == words)
            #expect(bytes.count == words * 4 + 2)
            #expect(Int(bytes[8 + grh + 1] >> 4 & 0x3) == packet.padCount)
        }
    }

    @Test("RoCE v2: IPv4 checksum verifies to 0, UDP port 4791, ICRC equals scapy 2.8's")
    func roce() {
        let frame = SamplePackets.roce(SamplePackets.packets[0]).bytes()
        #expect(Checksums.internet(frame[14..<34]) == 0)
        #expect(frame[36] == 0x12 && frame[37] == 0xB7)  // 4791
        // The ICRC bytes of this frame as scapy.contrib.roce (an independent implementation
        // of Annex A17's masked CRC) computes them for the same frame.
        #expect(Array(frame.suffix(4)) == [0x52, 0x27, 0x9E, 0x82])
    }

    static let tsharkPath: String? = ["/usr/bin/tshark", "/usr/local/bin/tshark"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// The Wireshark 4.0 preference that hands LINKTYPE_USER0 records to the InfiniBand dissector.
    static let userDLTSetting = #"uat:user_dlts:"User 0 (DLT=147)","infiniband","0","","0","""#

    static func tsharkFields(_ writer: PcapWriter, options: [String], fields: [String]) throws -> [[String]] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("iofabric-pcap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("capture.pcap")
        try Data(writer.bytes).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tsharkPath!)
        process.arguments = ["-r", file.path] + options + ["-T", "fields", "-E", "separator=,"]
            + fields.flatMap { ["-e", $0] }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
    }

    static func expectDecoded(_ rows: [[String]], firstColumn: (InfiniBandPacket) -> String) {
        let packets = SamplePackets.packets
        #expect(rows.count == packets.count)
        for (row, packet) in zip(rows, packets) {
            #expect(row.count == 7, "tshark row \(row)")
            guard row.count == 7 else { continue }
            let bth = packet.baseTransport
            #expect(row[0] == firstColumn(packet))
            #expect(row[1] == String(bth.opcode.rawValue))
            #expect(row[2] == "0x" + hex(UInt64(bth.destinationQP), digits: 6))
            #expect(row[3] == String(bth.packetSequenceNumber))
            if let reth = packet.rdma {
                #expect(row[4] == "0x" + hex(reth.virtualAddress, digits: 16))
                #expect(row[5] == "0x" + hex(UInt64(reth.remoteKey), digits: 8))
                #expect(row[6] == String(reth.dmaLength))
            } else {
                #expect(row[4] == "" && row[5] == "" && row[6] == "")
            }
        }
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: digits - text.count) + text
    }

    static let fields = ["infiniband.bth.opcode", "infiniband.bth.destqp", "infiniband.bth.psn",
                         "infiniband.reth.va", "infiniband.reth.r_key", "infiniband.reth.dmalen"]

    @Test("tshark decodes LRH-first packets (USER0 + user_dlts mapping): PktLen, BTH opcode/DestQP/PSN, RETH",
          .enabled(if: tsharkPath != nil, "tshark is not installed (apt-get install tshark)"))
    func tsharkInfiniBand() throws {
        let rows = try Self.tsharkFields(SamplePackets.capture(.user0), options: ["-o", Self.userDLTSetting],
                                         fields: ["infiniband.lrh.pktlen"] + Self.fields)
        Self.expectDecoded(rows) { packet in
            let bytes = packet.linkBytes()
            return String(Int(bytes[4] & 0x07) << 8 | Int(bytes[5]))
        }
    }

    @Test("tshark decodes RoCE v2 frames with no setting: UDP 4791, BTH opcode/DestQP/PSN, RETH",
          .enabled(if: tsharkPath != nil, "tshark is not installed (apt-get install tshark)"))
    func tsharkRoCE() throws {
        let rows = try Self.tsharkFields(SamplePackets.capture(.ethernet), options: [],
                                         fields: ["udp.dstport"] + Self.fields)
        Self.expectDecoded(rows) { _ in "4791" }
    }
}
