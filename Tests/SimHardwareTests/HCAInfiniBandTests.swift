import Hardware
import SimCore
@testable import SimHardware
import Testing

/// HCAs on an InfiniBand fabric: the numbers the issue asks for, through the verbs a user calls.
@Suite("HCA over InfiniBand")
struct HCAInfiniBandTests {
    /// A fabric of `hosts` HCAs, either cabled back to back (two hosts, no switch) or each on
    /// port n of one switch; the SM runs on the first host. Started and swept.
    struct Subnet {
        let simulator: Simulator
        let fabric: InfiniBandFabric
        let peers: [VerbsPeer]
        let attachments: [InfiniBandPortAttachment]

        init(hosts: Int, throughSwitch: Bool, link: InfiniBandLinkConfiguration = InfiniBandLinkConfiguration(),
             host: (Simulator, Int) -> HostInterface = { _, _ in .ideal(latency: .zero) }) throws {
            simulator = Simulator(seed: 5)
            fabric = InfiniBandFabric(name: "ib", simulator: simulator)
            var peers: [VerbsPeer] = []
            var attachments: [InfiniBandPortAttachment] = []
            let switchID = throughSwitch ? try fabric.addSwitch(named: "sw0", portCount: max(hosts, 2)) : nil
            for index in 0..<hosts {
                let peer = try VerbsPeer(name: "host\(index).hca0", simulator: simulator, host: host(simulator, index), bytes: 4 << 20)
                let attachment = fabric.attachEndpoint(named: peer.hca.name, endpoint: peer.hca.endpoint(port: 1), portGUID: peer.hca.portGUID(1))
                peer.hca.attach(port: 1, to: attachment)
                peers.append(peer)
                attachments.append(attachment)
                if let switchID {
                    try fabric.connect(.endpoint(attachment), .switchPort(switchID, index + 1), named: "link\(index)", link: link)
                }
            }
            if switchID == nil {
                try fabric.connect(.endpoint(attachments[0]), .endpoint(attachments[1]), named: "cable", link: link)
            }
            fabric.addSubnetManager(at: attachments[0])
            fabric.start()
            _ = simulator.run(until: .zero + .milliseconds(50))
            precondition(attachments.allSatisfy { $0.portState == .active }, "the SM did not bring the ports up")
            self.peers = peers
            self.attachments = attachments
        }

        /// An RC QP on host `a` connected to one on host `b`.
        func connectedPair(_ a: Int, _ b: Int) throws -> (any QueuePair, any QueuePair) {
            let qpA = try peers[a].makeQP()
            let qpB = try peers[b].makeQP()
            try connect(qpA, lid: attachments[a].lid, qpB, lid: attachments[b].lid, timeout: 14)
            return (qpA, qpB)
        }

        /// Runs until `peer` has polled `count` completions; returns them and the time.
        func runUntil(_ peer: VerbsPeer, completions count: Int, step: TimeSpan = .microseconds(10)) -> ([WorkCompletion], Instant) {
            var polled: [WorkCompletion] = []
            while polled.count < count, simulator.now < .zero + .seconds(10) {
                _ = simulator.run(until: simulator.now + step)
                polled += peer.poll()
            }
            return (polled, simulator.now)
        }
    }

    /// Streams `count` RDMA WRITEs of `size` bytes from host 0 to host 1 and returns the goodput.
    func writeGoodput(_ subnet: Subnet, size: Int = 1 << 20, count: Int = 8) throws -> Double {
        let (qp, _) = try subnet.connectedPair(0, 1)
        let start = subnet.simulator.now
        try qp.postSend((0..<count).map { index in
            .rdmaWrite(id: UInt64(index), [subnet.peers[0].memory.scatterGatherElement(offset: 0, length: size)],
                       to: subnet.peers[1].memory.remoteMemory(), flags: index == count - 1 ? [.signaled] : [])
        })
        let (done, end) = subnet.runUntil(subnet.peers[0], completions: 1, step: .microseconds(1))
        #expect(done.map(\.status) == [.success])
        return Double(size * count * 8) / (end - start).seconds
    }

