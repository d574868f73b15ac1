import Hardware
import Testing

@testable import RealHardware

/// The verbs backend on a real device (rxe0 in the VM): two QPs of one device connected to each
/// other through the port's own GID. Every byte moved is compared. Without a device each test
/// prints why it is skipped and passes.
@Suite("Real verbs on a device", .serialized)
struct RealVerbsDeviceTests {
    @Test("a provider without devices lists none and refuses to open one with noDevice; with devices it names them")
    func providerWithoutDevices() throws {
        let runtime = try RealNodeRuntime(nodeName: "verbs-test", seed: 1)
        let provider: RealVerbsProvider
        do {
            provider = try RealVerbsProvider(runtime: runtime)
        } catch {
            #expect(error.description.hasPrefix("libibverbs not found"))
            print("RealVerbsProvider: \(error)")
            return
        }
        let devices = try provider.devices()
        if devices.isEmpty {
            #expect(throws: VerbsError.noDevice) { try provider.openDevice(named: "rxe0") }
            #expect(throws: VerbsError.noDevice) { try provider.openFirstDevice() }
            #expect(VerbsError.noDevice.description == "no RDMA device")
            print("RealVerbsProvider: no RDMA devices found; openDevice throws '\(VerbsError.noDevice)'")
        } else {
            print("RealVerbsProvider: devices \(devices.map(\.description).joined(separator: ", "))")
            #expect(throws: VerbsError.deviceNotFound(name: "iofabric-none")) { try provider.openDevice(named: "iofabric-none") }
            let context = try provider.openDevice(named: devices[0].name)
            #expect(context.device == devices[0])
            #expect(context.attributes.physicalPortCount >= 1)
            #expect(throws: VerbsError.invalidPort(0)) { try context.queryPort(0) }
            context.close()
            #expect(throws: VerbsError.deviceClosed) { try context.allocateProtectionDomain() }
        }
    }

