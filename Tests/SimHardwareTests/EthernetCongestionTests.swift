import Hardware
import SimCore
import SimHardware
import Testing

@Suite("Ethernet fabric: learning, congestion, PFC")
struct EthernetCongestionTests {
    @Test("MAC learning: the first frame to an unknown MAC floods (the third NIC filters it), later frames are unicast")
    func macLearning() throws {
        // Formula: flood copies = (up ports − 1 ingress) − 1 = 1 for one flooded frame on a
        // 3-host switch; the unaddressed NIC filters exactly that one frame.
        let rig = try EthernetRig(hosts: 3)
        let (a, b, c) = (rig.hosts[0], rig.hosts[1], rig.hosts[2])
        a.send(1, to: rig.gid(1))
        #expect(rig.simulator.run() == .idle)
        #expect(b.delivered == 1 && c.delivered == 0)
        #expect(try rig.fabric.statistics(of: .endpoint("host2")).framesFiltered == 1)
        #expect(try rig.fabric.statistics(of: .switchPort("sw0", 1)).framesFlooded == 1)

        b.send(1, to: rig.gid(0))  // the switch learns B's MAC on port 2
        a.send(10, to: rig.gid(1))
        #expect(rig.simulator.run() == .idle)
        #expect(a.delivered == 1 && b.delivered == 11 && c.delivered == 0)
        #expect(try rig.fabric.statistics(of: .endpoint("host2")).framesFiltered == 1)
        #expect(try rig.fabric.statistics(of: .switchPort("sw0", 1)).framesFlooded == 1)
        #expect(try rig.fabric.statistics(of: .switchPort("sw0", 2)).framesFlooded == 0)
        #expect(rig.fabric.learnedAddressCount(ofSwitch: "sw0") == 2)
        let totals = rig.fabric.totals
        #expect(totals.floodCopies == 1 && totals.framesFiltered == 1 && totals.isConserved)
    }

    /// Four hosts stream `perSender` frames each to host 0 through one switch, after host 0 has
    /// sent one frame (so the switch knows where it is and does not flood).
    func manyToOne(pfc: Bool, perSender: Int = 500) throws -> EthernetRig {
        var configuration = EthernetFabricConfiguration()
        if pfc { configuration.priorityFlowControl = PriorityFlowControl() }
        let rig = try EthernetRig(hosts: 5, configuration: configuration)
        rig.hosts[0].send(1, to: rig.gid(1))
        #expect(rig.simulator.run() == .idle)
        for sender in 1...4 { rig.hosts[sender].send(perSender, to: rig.gid(0)) }
        #expect(rig.simulator.run() == .idle)
        return rig
    }

    @Test("4 → 1 at full rate without PFC: the switch tail-drops, and sent = delivered + dropped (all overflow)")
    func manyToOneLossy() throws {
        // Formula: Σ offered + flood copies = Σ delivered + filtered + Σ drops(overflow) + in
        // fabric (0). The one warm-up frame to host 1 floods to 4 ports: 3 copies, 3 filtered.
        let rig = try manyToOne(pfc: false)
        let receiver = rig.hosts[0]
        let totals = rig.fabric.totals
        let egress = try rig.fabric.statistics(of: .switchPort("sw0", 1))
        #expect(totals.framesOffered == 1 + 4 * 500)
        #expect(totals.isConserved && totals.framesInFabric == 0)
        #expect(totals.floodCopies == 3 && totals.framesFiltered == 3)
        #expect(egress.drops.overflow > 0 && totals.drops.overflow == egress.drops.overflow)
        #expect(totals.drops.total == totals.drops.overflow)
        #expect(receiver.delivered + egress.drops.overflow == 4 * 500)
        #expect(rig.fabric.switchBufferedBytes == 0)
        let model = EthernetFabricTests.saturatedGoodput(.tenGigabit)
        #expect(abs(receiver.goodput / model - 1) < 0.02)
        print(
            "Ethernet 4→1 without PFC: goodput \(String(format: receiver.goodput / 1e9)) Gb/s, delivered \(receiver.delivered)/2000, dropped \(egress.drops.overflow) (overflow at sw0/1)"
        )
    }

