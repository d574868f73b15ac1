import Agents
import Hardware
import SimCore
import SimHardware
import Testing

/// A test double of the node bus: endpoints' ``RTAFakeChannel``s on one simulator. Each
/// endpoint's operations are served one after the other (`latency` + bytes at `bytesPerSecond`),
/// so they complete in the order issued (PCI ordering); a seeded stream fails a fraction of them
/// with a parity error (nothing delivered, nothing written).
final class RTAFakeBus: TimerHandler {
    struct Operation {
        var source: Int
        var kind: BusOperation
        var destination: BusEndpoint
        var address: BusAddress
        var bytes: [UInt8]
        var count: Int
        var tag: UInt64
        var handler: any BusCompletionHandler
    }

    let runtime: SimNodeRuntime
    var random: RandomStream
    /// Bus operations failed with a parity error, per million.
    var failuresPerMillion: UInt64
    /// Every DMA fails with a parity error (messages still pass).
    var failDMA = false
    let latency: TimeSpan
    let bytesPerSecond: Int64
    private(set) var channels: [RTAFakeChannel] = []
    private var windows: [(window: BusWindow, memory: any MemoryBuffer, memoryOffset: Int)] = []
    private var nextAddress: UInt64 = 0x8000_0000
    private var operations: [Operation?] = []
    private var freeSlots: [Int] = []
    private var busyUntil: [Instant] = []
    private(set) var failuresInjected = 0
    private(set) var operationsCompleted = 0

    /// A test double, not a model: 1 µs per operation plus 1 GB/s (about twice 64-bit/66 MHz
    /// PCI's 512 MB/s, REFERENCE.md C.1).
    init(simulator: Simulator, seed: UInt64, failuresPerMillion: UInt64 = 0, latency: TimeSpan = .microseconds(1),
         bytesPerSecond: Int64 = 1_000_000_000, name: String = "bus") {
        runtime = SimNodeRuntime(nodeName: name, simulator: simulator)
        random = RandomStream(seed: seed, name: "fake-bus")
        self.failuresPerMillion = failuresPerMillion
        self.latency = latency
        self.bytesPerSecond = bytesPerSecond
    }

    /// A new endpoint (numbered from 1) with at most `maxOutstanding` operations in progress.
    func makeChannel(maxOutstanding: Int = 256, maxMessageSize: Int = 65_536, maxTransferSize: Int = 4096) -> RTAFakeChannel {
        let channel = RTAFakeChannel(bus: self, index: channels.count, endpoint: BusEndpoint(rawValue: UInt16(channels.count + 1)),
                                     maxOutstanding: maxOutstanding, maxMessageSize: maxMessageSize,
                                     maxTransferSize: maxTransferSize)
        channels.append(channel)
        busyUntil.append(.zero)
        return channel
    }

    func issue(_ operation: Operation) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            operations[slot] = operation
        } else {
            slot = operations.count
            operations.append(operation)
        }
        let size = max(operation.bytes.count, operation.count)
        let start = max(runtime.now, busyUntil[operation.source])
        let done = start + latency + .transmission(bytes: size, bitsPerSecond: bytesPerSecond * 8)
        busyUntil[operation.source] = done
        runtime.scheduleTimer(after: done - runtime.now, handler: self, token: UInt64(slot))
    }

    func expose(_ memory: any MemoryBuffer, offset: Int, length: Int, access: BusWindowAccess) -> BusWindow {
        let window = BusWindow(id: UInt64(windows.count + 1), address: BusAddress(rawValue: nextAddress), length: length,
                               access: access)
        nextAddress += UInt64(length + 4096)
        windows.append((window, memory, offset))
        return window
    }

    func timerFired(_ token: UInt64) {
        let slot = Int(token)
        guard let operation = operations[slot] else { preconditionFailure("empty bus slot") }
        operations[slot] = nil
        freeSlots.append(slot)
        channels[operation.source].outstanding -= 1
        operationsCompleted += 1
        var completion = BusCompletion(tag: operation.tag, operation: operation.kind, status: .ok)
        if (failDMA && operation.kind != .send)
            || (failuresPerMillion > 0 && random.chance(failuresPerMillion, outOf: 1_000_000))
        {
            failuresInjected += 1
            completion.status = .parityError
            operation.handler.busOperationCompleted(completion)
            return
        }
        switch operation.kind {
        case .send:
            let target = Int(operation.destination.rawValue) - 1
            if target < 0 || target >= channels.count {
                completion.status = .masterAbort
            } else if let receiver = channels[target].receiver {
                receiver.busMessageReceived(operation.bytes, from: channels[operation.source].localEndpoint)
            } else {
                completion.status = .targetAbort
            }
        case .dmaWrite, .dmaRead:
            let count = operation.kind == .dmaWrite ? operation.bytes.count : operation.count
            let access: BusWindowAccess = operation.kind == .dmaWrite ? .write : .read
            guard let found = windows.first(where: { $0.window.contains(operation.address, count: count) }) else {
                completion.status = .masterAbort
                break
            }
            guard found.window.access.contains(access) else {
                completion.status = .targetAbort
                break
            }
            let offset = found.memoryOffset + Int(operation.address.rawValue - found.window.address.rawValue)
            if operation.kind == .dmaWrite {
                found.memory.write(operation.bytes, at: offset)
            } else {
                completion.data = found.memory.read(offset: offset, count: count)
            }
        }
        operation.handler.busOperationCompleted(completion)
    }
}