    /// 8 Gb/s × payload / (payload + headers): a 1 MiB RDMA WRITE at MTU 2048 is 512 packets
    /// of LRH 8 + BTH 12 + ICRC 4 + VCRC 2 = 26 bytes of headers, plus a 16-byte RETH on the first.
    static func writeFormula(rate: Double, size: Int = 1 << 20) -> Double {
        let packets = Double(size / 2048)
        return rate * Double(size) / (Double(size) + packets * 26 + 16)
    }

    static func gbps(_ bitsPerSecond: Double) -> Double { (bitsPerSecond / 1e5).rounded() / 1e4 }

    @Test("RDMA WRITE throughput on one 4X SDR link is within 2 % of 8 Gb/s × payload/(payload + headers)")
    func fourXLink() throws {
        let goodput = try writeGoodput(Subnet(hosts: 2, throughSwitch: false))
        let formula = Self.writeFormula(rate: 8e9)
        print("4X SDR back to back: \(Self.gbps(goodput)) Gb/s (formula \(Self.gbps(formula)))")
        #expect(abs(goodput - formula) / formula < 0.02)
    }

    @Test("The same through a switch")
    func fourXSwitch() throws {
        let goodput = try writeGoodput(Subnet(hosts: 2, throughSwitch: true))
        let formula = Self.writeFormula(rate: 8e9)
        print("4X SDR through a switch: \(Self.gbps(goodput)) Gb/s (formula \(Self.gbps(formula)))")
        #expect(abs(goodput - formula) / formula < 0.02)
    }

    @Test("The same on a 1X SDR link (2 Gb/s)")
    func oneXLink() throws {
        let goodput = try writeGoodput(Subnet(hosts: 2, throughSwitch: true, link: InfiniBandLinkConfiguration(width: .x1)), count: 2)
        let formula = Self.writeFormula(rate: 2e9)
        print("1X SDR through a switch: \(Self.gbps(goodput)) Gb/s (formula \(Self.gbps(formula)))")
        #expect(abs(goodput - formula) / formula < 0.02)
    }

    @Test("An HCA behind a 64-bit/66 MHz PCI bus on 4X SDR is PCI-bound")
    func pciBoundOnInfiniBand() throws {
        let subnet = try Subnet(hosts: 2, throughSwitch: true) { simulator, index in
            .pci(PCIBus(name: "host\(index).pci", configuration: .pci64at66, simulator: simulator))
        }
        let goodput = try writeGoodput(subnet) / 8
        let bus = PCIBusConfiguration.pci64at66.burstThroughput(burstBytes: 2048)
        print("4X SDR behind PCI 64/66: \(Int(goodput / 1e6)) MB/s (bus burst figure \(Int(bus / 1e6)) MB/s, link \(Int(Self.writeFormula(rate: 8e9) / 8e6)) MB/s)")
        #expect(goodput < bus * 1.001 && goodput > bus * 0.95)
    }

    @Test("Many-to-one RDMA WRITE through a switch: credits hold the senders back, nothing is dropped or resent")
    func manyToOneLossless() throws {
        let subnet = try Subnet(hosts: 5, throughSwitch: true)
        let size = 256 * 1024
        var qps: [any QueuePair] = []
        for sender in 1...4 {
            let (qp, _) = try subnet.connectedPair(sender, 0)
            qps.append(qp)
        }
        let start = subnet.simulator.now
        for (index, qp) in qps.enumerated() {
            try qp.postSend((0..<4).map { message in
                .rdmaWrite(id: UInt64(message), [subnet.peers[index + 1].memory.scatterGatherElement(offset: 0, length: size)],
                           to: subnet.peers[0].memory.remoteMemory(offset: (index * 4 + message) * size))
            })
        }
        var done = 0
        var end = start
        while done < 16, subnet.simulator.now < .zero + .seconds(1) {
            _ = subnet.simulator.run(until: subnet.simulator.now + .microseconds(5))
            for peer in subnet.peers[1...] {
                let polled = peer.poll()
                #expect(polled.allSatisfy { $0.status == .success })
                done += polled.count
            }
            end = subnet.simulator.now
        }
        #expect(done == 16)
        let goodput = Double(16 * size * 8) / (end - start).seconds
        let formula = Self.writeFormula(rate: 8e9, size: size)
        print("IB 4→1 RDMA WRITE goodput: \((goodput / 1e7).rounded() / 100) Gb/s (formula \((formula / 1e7).rounded() / 100)); "
              + "drops \(subnet.fabric.drops.total), resent \(subnet.peers.reduce(0) { $0 + $1.hca.statistics.retransmittedPackets })")
        #expect(subnet.fabric.drops.total == 0)
        #expect(subnet.peers.allSatisfy { $0.hca.statistics.retransmittedPackets == 0 })
        #expect(goodput > formula * 0.97)
    }

