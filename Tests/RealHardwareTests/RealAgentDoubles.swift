import AgentTestDoubles
import Agents
import Hardware
import RealHardware
import Timebase

/// The host side (the CTA's part) for an RTA on the in-process bus: a residual message store on
/// the host's endpoint and a buffer window in host memory. It places a write's data in the
/// buffers the RTA names (the real CTA RDMA-reads it from the client), collects a read's data
/// from them, and records every outcome.
final class RealTestHost: ResidualMessageStoreDelegate {
    let runtime: any NodeRuntime
    let store: ResidualMessageStore
    let memory: AlignedMemory
    let window: BusWindow
    let rta: BusEndpoint
    private(set) var resources: [DeviceProfile]?
    private(set) var writes: [UInt64: [UInt8]] = [:]
    private(set) var outcomes: [UInt64: IOStatus] = [:]
    private(set) var times: [UInt64: RTATimes] = [:]
    private(set) var readData: [UInt64: [UInt8]] = [:]
    private(set) var duplicates = 0
    private(set) var unreachable = 0

    init(channel: any BusChannel, runtime: any NodeRuntime, rta: BusEndpoint, windowLength: Int) throws {
        self.runtime = runtime
        self.rta = rta
        store = ResidualMessageStore(name: "cta", channel: channel, runtime: runtime)
        memory = AlignedMemory(name: "host.buffers", length: windowLength)
        window = try channel.exposeWindow(memory, offset: 0, length: windowLength, access: .readWrite)
        store.delegate = self
    }

    func send(_ message: AgentMessage) { store.send(message.encoded(), to: rta) }

    /// Sends a write of `data` (whole blocks) as transaction `transaction`.
    func write(_ transaction: UInt64, connection: ConnectionID, lba: UInt64, data: [UInt8], blockLength: Int) {
        writes[transaction] = data
        send(.ioRequest(RTARequest(transaction: transaction, connection: connection, device: 0, operation: .write, lba: lba,
                                   blocks: UInt32(data.count / blockLength))))
    }

    private func offset(of segment: BusSegment) -> Int { Int(segment.address.rawValue - window.address.rawValue) }

    private func record(_ transaction: UInt64, _ status: IOStatus, _ rtaTimes: RTATimes) {
        guard outcomes[transaction] == nil else {
            duplicates += 1
            return
        }
        outcomes[transaction] = status
        times[transaction] = rtaTimes
    }

    func residualStore(_ store: ResidualMessageStore, received payload: [UInt8], from peer: BusEndpoint) {
        guard let message = try? AgentMessage(decoding: payload) else { return }
        switch message {
        case .resources(_, let devices):
            resources = devices
        case .buffersReady(let transaction, let segments):
            var data = writes[transaction] ?? []
            for segment in segments {
                memory.write(data.prefix(Int(segment.length)), at: offset(of: segment))
                data.removeFirst(min(Int(segment.length), data.count))
            }
            send(.dataPlaced(transaction: transaction))
        case .dataReady(let transaction, let segments, let rtaTimes):
            readData[transaction] = segments.flatMap { memory.read(offset: offset(of: $0), count: Int($0.length)) }
            record(transaction, .good, rtaTimes)
            send(.transferDone(transaction: transaction))
        case .ioComplete(let transaction, let status, let rtaTimes):
            record(transaction, status, rtaTimes)
        default:
            break
        }
    }

    func residualStore(_ store: ResidualMessageStore, peerUnreachable peer: BusEndpoint) { unreachable += 1 }
}

/// An RTA with one fake device driver on an ``InProcessBus`` endpoint and a ``RealTestHost`` on
/// another, both on one ``RealNodeRuntime``: attached, discovered, and `connection` added to
/// device 0 (run until the host has the resources).
struct RealRTATestbed {
    let runtime: RealNodeRuntime
    let bus: InProcessBus
    let hostChannel: InProcessBusChannel
    let rtaChannel: InProcessBusChannel
    let driver: RTAFakeDriver
    let rta: RemoteTransportAgent
    let host: RealTestHost
    let deadline: Instant

    init(serviceTime: TimeSpan, windowLength: Int, connection: ConnectionID) throws {
        runtime = try RealNodeRuntime(nodeName: "host0", seed: 8)
        bus = InProcessBus(name: "host0.bus")
        hostChannel = bus.attach(endpoint: "host", runtime: runtime)
        rtaChannel = bus.attach(endpoint: "sn1", runtime: runtime)
        driver = RTAFakeDriver(name: "d0", runtime: runtime, serviceTime: serviceTime)
        rta = RemoteTransportAgent(name: "rta1", runtime: runtime, channel: rtaChannel, drivers: [driver])
        rta.start()
        host = try RealTestHost(channel: hostChannel, runtime: runtime, rta: rtaChannel.localEndpoint, windowLength: windowLength)
        deadline = runtime.now + runtimeTestDeadline
        host.send(.attach(buffers: BusSegment(address: host.window.address, length: UInt32(host.window.length)),
                          segmentSize: 4096))
        host.send(.discover(generation: 1))
        host.send(.connectionAdd(connection, devices: [0]))
        let host = host
        runtime.run(until: { host.resources != nil }, deadline: deadline)
    }
}
