import Hardware
import SimCore
@testable import SimHardware
import Testing

/// The same RC transport over Ethernet (RoCE v2): addresses are GIDs, switches drop on overflow.
@Suite("HCA over RoCE v2")
struct HCARoCETests {
    /// `senders` HCAs each RDMA WRITE `messages` × `size` bytes into one target through one
    /// 10 GbE switch; returns (goodput bits/s, frames dropped by the fabric, retransmitted packets).
    func manyToOne(senders: Int, pfc: Bool, messages: Int = 40, size: Int = 64 * 1024) throws -> (Double, Int, Int) {
        let simulator = Simulator(seed: 11)
        var configuration = EthernetFabricConfiguration()
        if pfc { configuration.priorityFlowControl = PriorityFlowControl() }
        let fabric = EthernetFabric(name: "eth", simulator: simulator, configuration: configuration)
        try fabric.addSwitch(named: "sw0", portCount: senders + 1)
        var peers: [VerbsPeer] = []
        var attachments: [EthernetAttachment] = []
        for index in 0...senders {
            let name = index == 0 ? "target.hca0" : "client\(index).hca0"
            let peer = try VerbsPeer(name: name, simulator: simulator, bytes: size * messages)
            let attachment = try fabric.attachEndpoint(
                named: name, endpoint: peer.hca.endpoint(port: 1), ipv4: IPv4Address(10, 0, 0, UInt8(index + 1)))
            peer.hca.attach(port: 1, to: attachment)
            try fabric.connect(.endpoint(name), .switchPort("sw0", index + 1), link: "link\(index)")
            peers.append(peer)
            attachments.append(attachment)
        }
        let target = peers[0]
        var clientQPs: [any QueuePair] = []
        for index in 1...senders {
            let client = try peers[index].makeQP()
            let server = try target.makeQP()
            for (qp, peerQP, peerGID) in [(client, server, attachments[0].gid), (server, client, attachments[index].gid)] {
                try qp.modify(.initialize(port: 1, access: .remoteReadWrite))
                try qp.modify(.readyToReceive(
                    path: AddressHandleAttributes(destinationLID: 0, globalRoute: GlobalRoute(destinationGID: peerGID)),
                    destinationQPNumber: peerQP.queuePairNumber, receivePSN: 0, pathMTU: .mtu4096))
                try qp.modify(.readyToSend(sendPSN: 0, timeout: 8, retryCount: 7))
            }
            clientQPs.append(client)
        }
        // Switches learn MAC addresses from traffic only (ARP is not modelled): one small
        // SEND each way first, as ARP's request and reply would, so the stream is not flooded.
        for (index, qp) in clientQPs.enumerated() {
            try qp.postSend(.rdmaWrite(id: 999, [peers[index + 1].memory.scatterGatherElement(offset: 0, length: 8)],
                                       to: target.memory.remoteMemory()))
        }
        _ = simulator.run(until: simulator.now + .microseconds(100))
        for peer in peers { _ = peer.poll() }
        let start = simulator.now
        let slice = size * messages / senders
        for (index, qp) in clientQPs.enumerated() {
            peers[index + 1].memory.fill(UInt8(index + 1))
            try qp.postSend((0..<messages).map { message in
                .rdmaWrite(id: UInt64(message), [peers[index + 1].memory.scatterGatherElement(offset: 0, length: slice / messages)],
                           to: target.memory.remoteMemory(offset: index * slice + message * (slice / messages)))
            })
        }
        var finished: Instant?
        var completed = 0
        while finished == nil, simulator.now < .zero + .seconds(5) {
            _ = simulator.run(until: simulator.now + .microseconds(50))
            for peer in peers[1...] {
                let polled = peer.poll()
                #expect(polled.allSatisfy { $0.status == .success })
                completed += polled.count
            }
            if completed == senders * messages { finished = simulator.now }
        }
        let end = try #require(finished, "the writes did not finish")
        for (index, _) in clientQPs.enumerated() {
            #expect(target.memory.read(offset: index * slice, count: slice).allSatisfy { $0 == UInt8(index + 1) })
        }
        let dropped = fabric.totals.drops.total
        let retransmitted = peers.reduce(0) { $0 + $1.hca.statistics.retransmittedPackets }
        return (Double(slice * senders * 8) / (end - start).seconds, dropped, retransmitted)
    }

    @Test("Many-to-one RDMA WRITE over RoCE: without PFC the switch drops and RC recovers; with PFC nothing is dropped")
    func manyToOneCongestion() throws {
        let (lossy, drops, retransmitted) = try manyToOne(senders: 4, pfc: false)
        let (lossless, losslessDrops, losslessRetransmitted) = try manyToOne(senders: 4, pfc: true)
        print("RoCE 4→1 RDMA WRITE goodput: lossy \((lossy / 1e7).rounded() / 100) Gb/s (\(drops) frames dropped, "
              + "\(retransmitted) packets resent); PFC \((lossless / 1e7).rounded() / 100) Gb/s (\(losslessDrops) dropped, \(losslessRetransmitted) resent)")
        #expect(drops > 0)
        #expect(retransmitted > 0)
        #expect(losslessDrops == 0)
        #expect(losslessRetransmitted == 0)
        // 10 Gb/s × 4096 / (4096 + 36 transport + 46 Ethernet/IP/UDP/FCS + 20 preamble/gap) = 9.76 Gb/s.
        #expect(lossless > 9.76e9 * 0.95)
    }
}
