import Hardware
import Testing

/// The ``BusChannel`` contract (Sources/Hardware/BusChannel.swift), written once against the
/// protocol and run on every backend: the in-process bus of real mode and the simulated node bus.
@Suite("Bus channel contract")
struct BusChannelContractTests {
    @Test("endpoints 1, 2, 3 in attach order; peers ascending, without self", arguments: BusBackend.allCases)
    func endpointsAndPeers(_ backend: BusBackend) throws {
        let bench = try backend.makeBench()
        let ends = bench.channels.map(\.localEndpoint)
        #expect(ends.map(\.rawValue) == [1, 2, 3])
        #expect(bench.channels[0].peers == [ends[1], ends[2]])
        #expect(bench.channels[1].peers == [ends[0], ends[2]])
    }

    @Test("message round trip; one endpoint's messages arrive in order, completions in issue order",
          arguments: BusBackend.allCases)
    func messagesInOrder(_ backend: BusBackend) throws {
        let bench = try backend.makeBench()
        let host = BusContractRecorder()
        let node = BusContractRecorder()
        bench.channels[0].setReceiver(host)
        bench.channels[1].setReceiver(node)
        let destination = bench.channels[1].localEndpoint
        node.onMessage = { message, source in
            try? bench.channels[1].send(message.reversed(), to: source, tag: 500 + UInt64(message[0]), handler: node)
        }
        try host.issue {
            for tag in 0..<10 as Range<UInt64> {
                try bench.channels[0].send([UInt8(tag), 0xEE], to: destination, tag: tag, handler: host)
            }
        }
        bench.settle()
        #expect(host.tags == Array(0..<10))
        #expect(host.statuses == Array(repeating: .ok, count: 10))
        #expect(node.messages.map(\.message) == (0..<10).map { [UInt8($0), 0xEE] })
        #expect(node.messages.allSatisfy { $0.source == bench.channels[0].localEndpoint })
        #expect(host.messages.map(\.message) == (0..<10).map { [0xEE, UInt8($0)] })
        #expect(node.tags == (0..<10).map { 500 + UInt64($0) })
        #expect(host.reentrantCompletions == 0)
    }

    @Test("PCI ordering: a message sent after a DMA write is received after the bytes are visible",
          arguments: BusBackend.allCases)
    func messageAfterWrite(_ backend: BusBackend) throws {
        let bench = try backend.makeBench()
        let host = BusContractRecorder()
        let node = BusContractRecorder()
        bench.channels[1].setReceiver(node)
        let memory = bench.makeMemory(length: 16384)
        let window = try bench.channels[1].exposeWindow(memory, offset: 4096, length: 8192, access: .write)
        let data = busPattern(4096, seed: 5)
        var seenAtReceive: [UInt8] = []
        node.onMessage = { _, _ in seenAtReceive = memory.read(offset: 4096 + 512, count: data.count) }
        try bench.channels[0].dmaWrite(data, to: window.address + 512, tag: 1, handler: host)
        try bench.channels[0].send([0xA5], to: bench.channels[1].localEndpoint, tag: 2, handler: host)
        bench.settle()
        #expect(host.tags == [1, 2])
        #expect(host.statuses == [.ok, .ok])
        #expect(seenAtReceive == data)
    }

    @Test("a DMA read returns the window's bytes, with what an earlier DMA write of the endpoint wrote",
          arguments: BusBackend.allCases)
    func readAfterWrite(_ backend: BusBackend) throws {
        let bench = try backend.makeBench()
        let host = BusContractRecorder()
        let memory = bench.makeMemory(length: 8192)
        let original = busPattern(8192, seed: 7)
        memory.write(original, at: 0)
        let window = try bench.channels[2].exposeWindow(memory, offset: 0, length: 8192, access: .readWrite)
        let patch = busPattern(100, seed: 200)
        try bench.channels[0].dmaRead(count: 1000, from: window.address + 3000, tag: 1, handler: host)
        try bench.channels[0].dmaWrite(patch, to: window.address + 3100, tag: 2, handler: host)
        try bench.channels[0].dmaRead(count: 1000, from: window.address + 3000, tag: 3, handler: host)
        bench.settle()
        var after = Array(original[3000..<4000])
        after.replaceSubrange(100..<200, with: patch)
        #expect(host.tags == [1, 2, 3])
        #expect(host.statuses == [.ok, .ok, .ok])
        #expect(host.completions[0].data == Array(original[3000..<4000]))
        #expect(host.completions[1].data.isEmpty)
        #expect(host.completions[2].data == after)
    }

