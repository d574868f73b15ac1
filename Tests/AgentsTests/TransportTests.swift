import Agents
import Foundation
import Hardware
import SimHardware
import Testing
import Timebase

/// The TTS on simulated HCAs, InfiniBand and RoCE v2 with the same test bodies.
@Suite("Transport (InfiniBand and RoCE)")
struct TransportTests {
    @Test("Query, connect, messages both ways, RDMA READ and WRITE of 5 KiB in 20 segments", arguments: TransportFabric.allCases)
    func endToEnd(_ fabric: TransportFabric) throws {
        let bed = try TransportTestbed(fabric)
        bed.target.advertise(TransportTestbed.unit)
        let address = bed.target.serviceAddress
        #expect(address.protocolName == bed.target.protocolName)

        // Device management, answered from the advertisement.
        try bed.client.query(.ioUnitInfo, to: address, tag: 10)
        try bed.client.query(.ioControllerProfile(slot: 1), to: address, tag: 11)
        try bed.client.query(.serviceEntries(slot: 1), to: address, tag: 12)
        try bed.client.query(.ioControllerProfile(slot: 9), to: address, tag: 13)
        bed.run { bed.clientDelegate.answers.count == 4 }
        let answers = Dictionary(uniqueKeysWithValues: bed.clientDelegate.answers.map { ($0.tag, $0.reply) })
        let unit = TransportTestbed.unit
        #expect(answers[10] == .ioUnitInfo(IOUnitInfo(changeID: unit.changeID, controllerCount: 1), unitGUID: unit.unitGUID))
        #expect(answers[11] == .ioControllerProfile(unit.controllers[0]))
        #expect(answers[12] == .serviceEntries(slot: 1, unit.services))
        #expect(answers[13] == .noSuchController(slot: 9))
        #expect(bed.target.statistics.managementQueries == 4)

        // Connection.
        let connection = try #require(try bed.connect())
        #expect(bed.targetDelegate.requests.count == 1)
        #expect(bed.targetDelegate.requests.first?.offer == bed.offer)
        #expect(bed.clientDelegate.connected.first?.grant == TransportTestbed.grant)
        #expect(bed.target.statistics.connectionsOpened == 1 && bed.client.statistics.connectionsOpened == 1)

        // Messages both ways.
        try bed.client.send(Array("request".utf8), on: connection)
        bed.run { !bed.targetDelegate.messages.isEmpty }
        #expect(bed.targetDelegate.messages.first?.0 == Array("request".utf8))
        #expect(bed.targetDelegate.messages.first?.1 == connection)
        try bed.target.send(Array("response".utf8), on: connection)
        bed.run { !bed.clientDelegate.messages.isEmpty }
        #expect(bed.clientDelegate.messages.first?.0 == Array("response".utf8))

        // RDMA READ of the client's buffer into 20 pool segments of 256 bytes (more than the 16
        // SGEs a work request takes here: split into 2 work requests), then RDMA WRITE back.
        let segments = (0..<20).map { PoolSegment(offset: 1024 + $0 * 512, length: 256) }
        let total = segments.reduce(0) { $0 + $1.length }
        let pattern = (0..<total).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        bed.client.buffer.write(pattern, at: 4096)
        let region = bed.client.bufferRegion
        let remote = RemoteBuffer(address: region.address + 4096, length: UInt32(total), rkey: region.rkey)
        try bed.target.read(remote, into: segments, on: connection, tag: 100)
        bed.run { !bed.targetDelegate.transfers.isEmpty }
        #expect(bed.targetDelegate.transfers.map(\.status) == [.success])
        let landed = segments.flatMap { bed.target.dataPool.read(offset: $0.offset, count: $0.length) }
        #expect(landed == pattern)

        for segment in segments { bed.target.dataPool.fill(0xa5, offset: segment.offset, count: segment.length) }
        let back = RemoteBuffer(address: region.address + 32_768, length: UInt32(total), rkey: region.rkey)
        try bed.target.write(segments, to: back, on: connection, tag: 101)
        bed.run { bed.targetDelegate.transfers.count == 2 }
        #expect(bed.targetDelegate.transfers.last?.tag == 101)
        #expect(bed.targetDelegate.transfers.last?.status == .success)
        #expect(bed.client.buffer.read(offset: 32_768, count: total) == [UInt8](repeating: 0xa5, count: total))
        // rdmaBytes = the READ's bytes + the WRITE's bytes.
        #expect(bed.target.statistics.rdmaBytes == 2 * total)
        #expect(bed.target.statistics.rdmaReads == 1 && bed.target.statistics.rdmaWrites == 1)
        #expect(bed.target.statistics.malformed == 0 && bed.client.statistics.malformed == 0)
        print("\(fabric): target \(bed.target.statistics), client \(bed.client.statistics)")

        // Disconnect: the client reports closedLocally once, the target disconnected once.
        bed.client.disconnect(connection)
        bed.run { !bed.targetDelegate.closed.isEmpty && !bed.clientDelegate.closed.isEmpty }
        bed.run(for: .milliseconds(20))
        #expect(bed.clientDelegate.closed.map(\.1) == [.closedLocally])
        #expect(bed.targetDelegate.closed.map(\.1) == [.disconnected])
        #expect(throws: TransportError.unknownConnection(connection)) { try bed.client.send([1], on: connection) }
    }

