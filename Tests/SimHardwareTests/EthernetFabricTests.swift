import Hardware
import SimCore
import SimHardware
import Testing

@Suite("Ethernet fabric (RoCE v2)")
struct EthernetFabricTests {
    /// The frame of one test packet: RDMA WRITE middle (BTH 12 + ICRC 4) with 2048 bytes of
    /// payload: Ethernet 14 + IPv4 20 + UDP 8 + 16 + 2048 + FCS 4 = 2110 bytes.
    static let frameBytes: Int = {
        var packet = TransportPacket(opcode: .rdmaWriteMiddle, destinationQP: 1, psn: 0)
        packet.payloadLength = 2048
        return packet.roceFrameBytes
    }()

    /// Goodput of a saturated link: rate × payload / (frame + preamble/SFD/IFG 20).
    static func saturatedGoodput(_ rate: EthernetLinkRate, payload: Int = 2048) -> Double {
        Double(rate.bitsPerSecond) * Double(payload) / Double(frameBytes + 20)
    }

    @Test(
        "a stream of 2048-byte RoCE frames runs within 2 % of rate × payload / (payload + 62 + 20), direct and through a switch",
        arguments: [(EthernetLinkRate.tenGigabit, false), (.tenGigabit, true), (.gigabit, false), (.gigabit, true)])
    func sustainedThroughput(rate: EthernetLinkRate, viaSwitch: Bool) throws {
        // Formula: goodput = rate × 2048 / (2110 + 20); 10 Gb/s → 9.615 Gb/s, 1 Gb/s → 961.5 Mb/s.
        #expect(Self.frameBytes == 2110)
        let rig = try EthernetRig(hosts: 2, viaSwitch: viaSwitch, rate: rate)
        rig.hosts[0].send(2_000, to: rig.gid(1))
        #expect(rig.simulator.run() == .idle)
        let receiver = rig.hosts[1]
        let model = Self.saturatedGoodput(rate)
        #expect(receiver.delivered == 2_000 && receiver.outOfOrder == 0)
        #expect(abs(receiver.goodput / model - 1) < 0.02, "\(receiver.goodput) b/s vs model \(model) b/s")
        #expect(rig.fabric.totals.isConserved && rig.fabric.totals.drops.total == 0)
        // Verbs labels (Linux ib_get_eth_speed), but the true Ethernet data rate.
        let attachment = receiver.attachment!
        #expect(attachment.linkLayer == .ethernet && attachment.lid == 0 && attachment.portState == .active)
        #expect(attachment.activeWidth == .x1)
        #expect(attachment.activeSpeed == (rate == .tenGigabit ? .fdr10 : .sdr))
        #expect(attachment.dataRate == rate.bitsPerSecond)
        print(
            "Ethernet \(rate) \(viaSwitch ? "through a switch" : "one link"): goodput \(String(format: receiver.goodput / 1e9)) Gb/s (model \(String(format: model / 1e9)) Gb/s)"
        )
    }

    @Test("addresses: IPv4-mapped GID ::ffff:a.b.c.d, MAC from an EUI-48-derived GUID or a stable locally administered one")
    func addresses() throws {
        let ip = IPv4Address(192, 168, 1, 20)
        #expect(ip.mappedGID == GID(subnetPrefix: 0, interfaceID: 0x0000_ffff_c0a8_0114))
        #expect(ip.description == "192.168.1.20")
        let mac = MACAddress(guid: GUID(rawValue: 0x0002_c9ff_fe12_3456))
        #expect(mac.description == "00:02:c9:12:34:56")
        let named = MACAddress(name: "host0")
        #expect(named == MACAddress(name: "host0") && !named.isGroup && (named.rawValue >> 41) & 1 == 1)
    }
}

extension EthernetFabricTests {
    @Test("PFC headroom covers the round trip, three maximum frames and the PFC frame")
    func pfcHeadroom() {
        // Formula: 2 × 500 ns × 10 Gb/s / 8 = 1250, + 3 × (4178 + 20), + (64 + 20) = 13 928 bytes;
        // the maximum frame is 14 + 20 + 8 + 36 + 4096 + 4 = 4178.
        let configuration = EthernetFabricConfiguration()
        #expect(configuration.maximumFrameBytes == 4178)
        let headroom = PriorityFlowControl.headroomBytes(
            rate: .tenGigabit, propagationDelay: .nanoseconds(500), maximumFrameBytes: 4178)
        #expect(headroom == 13_928)
        var small = configuration
        small.nicReceiveBufferBytes = 16 * 1024
        small.priorityFlowControl = PriorityFlowControl()
        let simulator = Simulator(seed: 1)
        let fabric = EthernetFabric(name: "eth", simulator: simulator, configuration: small)
        #expect(throws: FabricError.self) {
            _ = try fabric.attachEndpoint(named: "a", endpoint: nil, ipv4: IPv4Address(10, 0, 0, 1))
            _ = try fabric.attachEndpoint(named: "b", endpoint: nil, ipv4: IPv4Address(10, 0, 0, 2))
            try fabric.connect(.endpoint("a"), .endpoint("b"), link: "ab")
        }
    }
}

/// Minimal `String(format:)` stand-in (no Foundation): three decimals.
extension String {
    init(format value: Double) {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(abs(thousandths) % 1000)
        self = "\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count) + fraction)"
    }
}
