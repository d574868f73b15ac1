import Agents
import Hardware
import SimCore
import SimHardware
import Testing
import Timebase

/// Clients' connections over slam-connected interconnects: up on both sides, in-order messages
/// and RDMA writes, a client without counterpart, interconnect failover, partner reboot.
@Suite("Cluster connection manager")
struct ClusterConnectionManagerTests {
    typealias Bed = ClusterTestBed

    static func isReady(_ bed: Bed, _ side: Bed.Side, _ interconnect: Int, after: Int = 0) -> Bool {
        bed.ready.dropFirst(after).contains { $0.side == side && $0.interconnect == interconnect }
    }

    @Test("two clients get a connection on both sides; messages and RDMA writes arrive in order; a client without counterpart gets none")
    func clientsConnect() throws {
        let bed = try Bed()
        let redA = TestClusterClient("nvram-mirror", exposedBytes: 4096, sourceBytes: 4096)
        let redB = TestClusterClient("failover-monitor")
        let extra = TestClusterClient("only-on-red")
        let blueA = TestClusterClient("nvram-mirror", exposedBytes: 4096, sourceBytes: 4096)
        let blueB = TestClusterClient("failover-monitor")
        try bed.boot(.red, clients: [redA, redB, extra])
        try bed.boot(.blue, clients: [blueA, blueB])
        #expect(bed.run(for: .milliseconds(20)) { Self.isReady(bed, .red, 0) && Self.isReady(bed, .blue, 0) })
        for client in [redA, redB, blueA, blueB] { #expect(client.connections.count == 1) }
        #expect(extra.connections.isEmpty)
        #expect(bed.manager(.red).statistics.clientsWithoutCounterpart == 1)
        #expect(bed.manager(.blue).statistics.clientsWithoutCounterpart == 0)
        let connection = try #require(redA.connection(on: 0))
        #expect(connection.remoteMemoryLength == 4096)

        // Interleaved: message 0, write of 256 bytes at 1024, message 1, write at 0, message 2.
        let pattern = (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }
        redA.source!.write(pattern, at: 0)
        try connection.send([0], tag: 100)
        try connection.write(sourceOffset: 0, count: 256, remoteOffset: 1024, tag: 101)
        try connection.send([1], tag: 102)
        try connection.write(sourceOffset: 256, count: 256, remoteOffset: 0, tag: 103)
        try connection.send([2], tag: 104)
        #expect(throws: ClusterConnectionError.outOfBounds) { try connection.write(sourceOffset: 0, count: 16, remoteOffset: 4090, tag: 9) }
        #expect(throws: ClusterConnectionError.outOfBounds) { try connection.send([UInt8](repeating: 0, count: 65), tag: 9) }
        #expect(bed.run(for: .milliseconds(5)) { redA.completions.count == 5 && blueA.messages.count == 3 })
        #expect(redA.completions.map(\.tag) == [100, 101, 102, 103, 104])
        #expect(redA.completions.allSatisfy { $0.success })
        #expect(blueA.messages.map(\.bytes) == [[0], [1], [2]])
        #expect(blueA.exposed!.read(offset: 1024, count: 256) == Array(pattern[0..<256]))
        #expect(blueA.exposed!.read(offset: 0, count: 256) == Array(pattern[256..<512]))
        // The queue is bounded by maxOutstanding (8): the 9th operation in a row is refused.
        let monitor = try #require(blueB.connection(on: 0))
        for tag in 0..<8 { try monitor.send([UInt8(tag)], tag: UInt64(tag)) }
        #expect(throws: ClusterConnectionError.queueFull) { try monitor.send([9], tag: 9) }
        #expect(bed.run(for: .milliseconds(5)) { redB.messages.count == 8 })
        #expect(redB.messages.map(\.bytes) == (0..<8).map { [UInt8($0)] })
    }

    @Test("two interconnects: one adapter fails, its connections go down on both sides, the other's stay up and lose nothing; it reconnects after restart")
    func interconnectFailover() throws {
        let bed = try Bed(interconnects: 2)
        let red = TestClusterClient("failover-monitor")
        let blue = TestClusterClient("failover-monitor")
        try bed.boot(.red, clients: [red])
        try bed.boot(.blue, clients: [blue])
        #expect(bed.run(for: .milliseconds(20)) { (0..<2).allSatisfy { Self.isReady(bed, .red, $0) && Self.isReady(bed, .blue, $0) } })
        #expect(red.connections.count == 2 && blue.connections.count == 2)
        let survivor = try #require(red.connection(on: 0))
        let doomed = try #require(red.connection(on: 1))
        try doomed.send([0xdd], tag: 999)
        let failedAt = bed.simulator.now
        bed.hcas[Bed.Side.red.rawValue][1].fail()
        // Traffic on interconnect 0 keeps flowing, one message every millisecond.
        var sent = 0
        for _ in 0..<40 {
            try survivor.send([UInt8(sent)], tag: UInt64(sent))
            sent += 1
            bed.run(for: .milliseconds(1))
        }
        // Red knows at once (device fatal); Blue when its keep-alive read fails.
        #expect(red.downs.count == 1 && red.downs.first?.interconnect == 1)
        #expect(blue.downs.count == 1 && blue.downs.first?.interconnect == 1)
        #expect(red.completions.first { $0.tag == 999 }?.success == false)
        #expect(bed.state(.red, 0) == .connected && bed.state(.blue, 0) == .connected)
        #expect(red.connection(on: 0) === survivor && survivor.isUp)
        let onSurvivor = blue.messages.filter { $0.interconnect == 0 }.map(\.bytes)
        #expect(onSurvivor == (0..<sent).map { [UInt8($0)] })
        let blueDown = bed.log.first { $0.side == .blue && $0.interconnect == 1 && $0.edge.event == .connectionLost }
        let switchTime = try #require(blueDown).time - failedAt
        print("interconnect failover: the partner noticed after \(switchTime)")
        // Noticed within a keep-alive interval plus a dead read's (retryCount + 1) ACK timeouts.
        let config = bed.configuration
        #expect(switchTime <= config.keepaliveInterval
                + QueuePairAttributes.localAckTimeout(exponent: config.ackTimeoutExponent)! * Int64(config.retryCount + 1))

        // The adapter comes back; the manager gets the new context and reconnects.
        let readyBefore = bed.ready.count
        bed.hcas[Bed.Side.red.rawValue][1].restart()
        bed.manager(.red).adapterRestarted(interconnect: 1, context: try bed.open(.red, 1))
        #expect(bed.run(for: .milliseconds(300)) { Self.isReady(bed, .red, 1, after: readyBefore) && Self.isReady(bed, .blue, 1, after: readyBefore) })
        #expect(red.connection(on: 1) != nil && blue.connection(on: 1) != nil)
        #expect(red.connection(on: 0) === survivor)
    }

