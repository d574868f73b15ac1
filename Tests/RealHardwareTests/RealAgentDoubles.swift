import Agents
import Hardware
import RealHardware

/// A minimal copy of the agents tests' fake device driver (Tests/AgentsTests/RTAFakeDriverTests):
/// every operation completes after `serviceTime` on the runtime's loop; reads return what was
/// written, else a pattern of the LBA. Logs every operation, so a test can check nothing ran twice.
final class RealTestDriver: DeviceDriver, TimerHandler {
    let name: String
    let format = "scsi"
    weak var delegate: (any DeviceDriverDelegate)?
    let runtime: any NodeRuntime
    let identity: DeviceIdentity
    let serviceTime: TimeSpan
    private(set) var blocks: [UInt64: [UInt8]] = [:]
    private(set) var log: [(operation: String, lba: UInt64, blocks: UInt32)] = []
    private var pending: [UInt64: (tag: UInt64, result: DeviceResult)] = [:]
    private var nextToken: UInt64 = 0

    /// Assumption: 2 ms per operation, a fast disk's order of magnitude; only the order of events
    /// and a lower bound on the elapsed time are checked.
    init(name: String, runtime: any NodeRuntime, blockLength: UInt32 = 512, blockCount: UInt64 = 1 << 20,
         serviceTime: TimeSpan = .milliseconds(2)) {
        self.name = name
        self.runtime = runtime
        identity = DeviceIdentity(vendor: "FAKE", product: name, serialNumber: "SN-" + name, worldWideName: 0x5000_0000_0000_0001,
                                  blockLength: blockLength, blockCount: blockCount)
        self.serviceTime = serviceTime
    }

    /// What a never-written block holds.
    static func pattern(lba: UInt64, blockLength: Int) -> [UInt8] {
        (0..<blockLength).map { UInt8(truncatingIfNeeded: lba &* 131 &+ UInt64($0)) }
    }

    private func complete(_ tag: UInt64, _ result: DeviceResult) {
        var result = result
        result.duration = serviceTime
        nextToken += 1
        pending[nextToken] = (tag, result)
        runtime.scheduleTimer(after: serviceTime, handler: self, token: nextToken)
    }

    func timerFired(_ token: UInt64) {
        guard let (tag, result) = pending.removeValue(forKey: token) else { return }
        delegate?.deviceCompleted(self, tag: tag, result: result)
    }

    func identify(tag: UInt64) {
        log.append(("identify", 0, 0))
        complete(tag, DeviceResult(status: .good, identity: identity))
    }

    func read(lba: UInt64, blocks count: UInt32, tag: UInt64) {
        log.append(("read", lba, count))
        let length = Int(identity.blockLength)
        var data: [UInt8] = []
        for block in lba..<(lba + UInt64(count)) {
            data += blocks[block] ?? Self.pattern(lba: block, blockLength: length)
        }
        complete(tag, DeviceResult(status: .good, data: data))
    }

    func write(lba: UInt64, data: [UInt8], forceUnitAccess: Bool, tag: UInt64) {
        let length = Int(identity.blockLength)
        let count = UInt32(data.count / length)
        log.append(("write", lba, count))
        for index in 0..<Int(count) {
            blocks[lba + UInt64(index)] = Array(data[(index * length)..<((index + 1) * length)])
        }
        complete(tag, DeviceResult(status: .good))
    }

    func flush(tag: UInt64) {
        log.append(("flush", 0, 0))
        complete(tag, DeviceResult(status: .good))
    }

    func reserve(_ request: ReservationRequest, tag: UInt64) {
        log.append(("reserve", 0, 0))
        complete(tag, DeviceResult(status: .good, reservation: ReservationResult(generation: 1, keys: [])))
    }
}

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