    @Test("A lost connect reply is retried and answered with the same reply, not a second connection",
          arguments: TransportFabric.allCases)
    func lostConnectReply(_ fabric: TransportFabric) throws {
        let bed = try TransportTestbed(fabric)
        try bed.client.connect(to: bed.target.serviceAddress, offer: bed.offer, tag: 1)
        #expect(bed.run { bed.targetDelegate.requests.count == 1 })
        // Everything the target sends is lost while it accepts; the link heals 2 ms later,
        // before the client's 5 ms retry.
        try bed.fault(.loss(numerator: 1, denominator: 1), on: "link0")
        try bed.target.accept(bed.targetDelegate.requests[0], as: ConnectionID(rawValue: 3), grant: TransportTestbed.grant)
        bed.run(for: .milliseconds(2))
        try bed.fault(.clearLinkFaults, on: "link0")
        #expect(bed.run { !bed.clientDelegate.connected.isEmpty })
        bed.run(for: .milliseconds(20))
        print("\(fabric): lost reply: client retries \(bed.client.statistics.managementRetries), connected at \(bed.simulator.now)")
        #expect(bed.client.statistics.managementRetries >= 1)
        #expect(bed.targetDelegate.requests.count == 1)
        #expect(bed.target.statistics.connectionsOpened == 1)
        #expect(bed.clientDelegate.connected.map(\.connection) == [ConnectionID(rawValue: 3)])
        // And the connection works.
        try bed.client.send([1, 2, 3], on: ConnectionID(rawValue: 3))
        #expect(bed.run { bed.targetDelegate.messages.count == 1 })
    }

    @Test("A target that never answers: connect → .timedOut and query → nil after (retries + 1) × timeout",
          arguments: TransportFabric.allCases)
    func silentTarget(_ fabric: TransportFabric) throws {
        var configuration = TransportConfiguration()
        configuration.managementTimeout = .milliseconds(5)
        configuration.managementRetries = 5
        let bed = try TransportTestbed(fabric, configuration: configuration)
        // Started, but nothing advertised and no connection delegate: it never answers.
        bed.target.connectionDelegate = nil
        let start = bed.simulator.now
        try bed.client.query(.ioUnitInfo, to: bed.target.serviceAddress, tag: 5)
        try bed.client.connect(to: bed.target.serviceAddress, offer: bed.offer, tag: 6)
        #expect(bed.run { !bed.clientDelegate.failures.isEmpty && !bed.clientDelegate.answers.isEmpty })
        let elapsed = bed.simulator.now - start
        // Given up at the timer that finds no retry left: (5 + 1) × 5 ms.
        let expected = configuration.managementTimeout * Int64(configuration.managementRetries + 1)
        #expect(elapsed == expected)
        #expect(bed.clientDelegate.failures.map(\.reason) == [.timedOut])
        #expect(bed.clientDelegate.answers.count == 1 && bed.clientDelegate.answers[0].reply == nil)
        #expect(bed.client.statistics.managementRetries == 2 * configuration.managementRetries)
        #expect(bed.target.statistics.managementQueries == configuration.managementRetries + 1)
    }