    @Test("RC loopback: SEND with a 3-element SGL, SEND with immediate, RDMA WRITE, WRITE with immediate, READ; every byte")
    func rcLoopback() throws {
        guard let bed = try RealVerbsTestBed.open("RealVerbs RC loopback") else { return }
        defer { bed.context.close() }
        let domain = try bed.context.allocateProtectionDomain()
        let a = try RealVerbsEnd(domain: domain, context: bed.context, type: .reliableConnected, length: 256 * 1024, token: 1)
        let b = try RealVerbsEnd(domain: domain, context: bed.context, type: .reliableConnected, length: 256 * 1024, token: 2)
        try bed.connect(a, to: b)
        try bed.connect(b, to: a)
        #expect(a.qp.state == .readyToSend && b.qp.state == .readyToSend)

        // SEND: three pieces of A's buffer gathered into one receive of B, scattered over two elements.
        let pieces = [(offset: 0, length: 1000), (offset: 8192, length: 2000), (offset: 20000, length: 96)]
        var sent: [UInt8] = []
        for (index, piece) in pieces.enumerated() {
            let bytes = RealVerbsTestBed.pattern(UInt8(index + 1), count: piece.length)
            a.memory.write(bytes, at: piece.offset)
            sent += bytes
        }
        try b.post(receives: [
            ReceiveWorkRequest(id: 10, scatterGatherList: [
                b.memory.scatterGatherElement(offset: 0, length: 1500), b.memory.scatterGatherElement(offset: 4096, length: 4096),
            ]),
            ReceiveWorkRequest(id: 11, scatterGatherList: [b.memory.scatterGatherElement(offset: 16384, length: 4096)]),
            ReceiveWorkRequest(id: 12, scatterGatherList: [b.memory.scatterGatherElement(offset: 32768, length: 64)]),
        ])
        try a.post([.send(id: 1, pieces.map { a.memory.scatterGatherElement(offset: $0.offset, length: $0.length) })])
        #expect(bed.run { b.recorder.completions.count >= 1 && a.recorder.completions.count >= 1 })
        let receive = try #require(b.recorder.completions.first)
        #expect(receive.status == .success && receive.opcode == .receive && receive.workRequestID == 10)
        #expect(receive.byteCount == UInt32(sent.count) && receive.immediateData == nil)
        #expect(b.memory.read(offset: 0, count: 1500) + b.memory.read(offset: 4096, count: sent.count - 1500) == sent)
        #expect(a.recorder.completions.first?.opcode == .send && a.recorder.completions.first?.status == .success)

        // SEND with immediate.
        a.memory.write(RealVerbsTestBed.pattern(9, count: 512), at: 40000)
        try a.post([.send(id: 2, [a.memory.scatterGatherElement(offset: 40000, length: 512)], immediateData: 0xfeed_f00d)])
        #expect(bed.run { b.recorder.completions.count >= 2 && a.recorder.completions.count >= 2 })
        #expect(b.recorder.completions[1].immediateData == 0xfeed_f00d && b.recorder.completions[1].workRequestID == 11)
        #expect(b.memory.read(offset: 16384, count: 512) == RealVerbsTestBed.pattern(9, count: 512))

        // RDMA WRITE of 64 KiB: no completion at B; the bytes are there when A's completes.
        let written = RealVerbsTestBed.pattern(42, count: 65536)
        a.memory.write(written, at: 65536)
        try a.post([.rdmaWrite(id: 3, [a.memory.scatterGatherElement(offset: 65536, length: 65536)],
                               to: b.memory.remoteMemory(offset: 131072))])
        #expect(bed.run { a.recorder.completions.count >= 3 })
        #expect(a.recorder.completions[2].opcode == .rdmaWrite && a.recorder.completions[2].status == .success)
        #expect(b.memory.read(offset: 131072, count: 65536) == written)
        #expect(b.recorder.completions.count == 2)

        // RDMA WRITE with immediate: B's receive 12 completes with the immediate; the data went where A wrote.
        let tagged = RealVerbsTestBed.pattern(77, count: 8192)
        a.memory.write(tagged, at: 0)
        try a.post([.rdmaWrite(id: 4, [a.memory.scatterGatherElement(offset: 0, length: 8192)],
                               to: b.memory.remoteMemory(offset: 200_000), immediateData: 0x1234_5678)])
        #expect(bed.run { b.recorder.completions.count >= 3 && a.recorder.completions.count >= 4 })
        let immediate = b.recorder.completions[2]
        #expect(immediate.opcode == .receiveRDMAWithImmediate && immediate.immediateData == 0x1234_5678)
        #expect(immediate.workRequestID == 12)
        #expect(b.memory.read(offset: 200_000, count: 8192) == tagged)

        // RDMA READ of 100 000 bytes of B into A.
        let remote = RealVerbsTestBed.pattern(5, count: 100_000)
        b.memory.write(remote, at: 100)
        try a.post([.rdmaRead(id: 5, into: [a.memory.scatterGatherElement(offset: 150_000, length: 100_000)],
                              from: b.memory.remoteMemory(offset: 100))])
        #expect(bed.run { a.recorder.completions.count >= 5 })
        #expect(a.recorder.completions[4].opcode == .rdmaRead && a.recorder.completions[4].status == .success)
        #expect(a.recorder.completions[4].byteCount == 100_000)
        #expect(a.memory.read(offset: 150_000, count: 100_000) == remote)

        #expect(a.recorder.completions.map(\.workRequestID) == [1, 2, 3, 4, 5])
        #expect(!a.recorder.notifiedDuringPost && !b.recorder.notifiedDuringPost)
        #expect(a.recorder.notifications >= 1 && b.recorder.notifications >= 1)
        print("RealVerbs RC loopback: \(a.recorder.completions.count) send and \(b.recorder.completions.count) receive completions, \(a.recorder.notifications)+\(b.recorder.notifications) notifications through the loop")
    }