/// One endpoint of an ``RTAFakeBus``.
final class RTAFakeChannel: BusChannel {
    unowned let bus: RTAFakeBus
    let index: Int
    let localEndpoint: BusEndpoint
    let maxOutstanding: Int
    let maxMessageSize: Int
    let maxTransferSize: Int
    fileprivate(set) var receiver: (any BusMessageReceiver)?
    fileprivate(set) var outstanding = 0
    private(set) var refusedAsFull = 0

    init(bus: RTAFakeBus, index: Int, endpoint: BusEndpoint, maxOutstanding: Int, maxMessageSize: Int, maxTransferSize: Int) {
        self.bus = bus
        self.index = index
        localEndpoint = endpoint
        self.maxOutstanding = maxOutstanding
        self.maxMessageSize = maxMessageSize
        self.maxTransferSize = maxTransferSize
    }

    var peers: [BusEndpoint] { bus.channels.map(\.localEndpoint).filter { $0 != localEndpoint } }

    func setReceiver(_ receiver: (any BusMessageReceiver)?) { self.receiver = receiver }

    private func admit() throws(BusChannelError) {
        guard outstanding < maxOutstanding else {
            refusedAsFull += 1
            throw .queueFull
        }
        outstanding += 1
    }

    func send(_ message: [UInt8], to destination: BusEndpoint, tag: UInt64, handler: any BusCompletionHandler)
        throws(BusChannelError)
    {
        guard message.count <= maxMessageSize else { throw .messageTooLarge(message.count) }
        try admit()
        bus.issue(.init(source: index, kind: .send, destination: destination, address: BusAddress(rawValue: 0),
                        bytes: message, count: 0, tag: tag, handler: handler))
    }

    func dmaWrite(_ bytes: [UInt8], to address: BusAddress, tag: UInt64, handler: any BusCompletionHandler)
        throws(BusChannelError)
    {
        guard !bytes.isEmpty, bytes.count <= maxTransferSize else { throw .invalidTransferLength(bytes.count) }
        try admit()
        bus.issue(.init(source: index, kind: .dmaWrite, destination: localEndpoint, address: address, bytes: bytes, count: 0,
                        tag: tag, handler: handler))
    }

    func dmaRead(count: Int, from address: BusAddress, tag: UInt64, handler: any BusCompletionHandler)
        throws(BusChannelError)
    {
        guard count > 0, count <= maxTransferSize else { throw .invalidTransferLength(count) }
        try admit()
        bus.issue(.init(source: index, kind: .dmaRead, destination: localEndpoint, address: address, bytes: [], count: count,
                        tag: tag, handler: handler))
    }

    func exposeWindow(_ memory: any MemoryBuffer, offset: Int, length: Int, access: BusWindowAccess)
        throws(BusChannelError) -> BusWindow
    {
        guard length > 0, offset >= 0, offset + length <= memory.length else { throw .invalidWindow("outside memory") }
        return bus.expose(memory, offset: offset, length: length, access: access)
    }

    func removeWindow(_ window: BusWindow) throws(BusChannelError) {
        throw .invalidWindow("not supported by the fake bus")
    }
}

@Suite("RTA fake bus (test double)")
struct RTAFakeBusTests {
    @Test("operations of one endpoint complete in order; a message reaches the receiver before its completion")
    func ordering() throws {
        let simulator = Simulator(seed: 1)
        let bus = RTAFakeBus(simulator: simulator, seed: 1)
        let a = bus.makeChannel()
        let b = bus.makeChannel()
        let log = RTAFakeBusLog()
        b.setReceiver(log)
        try a.send([1, 2, 3], to: b.localEndpoint, tag: 1, handler: log)
        try a.send([4], to: b.localEndpoint, tag: 2, handler: log)
        try a.send([5], to: BusEndpoint(rawValue: 99), tag: 3, handler: log)
        simulator.run()
        #expect(log.messages == [[1, 2, 3], [4]])
        #expect(log.completions.map(\.tag) == [1, 2, 3])
        #expect(log.completions.map(\.status) == [.ok, .ok, .masterAbort])
    }
}

final class RTAFakeBusLog: BusMessageReceiver, BusCompletionHandler {
    var messages: [[UInt8]] = []
    var completions: [BusCompletion] = []
    func busMessageReceived(_ message: [UInt8], from source: BusEndpoint) { messages.append(message) }
    func busOperationCompleted(_ completion: BusCompletion) { completions.append(completion) }
}