    @Test("A failed target HCA closes the connection once on each side", arguments: TransportFabric.allCases)
    func failedHCA(_ fabric: TransportFabric) throws {
        let bed = try TransportTestbed(fabric)
        let connection = try #require(try bed.connect())
        bed.targetHCA.fail()
        #expect(bed.run { !bed.targetDelegate.closed.isEmpty })
        // The client learns when it next sends: its RC retries run out.
        try bed.client.send([9], on: connection)
        #expect(bed.run(for: .seconds(2)) { !bed.clientDelegate.closed.isEmpty })
        bed.run(for: .milliseconds(50))
        #expect(bed.targetDelegate.closed.count == 1)
        #expect(bed.clientDelegate.closed.count == 1)
        print("\(fabric): HCA failure: target \(bed.targetDelegate.closed), client \(bed.clientDelegate.closed) at \(bed.simulator.now)")
        #expect(bed.clientDelegate.closed.first?.1 == .failed(.retryExceeded))
        if case .failed = bed.targetDelegate.closed.first?.1 {} else { Issue.record("target closed for \(String(describing: bed.targetDelegate.closed.first?.1))") }
    }

    @Test("A rejected request reports the reason and opens nothing", arguments: [TransportFabric.infiniBand])
    func rejected(_ fabric: TransportFabric) throws {
        let bed = try TransportTestbed(fabric)
        try bed.client.connect(to: bed.target.serviceAddress, offer: bed.offer, tag: 4)
        #expect(bed.run { bed.targetDelegate.requests.count == 1 })
        bed.target.reject(bed.targetDelegate.requests[0], reason: .noLUNsGranted)
        #expect(bed.run { !bed.clientDelegate.failures.isEmpty })
        #expect(bed.clientDelegate.failures.map(\.reason) == [.rejected(.noLUNsGranted)])
        #expect(bed.target.statistics.connectionsOpened == 0)
    }