    @Test("RC through a switch whose link loses 1 % of packets (a loss fault) delivers every message once, in order")
    func lossFault() throws {
        let subnet = try Subnet(hosts: 2, throughSwitch: true)
        try subnet.fabric.schedule(FabricFault(.loss(numerator: 1, denominator: 100), on: "link1"), at: subnet.simulator.now)
        let qpA = try subnet.peers[0].makeQP()
        let qpB = try subnet.peers[1].makeQP()
        try connect(qpA, lid: subnet.attachments[0].lid, qpB, lid: subnet.attachments[1].lid, timeout: 8)
        let messages = 300
        try qpB.postReceive((0..<messages).map { ReceiveWorkRequest(id: UInt64($0), scatterGatherList: [subnet.peers[1].memory.scatterGatherElement(offset: $0 * 8192, length: 8192)]) })
        for index in 0..<messages { subnet.peers[0].memory.fill(UInt8(truncatingIfNeeded: index * 3), offset: index * 8192, count: 6000) }
        try qpA.postSend((0..<messages).map { .send(id: UInt64($0), [subnet.peers[0].memory.scatterGatherElement(offset: $0 * 8192, length: 6000)], immediateData: UInt32($0)) })
        let (received, _) = subnet.runUntil(subnet.peers[1], completions: messages, step: .microseconds(100))
        #expect(received.map(\.immediateData) == (0..<messages).map { UInt32($0) })
        #expect(received.allSatisfy { $0.status == .success })
        for index in 0..<messages {
            #expect(subnet.peers[1].memory.read(offset: index * 8192, count: 6000).allSatisfy { $0 == UInt8(truncatingIfNeeded: index * 3) })
        }
        let lost = subnet.fabric.drops.total
        print("IB with a 1 % loss fault: \(lost) packets lost, \(subnet.peers[0].hca.statistics.retransmittedPackets) resent, all \(messages) messages delivered in order")
        #expect(lost > 0)
    }

    @Test("Small-message latency: half the round trip of a 32-byte SEND ping-pong (perftest's ib_send_lat method)")
    func sendLatency() throws {
        for (label, bus) in [("ideal host", PCIBusConfiguration?.none), ("PCI 64/66", .pci64at66)] {
            let subnet = try Subnet(hosts: 2, throughSwitch: true) { simulator, index in
                bus.map { .pci(PCIBus(name: "host\(index).pci", configuration: $0, simulator: simulator)) } ?? .ideal(latency: .zero)
            }
            let (qpA, qpB) = try subnet.connectedPair(0, 1)
            let rounds = 50
            try qpB.postReceive((0..<rounds).map { ReceiveWorkRequest(id: UInt64($0), scatterGatherList: [subnet.peers[1].memory.scatterGatherElement(offset: 0, length: 64)]) })
            try qpA.postReceive((0..<rounds).map { ReceiveWorkRequest(id: UInt64($0), scatterGatherList: [subnet.peers[0].memory.scatterGatherElement(offset: 0, length: 64)]) })
            let start = subnet.simulator.now
            for _ in 0..<rounds {
                try qpA.postSend(.send(id: 1, [subnet.peers[0].memory.scatterGatherElement(offset: 128, length: 32)], flags: []))
                _ = subnet.runUntil(subnet.peers[1], completions: 1, step: .nanoseconds(100))
                try qpB.postSend(.send(id: 2, [subnet.peers[1].memory.scatterGatherElement(offset: 128, length: 32)], flags: []))
                _ = subnet.runUntil(subnet.peers[0], completions: 1, step: .nanoseconds(100))
            }
            let oneWay = (subnet.simulator.now - start).seconds / Double(rounds * 2)
            print("32-byte SEND one-way latency, \(label), 4X SDR through one switch: \((oneWay * 1e8).rounded() / 100) µs")
            // Wire floor: two links' propagation, serialisation of a 58-byte packet twice, switch latency.
            #expect(oneWay > 0.2e-6)
        }
    }
}