    /// Both up with a client; Blue's adapter fails; Red's side goes to Error; Blue's adapter
    /// restarts and a new Blue manager starts: slam connect again, new connections.
    static func partnerReboot() throws -> Bed {
        let bed = try Bed()
        let red = TestClusterClient("failover-monitor")
        try bed.boot(.red, clients: [red])
        try bed.boot(.blue, clients: [TestClusterClient("failover-monitor")])
        #expect(bed.run(for: .milliseconds(20)) { Self.isReady(bed, .red, 0) && Self.isReady(bed, .blue, 0) })
        bed.hcas[Bed.Side.blue.rawValue][0].fail()
        #expect(bed.run(for: .milliseconds(40)) { bed.state(.red) != .connected })
        #expect(red.downs.count == 1)
        #expect(bed.log.contains { $0.side == .red && $0.edge == SlamConnectTransition(.connected, .connectionLost, .error) })
        let readyBefore = bed.ready.count
        bed.hcas[Bed.Side.blue.rawValue][0].restart()
        bed.run(for: .milliseconds(5))
        let blue = TestClusterClient("failover-monitor")
        try bed.boot(.blue, clients: [blue])
        #expect(bed.run(for: .milliseconds(300)) { Self.isReady(bed, .red, 0, after: readyBefore) && Self.isReady(bed, .blue, 0, after: readyBefore) })
        #expect(red.connections.count == 2 && red.connection(on: 0) != nil && blue.connections.count == 1)
        try #require(red.connection(on: 0)).send([42], tag: 1)
        #expect(bed.run(for: .milliseconds(5)) { blue.messages.count == 1 })
        return bed
    }

    @Test("partner reboot: its HCA fails, restarts, a new manager starts: Connected again, new connections")
    func reboot() throws { _ = try Self.partnerReboot() }

    @Test("two managers on one node work independently")
    func twoManagers() throws {
        let bed = try Bed(interconnects: 2)
        var managers: [ClusterConnectionManager] = []
        var clients: [TestClusterClient] = []
        for side in Bed.Side.allCases {
            for index in 0..<2 {
                let client = TestClusterClient("client\(index)")
                let manager = ClusterConnectionManager(
                    name: "\(side).ccm\(index)", runtime: bed.runtimes[side.rawValue],
                    interconnects: [(context: try bed.open(side, index), port: 1, local: bed.endpoint(side, index),
                                     partner: bed.endpoint(Bed.other(side), index))])
                manager.register(client)
                managers.append(manager)
                clients.append(client)
            }
        }
        for manager in managers { manager.start() }
        #expect(bed.run(for: .milliseconds(20)) { clients.allSatisfy { $0.connections.count == 1 } })
        bed.hcas[Bed.Side.red.rawValue][1].fail()
        bed.run(for: .milliseconds(40))
        #expect(managers.map { $0.state(ofInterconnect: 0) }[0] == .connected)  // red.ccm0
        #expect(managers[2].state(ofInterconnect: 0) == .connected)  // blue.ccm0
        #expect(managers[1].state(ofInterconnect: 0) != .connected && managers[3].state(ofInterconnect: 0) != .connected)
        #expect(clients[0].downs.isEmpty && clients[2].downs.isEmpty)
        #expect(clients[1].downs.count == 1 && clients[3].downs.count == 1)
    }

    @Test("manager messages round-trip and the decoder never traps on 10 000 malformed inputs")
    func messageCodec() {
        let samples: [ClusterManagerMessage] = [
            .ready, .connectionInfo([]),
            .connectionInfo([ClusterClientEndpoint(name: "nvram-mirror", queuePairNumber: 0x49, packetSequenceNumber: 0, rkey: 0x200,
                                                   address: 0x1000_0000_1000, length: 1 << 20),
                             ClusterClientEndpoint(name: "failover-monitor", queuePairNumber: 0x4a, packetSequenceNumber: 7, rkey: 0,
                                                   address: 0, length: 0)]),
        ]
        for sample in samples { #expect((try? ClusterManagerMessage(decoding: sample.encoded())) == sample) }
        let outcome = fuzz(seed: 6, samples: samples, encode: { $0.encoded() }, decode: { try ClusterManagerMessage(decoding: $0) })
        #expect(outcome.unstable == 0)
    }
}
