import Hardware
import SimCore
@testable import SimHardware
import Testing

/// `SimHCA.restart()`: a failed (or running) HCA comes back as a fresh device.
@Suite("SimHCA restart")
struct SimHCARestartTests {
    /// Opens `hca` and makes the first resources a program makes: PD, CQ, an RC QP, a region.
    static func firstResources(_ hca: SimHCA) throws -> (any VerbsDeviceContext, any QueuePair, any MemoryRegion) {
        let context = try SimVerbsProvider(adapters: [hca]).openDevice(named: hca.name)
        let domain = try context.allocateProtectionDomain()
        let cq = try context.createCompletionQueue(minimumEntries: 16, observer: nil, token: 1)
        let qp = try domain.createQueuePair(
            type: .reliableConnected, sendQueue: cq, receiveQueue: cq,
            capabilities: QueuePairCapabilities(maxSendWorkRequests: 16, maxReceiveWorkRequests: 16,
                                                maxSendScatterGatherElements: 1, maxReceiveScatterGatherElements: 1),
            signalAllSends: false)
        let region = try domain.allocateMemoryRegion(length: 4096, access: .remoteReadWrite)
        return (context, qp, region)
    }

    @Test("a failed HCA restarts fresh: first QPN, key and address again; old context dead; counters kept")
    func failedThenRestarted() throws {
        let subnet = try HCAInfiniBandTests.Subnet(hosts: 2, throughSwitch: true)
        let hca = subnet.peers[1].hca
        // The peer made its own resources first; a fresh device hands out the first ones.
        let lidBefore = subnet.attachments[1].lid
        hca.fail()
        _ = subnet.simulator.run(until: subnet.simulator.now + .milliseconds(10))
        #expect(subnet.attachments[1].portState == .down)
        let sentBefore = hca.statistics.packetsSent
        hca.restart()
        #expect(!hca.failed)
        #expect(hca.statistics.restarts == 1 && hca.statistics.failures == 1)
        #expect(hca.statistics.packetsSent == sentBefore)
        // The old context and its objects are dead.
        #expect(throws: VerbsError.deviceClosed) { _ = try subnet.peers[1].context.allocateProtectionDomain() }
        #expect(throws: VerbsError.deviceClosed) { try subnet.peers[1].cq.requestNotification(solicitedOnly: false) }
        // The SM sweeps the port again; the GUID-to-LID cache gives it its LID back.
        _ = subnet.simulator.run(until: subnet.simulator.now + .milliseconds(50))
        #expect(subnet.attachments[1].portState == .active)
        #expect(subnet.attachments[1].lid == lidBefore)
        let (context, qp, region) = try Self.firstResources(hca)
        #expect(qp.queuePairNumber == SimHCA.firstQueuePairNumber)
        #expect(region.rkey == SimHCA.firstRegionKey && region.lkey == SimHCA.firstRegionKey)
        #expect(region.address == SimHCA.firstRegionAddress)
        #expect(try context.queryPort(1).state == .active)
        // The old objects cannot touch the new ones.
        try subnet.peers[1].memory.deregister()
        #expect(try context.allocateProtectionDomain() is SimProtectionDomain)

        // The restarted device carries traffic: an RDMA WRITE from host 0 into the new region.
        let peer = subnet.peers[0]
        let qpA = try peer.makeQP()
        try connect(qpA, lid: subnet.attachments[0].lid, qp, lid: subnet.attachments[1].lid)
        peer.memory.write([1, 2, 3, 4], at: 0)
        try qpA.postSend(.rdmaWrite(id: 9, [peer.memory.scatterGatherElement(offset: 0, length: 4)], to: region.remoteMemory()))
        let (completions, _) = subnet.runUntil(peer, completions: 1)
        #expect(completions.map(\.status) == [.success])
        #expect(region.read(offset: 0, count: 4) == [1, 2, 3, 4])
    }

    @Test("a running HCA restarts: it fails first (outstanding work flushed), then comes back fresh")
    func runningRestarted() throws {
        let subnet = try HCAInfiniBandTests.Subnet(hosts: 2, throughSwitch: false)
        let peer = subnet.peers[0]
        let (qpA, qpB) = try subnet.connectedPair(0, 1)
        _ = qpB
        try qpA.postReceive(ReceiveWorkRequest(id: 5, scatterGatherList: [peer.memory.scatterGatherElement(offset: 0, length: 64)]))
        peer.hca.restart()
        _ = subnet.simulator.run(until: subnet.simulator.now + .milliseconds(1))
        // The receive was flushed by the failure that the restart begins with.
        #expect(peer.poll().map(\.status) == [.workRequestFlushed])
        #expect(peer.hca.statistics.failures == 1 && peer.hca.statistics.restarts == 1)
        #expect(throws: VerbsError.deviceClosed) { try qpA.modify(.reset) }
        let (_, qp, region) = try Self.firstResources(peer.hca)
        #expect(qp.queuePairNumber == SimHCA.firstQueuePairNumber && region.rkey == SimHCA.firstRegionKey)
    }
}