    @Test("a bad rkey fails the WRITE with remoteAccessError and the QP goes to ERR; receives flushed after ERR")
    func errors() throws {
        guard let bed = try RealVerbsTestBed.open("RealVerbs errors") else { return }
        defer { bed.context.close() }
        let domain = try bed.context.allocateProtectionDomain()
        let a = try RealVerbsEnd(domain: domain, context: bed.context, type: .reliableConnected, length: 65536, token: 1)
        let b = try RealVerbsEnd(domain: domain, context: bed.context, type: .reliableConnected, length: 65536, token: 2)
        try bed.connect(a, to: b)
        try bed.connect(b, to: a)
        let bad = RemoteMemory(address: b.memory.address, rkey: b.memory.rkey ^ 0x00ff_ff00)
        try a.post([.rdmaWrite(id: 1, [a.memory.scatterGatherElement(offset: 0, length: 4096)], to: bad)])
        #expect(bed.run { a.recorder.completions.count >= 1 })
        let failed = try #require(a.recorder.completions.first)
        print("RealVerbs errors: a bad rkey gives '\(failed.status)' (vendor error 0x\(String(failed.vendorError, radix: 16)))")
        #expect(failed.status == .remoteAccessError)
        #expect(failed.workRequestID == 1 && failed.queuePairNumber == a.qp.queuePairNumber)
        #expect(a.qp.state == .error)

        // B: receives posted, then ERR: each completes flushed, in posting order.
        try b.post(receives: (0..<3).map { ReceiveWorkRequest(id: UInt64(20 + $0), scatterGatherList: [b.memory.scatterGatherElement(offset: $0 * 1024, length: 1024)]) })
        try b.qp.modify(.error)
        #expect(bed.run { b.recorder.completions.count >= 3 })
        #expect(b.recorder.completions.map(\.status) == [.workRequestFlushed, .workRequestFlushed, .workRequestFlushed])
        #expect(b.recorder.completions.map(\.workRequestID) == [20, 21, 22])
        #expect(b.qp.state == .error)

        // The state table is checked before the device is asked.
        let fresh = try RealVerbsEnd(domain: domain, context: bed.context, type: .reliableConnected, length: 4096, token: 3)
        #expect(throws: VerbsError.invalidQueuePairTransition(from: .reset, to: .readyToSend)) {
            try fresh.qp.modify(.readyToSend(sendPSN: 0))
        }
        #expect(throws: VerbsError.invalidQueuePairAttributes(from: .reset, to: .initialized, missing: [.accessFlags], unexpected: [])) {
            try fresh.qp.modify(QueuePairAttributes(state: .initialized, pkeyIndex: 0, port: bed.port))
        }
        // Posting a send in RESET is refused before the device sees it.
        #expect(throws: VerbsPostError(.invalidState(.reset), failedIndex: 0)) {
            try fresh.qp.postSend(.send(id: 1, [fresh.memory.scatterGatherElement(offset: 0, length: 16)]))
        }
    }

    @Test("UD: a SEND through an address handle to the port's own GID arrives after the 40-byte GRH slot")
    func unreliableDatagram() throws {
        guard let bed = try RealVerbsTestBed.open("RealVerbs UD") else { return }
        defer { bed.context.close() }
        let domain = try bed.context.allocateProtectionDomain()
        let qkey: UInt32 = 0x1ee7
        let a = try RealVerbsEnd(domain: domain, context: bed.context, type: .unreliableDatagram, length: 16384, token: 1)
        let b = try RealVerbsEnd(domain: domain, context: bed.context, type: .unreliableDatagram, length: 16384, token: 2)
        for end in [a, b] {
            try end.qp.modify(.initializeDatagram(port: bed.port, qkey: qkey))
            try end.qp.modify(.readyToReceiveDatagram)
            try end.qp.modify(.readyToSendDatagram())
        }
        let handle = try domain.createAddressHandle(bed.loopbackPath)
        let payload = RealVerbsTestBed.pattern(3, count: 700)
        a.memory.write(payload, at: 0)
        try b.post(receives: [ReceiveWorkRequest(id: 7, scatterGatherList: [b.memory.scatterGatherElement(offset: 0, length: 40 + 1024)])])
        let destination = DatagramDestination(addressHandle: handle, remoteQueuePairNumber: b.qp.queuePairNumber, remoteQKey: qkey)
        try a.post([.send(id: 1, [a.memory.scatterGatherElement(offset: 0, length: 700)], to: destination, immediateData: 99)])
        #expect(bed.run { b.recorder.completions.count >= 1 && a.recorder.completions.count >= 1 })
        let received = try #require(b.recorder.completions.first)
        #expect(received.status == .success && received.opcode == .receive)
        #expect(received.byteCount == 40 + 700)
        #expect(received.immediateData == 99)
        #expect(received.sourceQueuePairNumber == a.qp.queuePairNumber)
        if bed.portAttributes.linkLayer == .ethernet { #expect(received.hasGlobalRouteHeader) }
        #expect(b.memory.read(offset: 40, count: 700) == payload)
        #expect(!a.recorder.notifiedDuringPost && !b.recorder.notifiedDuringPost)
        try domain.destroyAddressHandle(handle)
        #expect(throws: VerbsError.self) { try domain.destroyAddressHandle(handle) }
        print("RealVerbs UD: 700 bytes from QP \(a.qp.queuePairNumber) to QP \(b.qp.queuePairNumber), GRH \(received.hasGlobalRouteHeader)")
    }

    @Test("registerMemory takes process memory only; teardown in order; deallocate is busy while objects exist")
    func registrationAndTeardown() throws {
        guard let bed = try RealVerbsTestBed.open("RealVerbs registration") else { return }
        defer { bed.context.close() }
        let domain = try bed.context.allocateProtectionDomain()
        let nvram = AlignedMemory(name: "nvram", length: 8192)
        nvram.write([1, 2, 3], at: 100)
        let region = try domain.registerMemory(nvram, access: .remoteReadWrite)
        #expect(region.read(offset: 100, count: 3) == [1, 2, 3])
        region.write([9], at: 101)
        #expect(nvram.read(offset: 100, count: 3) == [1, 9, 3])
        #expect(region.length == 8192 && region.lkey != 0)
        #expect(throws: VerbsError.self) { try domain.registerMemory(nvram, access: [.remoteWrite]) }
        #expect(throws: VerbsError.self) { try domain.deallocate() }
        try region.deregister()
        try domain.deallocate()
    }
}
