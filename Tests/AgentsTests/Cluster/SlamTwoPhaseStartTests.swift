import Agents
import Hardware
import SimCore
import SimHardware
import Testing
import Timebase

/// The two-phase start real hardware uses (its verbs choose QP numbers and rkeys): each side
/// creates its slam resources, publishes the endpoint they got, and starts toward the
/// partner's published one. Here on simulated HCAs whose first QP and region were taken by
/// something else, so the predetermined endpoint would be wrong.
@Suite("Slam connect, two-phase start")
struct SlamTwoPhaseStartTests {
    typealias Bed = ClusterTestBed

    /// Takes the adapter's first QP and first memory region, so the manager's are not the
    /// predetermined ones (as on a real HCA, where they are whatever the driver gives).
    static func occupy(_ context: any VerbsDeviceContext) throws -> [AnyObject] {
        let domain = try context.allocateProtectionDomain()
        let cq = try context.createCompletionQueue(minimumEntries: 4, observer: nil, token: 0)
        let qp = try domain.createQueuePair(
            type: .reliableConnected, sendQueue: cq, receiveQueue: cq,
            capabilities: QueuePairCapabilities(maxSendWorkRequests: 1, maxReceiveWorkRequests: 1), signalAllSends: true)
        let region = try domain.allocateMemoryRegion(length: 4096, access: .remoteReadWrite)
        return [domain, cq, qp, region]
    }

    /// A side's manager on an adapter whose first resources are taken, provisioned with
    /// placeholders (the real backend knows nothing before the first phase).
    static func makeManager(_ bed: Bed, _ side: Bed.Side, client: TestClusterClient, keep: inout [AnyObject]) throws -> ClusterConnectionManager {
        let context = try bed.open(side, 0)
        keep += try occupy(context)
        let placeholder = ClusterEndpoint(protocolName: "infiniband", address: [], queuePairNumber: 0, rkey: 0, stateBlockAddress: 0)
        let manager = ClusterConnectionManager(
            name: "\(side).ccm", runtime: bed.runtimes[side.rawValue], interconnects: [(context, 1, placeholder, placeholder)],
            configuration: bed.configuration)
        manager.observer = bed
        manager.register(client)
        bed.managers[side.rawValue] = manager
        return manager
    }

    @Test("both sides publish what they created (not the predetermined QPN and rkey) and reach Connected with a client connection up")
    func publishedEndpointsConnect() throws {
        let bed = try Bed()
        var keep: [AnyObject] = []
        let clients = [TestClusterClient("probe"), TestClusterClient("probe")]
        let red = try Self.makeManager(bed, .red, client: clients[0], keep: &keep)
        let blue = try Self.makeManager(bed, .blue, client: clients[1], keep: &keep)
        let redEndpoint = try #require(red.createSlamResources()[0])
        let blueEndpoint = try #require(blue.createSlamResources()[0])
        // The occupied first QP and region: the slam ones are the second.
        #expect(redEndpoint.queuePairNumber == SimHCA.firstQueuePairNumber + 1)
        #expect(redEndpoint.rkey != SimHCA.firstRegionKey)
        #expect(redEndpoint.address == bed.endpoint(.red, 0).address)  // the port's LID
        red.start(partners: [blueEndpoint])
        blue.start(partners: [redEndpoint])
        #expect(bed.run(for: .milliseconds(50)) {
            red.state(ofInterconnect: 0) == .connected && blue.state(ofInterconnect: 0) == .connected
                && clients.allSatisfy { $0.connection(on: 0) != nil }
        })
        #expect(red.lastError(ofInterconnect: 0) == nil)
    }

    @Test("the predetermined endpoint on such an adapter is refused as a provisioning mismatch, naming the QPN")
    func predeterminedEndpointMismatches() throws {
        let bed = try Bed()
        var keep: [AnyObject] = []
        keep += try Self.occupy(try bed.open(.red, 0))
        let red = try bed.makeManager(.red)
        // The simulated HCA's contexts share its resources: the occupied QP is on this adapter.
        red.start()
        bed.run(for: .milliseconds(5))
        #expect(red.state(ofInterconnect: 0) == .error)
        #expect(red.lastError(ofInterconnect: 0)?.hasPrefix("provisioning mismatch: QPN 0x49") == true)
    }
}