    @Test("Wrong protocol, unknown connection, and an oversized message are refused at once")
    func refusals() throws {
        let bed = try TransportTestbed(.infiniBand)
        var roceAddress = bed.target.serviceAddress
        roceAddress.protocolName = "roce"
        #expect(throws: (any Error).self) { try bed.client.query(.ioUnitInfo, to: roceAddress, tag: 1) }
        #expect(throws: TransportError.unknownConnection(ConnectionID(rawValue: 42))) {
            try bed.target.send([1], on: ConnectionID(rawValue: 42))
        }
        let connection = try #require(try bed.connect())
        let slotBytes = TransportConfiguration().messageSlotBytes
        #expect(throws: (any Error).self) { try bed.client.send([UInt8](repeating: 0, count: slotBytes + 1), on: connection) }
        #expect(throws: (any Error).self) {
            try bed.target.write([PoolSegment(offset: TransportTestbed.poolBytes - 8, length: 16)], to: bed.client.bufferRegion,
                                 on: connection, tag: 1)
        }
    }

    @Test("Same seed, same trace digest: query, connect over a lossy link, messages, RDMA", arguments: TransportFabric.allCases)
    func deterministic(_ fabric: TransportFabric) throws {
        func script() throws -> (String, TransportStatistics) {
            let bed = try TransportTestbed(fabric, seed: 21)
            bed.target.advertise(TransportTestbed.unit)
            try bed.fault(.loss(numerator: 1, denominator: 4), on: "link1")
            try bed.client.query(.ioUnitInfo, to: bed.target.serviceAddress, tag: 1)
            let connection = try #require(try bed.connect())
            for index in 0..<8 { try bed.client.send([UInt8(index)], on: connection) }
            try bed.target.read(bed.client.bufferRegion, into: [PoolSegment(offset: 0, length: 8192)], on: connection, tag: 2)
            bed.run(for: .seconds(3)) { bed.targetDelegate.messages.count == 8 && bed.targetDelegate.transfers.count == 1 }
            return ("\(bed.simulator.traceDigest)", bed.target.statistics)
        }
        let first = try script()
        let second = try script()
        #expect(first.0 == second.0)
        #expect(first.1 == second.1)
        #expect(first.1.messagesReceived == 8)
    }

    @Test("Malformed datagrams to the management QP are counted and dropped; the QP still answers")
    func malformedDatagrams() throws {
        let bed = try TransportTestbed(.infiniBand)
        bed.target.advertise(TransportTestbed.unit)
        let address = bed.target.serviceAddress
        // A raw UD QP on a third HCA sends junk: random bytes, a truncated query, a bad magic.
        let context = try SimVerbsProvider(adapters: [bed.probeHCA]).openDevice(named: bed.probeHCA.name)
        let domain = try context.allocateProtectionDomain()
        let cq = try context.createCompletionQueue(minimumEntries: 64, observer: nil, token: 9)
        let qp = try domain.createQueuePair(
            type: .unreliableDatagram, sendQueue: cq, receiveQueue: cq,
            capabilities: QueuePairCapabilities(maxSendWorkRequests: 8, maxReceiveWorkRequests: 8), signalAllSends: true)
        try qp.modify(.initializeDatagram(port: 1, qkey: 1))
        try qp.modify(.readyToReceiveDatagram)
        try qp.modify(.readyToSendDatagram())
        let query = ManagementMessage.query(transaction: 1, .ioUnitInfo).encoded()
        var badMagic = query
        badMagic[0] ^= 0xff
        let junk: [[UInt8]] = [[0xde, 0xad, 0xbe, 0xef, 1, 2, 3], Array(query.dropLast()), badMagic]
        let memory = try domain.allocateMemoryRegion(length: 4096, access: .localWrite)
        let lid = UInt16(address.endpoint.address[0]) << 8 | UInt16(address.endpoint.address[1])
        let handle = try domain.createAddressHandle(AddressHandleAttributes(destinationLID: lid))
        for (index, bytes) in junk.enumerated() {
            memory.write(bytes, at: index * 1024)
            try qp.postSend(.send(id: UInt64(index), [memory.scatterGatherElement(offset: index * 1024, length: bytes.count)],
                                  to: DatagramDestination(addressHandle: handle, remoteQueuePairNumber: address.endpoint.queuePairNumber,
                                                          remoteQKey: address.queueKey)))
        }
        #expect(bed.run { bed.target.statistics.malformed == junk.count })
        // Still serving: a real query is answered.
        try bed.client.query(.ioUnitInfo, to: address, tag: 1)
        #expect(bed.run { bed.clientDelegate.answers.count == 1 })
        #expect(bed.clientDelegate.answers.first?.reply != nil)
    }

    @Test("Only the InfiniBand and RoCE addressing files mention LIDs, GIDs, GRHs and address vectors")
    func addressingIsConfined() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/Agents/Transport").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }.sorted()
        #expect(files.contains("InfiniBandAddressing.swift") && files.contains("RoCEAddressing.swift"))
        let words = ["LID", "GID", "GRH", "AddressHandleAttributes", "GlobalRoute", "globalRoute"]
        var offenders: [String] = []
        for file in files where !file.hasPrefix("InfiniBand") && !file.hasPrefix("RoCE") {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            for word in words where text.contains(word) { offenders.append("\(file): \(word)") }
        }
        #expect(offenders.isEmpty, "protocol knowledge outside the addressing files: \(offenders)")
        // The check can fail: the addressing files do mention them.
        let infiniBand = try String(contentsOf: directory.appendingPathComponent("InfiniBandAddressing.swift"), encoding: .utf8)
        #expect(infiniBand.contains("LID"))
    }
}