    @Test("window checks: wrong access and past the end target-abort, no window master-aborts; nothing touched",
          arguments: BusBackend.allCases)
    func windowChecks(_ backend: BusBackend) throws {
        let bench = try backend.makeBench()
        let host = BusContractRecorder()
        let memory = bench.makeMemory(length: 8192)
        let original = busPattern(8192, seed: 11)
        memory.write(original, at: 0)
        let readOnly = try bench.channels[1].exposeWindow(memory, offset: 0, length: 4096, access: .read)
        let writeOnly = try bench.channels[1].exposeWindow(memory, offset: 4096, length: 4096, access: .write)
        let data = busPattern(256, seed: 99)
        let channel = bench.channels[0]
        try host.issue {
            try channel.dmaWrite(data, to: readOnly.address, tag: 1, handler: host)  // wrong access
            try channel.dmaRead(count: 16, from: writeOnly.address, tag: 2, handler: host)  // wrong access
            try channel.dmaWrite(data, to: BusAddress(rawValue: 0x1000), tag: 3, handler: host)  // no window
            try channel.dmaWrite(data, to: writeOnly.address + (4096 - 100), tag: 4, handler: host)  // past the end
            try channel.dmaRead(count: 4097, from: readOnly.address, tag: 5, handler: host)  // past the end
            try channel.dmaRead(count: 16, from: readOnly.address + 4080, tag: 6, handler: host)  // fits exactly
        }
        bench.settle()
        #expect(host.tags == [1, 2, 3, 4, 5, 6])
        #expect(host.statuses == [.targetAbort, .targetAbort, .masterAbort, .targetAbort, .targetAbort, .ok])
        #expect(host.completions.prefix(5).allSatisfy { $0.data.isEmpty })
        #expect(host.completions[5].data == Array(original[4080..<4096]))
        #expect(memory.readAll() == original)
        #expect(host.reentrantCompletions == 0)
    }

    @Test("a removed window master-aborts later DMA; removing twice or another's window throws",
          arguments: BusBackend.allCases)
    func windowRemoval(_ backend: BusBackend) throws {
        let bench = try backend.makeBench()
        let host = BusContractRecorder()
        let memory = bench.makeMemory(length: 65536)
        let first = try bench.channels[1].exposeWindow(memory, offset: 0, length: 100, access: .readWrite)
        let second = try bench.channels[1].exposeWindow(memory, offset: 100, length: 5000, access: .readWrite)
        #expect(second.address >= first.address + first.length)
        try bench.channels[1].removeWindow(first)
        let third = try bench.channels[2].exposeWindow(memory, offset: 0, length: 10, access: .read)
        #expect(throws: BusChannelError.self) { try bench.channels[1].removeWindow(first) }
        #expect(throws: BusChannelError.self) { try bench.channels[1].removeWindow(third) }
        try bench.channels[0].dmaWrite([1, 2, 3], to: first.address, tag: 1, handler: host)
        try bench.channels[0].dmaWrite([1, 2, 3], to: second.address, tag: 2, handler: host)
        bench.settle()
        #expect(host.statuses == [.masterAbort, .ok])
        #expect(memory.read(offset: 0, count: 3) == [0, 0, 0])
        #expect(memory.read(offset: 100, count: 3) == [1, 2, 3])
    }