    @Test("4 → 1 at full rate with PFC: nothing dropped, aggregate goodput ≈ the receiver link's rate")
    func manyToOneLossless() throws {
        // Formula: goodput = 10 Gb/s × 2048 / (2110 + 20) within 2 %; drops = 0.
        let rig = try manyToOne(pfc: true)
        let receiver = rig.hosts[0]
        let totals = rig.fabric.totals
        #expect(totals.drops.total == 0 && totals.isConserved && totals.framesInFabric == 0)
        #expect(receiver.delivered == 4 * 500 && receiver.outOfOrder == 0)
        #expect(rig.fabric.switchBufferedBytes == 0)
        var pausesSent = 0
        for port in 2...5 { pausesSent += try rig.fabric.statistics(of: .switchPort("sw0", port)).pauseFramesSent }
        let pausedTime = try (1...4).map { try rig.fabric.statistics(of: .endpoint("host\($0)")).pausedTime }
        #expect(pausesSent > 0 && pausedTime.allSatisfy { $0 > .zero })
        let model = EthernetFabricTests.saturatedGoodput(.tenGigabit)
        #expect(abs(receiver.goodput / model - 1) < 0.02, "\(receiver.goodput) vs \(model)")
        print(
            "Ethernet 4→1 with PFC: goodput \(String(format: receiver.goodput / 1e9)) Gb/s, delivered \(receiver.delivered)/2000, 0 dropped, \(pausesSent) PFC frames from sw0, senders paused \(pausedTime.map(\.description).joined(separator: ", "))"
        )
    }

    /// Host 1 streams 1000 frames to host 0 through a switch; host 0 releases one receipt per
    /// 4 µs (2048 × 8 / 4 µs ≈ 4.1 Gb/s, under the 9.6 Gb/s arriving).
    func slowConsumer(pfc: Bool) throws -> EthernetRig {
        var configuration = EthernetFabricConfiguration()
        if pfc { configuration.priorityFlowControl = PriorityFlowControl() }
        let rig = try EthernetRig(hosts: 2, configuration: configuration)
        rig.hosts[0].releaseInterval = .microseconds(4)
        rig.hosts[0].send(1, to: rig.gid(1))
        #expect(rig.simulator.run() == .idle)
        rig.hosts[1].send(1_000, to: rig.gid(0))
        #expect(rig.simulator.run() == .idle)
        return rig
    }

    @Test("slow NIC consumer without PFC: the NIC receive buffer overflows and drops")
    func slowConsumerLossy() throws {
        // Formula: delivered + NIC overflow drops = 1000; held bytes never exceed the buffer.
        let rig = try slowConsumer(pfc: false)
        let nic = try rig.fabric.statistics(of: .endpoint("host0"))
        #expect(nic.drops.overflow > 0 && nic.framesDelivered + nic.drops.overflow == 1_000)
        #expect(rig.fabric.totals.isConserved && rig.fabric.totals.drops.total == nic.drops.overflow)
        #expect(rig.hosts[0].attachment.receiveBufferUsed == 0 && rig.hosts[0].attachment.heldReceipts == 0)
        print("Ethernet slow consumer without PFC: delivered \(nic.framesDelivered)/1000, \(nic.drops.overflow) dropped at the NIC")
    }

    @Test("slow NIC consumer with PFC: the NIC pauses the switch, the switch pauses the sender, nothing is dropped")
    func slowConsumerLossless() throws {
        // Formula: drops = 0; the sender's rate falls to the consumer's: last delivery ≥ 999 × 4 µs.
        let rig = try slowConsumer(pfc: true)
        let nic = try rig.fabric.statistics(of: .endpoint("host0"))
        let switchToNIC = try rig.fabric.statistics(of: .switchPort("sw0", 1))
        let sender = try rig.fabric.statistics(of: .endpoint("host1"))
        #expect(rig.fabric.totals.drops.total == 0 && nic.framesDelivered == 1_000 && rig.fabric.totals.isConserved)
        #expect(nic.pauseFramesSent > 0 && switchToNIC.pausedTime > .zero && sender.pausedTime > .zero)
        #expect(rig.hosts[1].readyCalls > 0)
        print(
            "Ethernet slow consumer with PFC: delivered 1000/1000, NIC sent \(nic.pauseFramesSent) PFC frames; sw0/1 paused \(switchToNIC.pausedTime), sender paused \(sender.pausedTime)"
        )
    }
}
