import Agents
import Hardware
import RealHardware
import Testing
import Timebase

/// The cluster connection manager's two-phase start on real RC QPs (where there is an RDMA
/// device: rxe0 in the VM): Red's and Blue's managers, each on its own context of the device
/// (two contexts, as two processes would have), create their slam resources, exchange the
/// endpoints real verbs gave them (what the bootstrap files carry between processes), and slam
/// connect to Connected; a client on each side gets its connection and a message crosses.
/// Elsewhere it skips, saying why.
@Suite("Real cluster slam connect")
struct RealClusterSlamTests {
    /// A client that records its connections and messages.
    final class Client: ClusterConnectionClient {
        let clusterClientName = "probe"
        let clusterNeeds = ClusterClientNeeds(maxMessageBytes: 64, maxOutstanding: 4)
        var connections: [any ClusterConnection] = []
        var messages: [[UInt8]] = []
        func clusterConnectionUp(_ connection: any ClusterConnection) { connections.append(connection) }
        func clusterConnectionDown(_ connection: any ClusterConnection) {}
        func clusterMessageReceived(_ message: [UInt8], on connection: any ClusterConnection) { messages.append(message) }
        func clusterOperationCompleted(tag: UInt64, on connection: any ClusterConnection, success: Bool) {}
    }

    @Test("two managers on two contexts of the device: published endpoints, Connected on real RC QPs, a client message crosses")
    func twoPhaseStartOnRealQPs() throws {
        let test = "Real cluster slam connect"
        guard let bed = try RealVerbsTestBed.open(test) else { return }
        let protocolName = bed.portAttributes.linkLayer == .ethernet ? "roce" : "infiniband"
        let placeholder = ClusterEndpoint(protocolName: protocolName, address: [], queuePairNumber: 0, rkey: 0, stateBlockAddress: 0)
        var configuration = ClusterConnectionManagerConfiguration()
        // [assumption: the emulated VM schedules the two loops' work slowly: a second to wait in 3 and 5]
        configuration.waitTimeout = .seconds(1)
        let clients = [Client(), Client()]
        let managers = try ["red", "blue"].enumerated().map { index, name in
            let context = try bed.provider.openDevice(RealDeviceSelection())
            let manager = ClusterConnectionManager(
                name: name + ".ccm", runtime: bed.runtime, interconnects: [(context, bed.port, placeholder, placeholder)],
                configuration: configuration)
            manager.register(clients[index])
            return manager
        }
        let endpoints = managers.map { $0.createSlamResources()[0] }
        let red = try #require(endpoints[0], "red: \(managers[0].lastError(ofInterconnect: 0) ?? "")")
        let blue = try #require(endpoints[1], "blue: \(managers[1].lastError(ofInterconnect: 0) ?? "")")
        print("\(test): red \(red), blue \(blue)")
        #expect(red.queuePairNumber != blue.queuePairNumber)
        #expect(red.address == blue.address)  // one port: both on its GID (or LID)
        managers[0].start(partners: [blue])
        managers[1].start(partners: [red])
        let connected = bed.run {
            managers.allSatisfy { $0.state(ofInterconnect: 0) == .connected } && clients.allSatisfy { !$0.connections.isEmpty }
        }
        #expect(connected, "red \(managers[0].state(ofInterconnect: 0)) \(managers[0].lastError(ofInterconnect: 0) ?? ""), blue \(managers[1].state(ofInterconnect: 0)) \(managers[1].lastError(ofInterconnect: 0) ?? "")")
        guard connected else { return }
        try clients[0].connections[0].send([1, 2, 3], tag: 1)
        #expect(bed.run { clients[1].messages == [[1, 2, 3]] })
        print("\(test): Connected on \(bed.context.device.name) after \(managers[0].statistics.slamAttempts) and \(managers[1].statistics.slamAttempts) attempt(s)")
    }
}