    @Test("exposeWindow refuses the other backend's memory, empty ranges and ranges outside the memory",
          arguments: BusBackend.allCases)
    func exposeValidation(_ backend: BusBackend) throws {
        let bench = try backend.makeBench()
        #expect(throws: BusChannelError.invalidWindow("memory of another backend")) {
            _ = try bench.channels[1].exposeWindow(bench.foreignMemory(length: 4096), offset: 0, length: 4096, access: .read)
        }
        let memory = bench.makeMemory(length: 4096)
        for (offset, length) in [(0, 0), (-1, 10), (4000, 97), (4096, 1)] {
            #expect(throws: BusChannelError.self, "offset \(offset) length \(length)") {
                _ = try bench.channels[1].exposeWindow(memory, offset: offset, length: length, access: .read)
            }
        }
        _ = try bench.channels[1].exposeWindow(memory, offset: 4000, length: 96, access: .read)
    }

    @Test("unknown destination master-aborts; no receiver target-aborts and is not delivered later",
          arguments: BusBackend.allCases)
    func destinations(_ backend: BusBackend) throws {
        let bench = try backend.makeBench()
        let host = BusContractRecorder()
        let node = BusContractRecorder()
        bench.channels[2].setReceiver(nil)
        try bench.channels[0].send([1], to: BusEndpoint(rawValue: 42), tag: 1, handler: host)
        try bench.channels[0].send([2], to: bench.channels[2].localEndpoint, tag: 2, handler: host)
        bench.settle()
        #expect(host.statuses == [.masterAbort, .targetAbort])
        bench.channels[2].setReceiver(node)
        bench.settle()
        #expect(node.messages.isEmpty)
    }

    @Test("completions are never re-entrant, even decided at issue or issued from a completion handler",
          arguments: BusBackend.allCases)
    func neverReentrant(_ backend: BusBackend) throws {
        let bench = try backend.makeBench()
        let host = BusContractRecorder()
        let channel = bench.channels[0]
        try host.issue {
            try channel.send([1], to: BusEndpoint(rawValue: 9), tag: 1, handler: host)
            try channel.dmaRead(count: 8, from: BusAddress(rawValue: 0), tag: 2, handler: host)
            #expect(host.completions.isEmpty)
        }
        var chained: UInt64 = 0
        host.onCompletion = { _ in
            guard chained < 5 else { return }
            chained += 1
            host.issue { try? channel.send([1], to: BusEndpoint(rawValue: 9), tag: 100 + chained, handler: host) }
        }
        bench.settle()
        #expect(host.reentrantCompletions == 0)
        #expect(host.tags == [1, 2, 101, 102, 103, 104, 105])
    }

    @Test("refused operations throw and never complete: too large, bad length, queue full at the limit",
          arguments: BusBackend.allCases)
    func refused(_ backend: BusBackend) throws {
        let bench = try backend.makeBench()
        let host = BusContractRecorder()
        let node = BusContractRecorder()
        let channel = bench.channels[0]
        bench.channels[1].setReceiver(node)
        let destination = bench.channels[1].localEndpoint
        #expect(throws: BusChannelError.messageTooLarge(channel.maxMessageSize + 1)) {
            try channel.send(Array(repeating: 0, count: channel.maxMessageSize + 1), to: destination, tag: 0, handler: host)
        }
        #expect(throws: BusChannelError.invalidTransferLength(0)) {
            try channel.dmaRead(count: 0, from: BusAddress(rawValue: 0x8000_0000), tag: 0, handler: host)
        }
        #expect(throws: BusChannelError.invalidTransferLength(channel.maxTransferSize + 1)) {
            try channel.dmaWrite(Array(repeating: 0, count: channel.maxTransferSize + 1), to: BusAddress(rawValue: 0x8000_0000),
                                 tag: 0, handler: host)
        }
        for tag in 0..<UInt64(bench.maxOutstanding) {
            try channel.send([1], to: destination, tag: tag, handler: host)
        }
        #expect(throws: BusChannelError.queueFull) { try channel.send([1], to: destination, tag: 999, handler: host) }
        bench.settle()
        #expect(host.tags == Array(0..<UInt64(bench.maxOutstanding)))
        #expect(node.messages.count == bench.maxOutstanding)
        try channel.send([1], to: destination, tag: 1000, handler: host)
        bench.settle()
        #expect(host.completions.count == bench.maxOutstanding + 1)
    }
}
