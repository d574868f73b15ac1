import AgentTestDoubles
import Agents
import Hardware
import SimCore
import SimHardware
import Testing

/// A test double of the host side (UMA and CTA) for the RTA's tests: a residual message store on
/// the host's bus endpoint and a buffer window in host memory. It places a write's data in the
/// buffers itself (the real CTA RDMA-reads it from the client), checks a read's data there, and
/// records every request's outcome. It can send a request again later (as a CTA retrying would)
/// and hold `transferDone` / `dataPlaced` back.
final class RTAFakeCTA: ResidualMessageStoreDelegate, TimerHandler {
    let simulator: Simulator
    let runtime: SimNodeRuntime
    let channel: RTAFakeChannel
    let store: ResidualMessageStore
    let memory: SimMemory
    let window: BusWindow
    var rta: BusEndpoint
    var random: RandomStream
    /// Chance (per million) that a request is sent a second time, 0–2 ms later.
    var resendPerMillion: UInt64 = 0
    var holdTransferDone = false
    var holdDataPlaced = false
    var blockLength = 512

    private(set) var resources: [DeviceProfile]?
    private(set) var requests: [UInt64: RTARequest] = [:]
    private(set) var outcomes: [UInt64: IOStatus] = [:]
    private(set) var times: [UInt64: RTATimes] = [:]
    private(set) var answeredAt: [UInt64: Instant] = [:]
    /// Final messages for requests that already had their outcome (answers to resent requests).
    private(set) var lateFinals = 0
    private(set) var resendsSent = 0
    private(set) var readMismatches = 0
    private(set) var heldTransfers: [UInt64] = []
    private(set) var heldPlacements: [UInt64] = []
    private(set) var segmentsSeen: [UInt64: [BusSegment]] = [:]
    private(set) var unreachable = 0
    /// `reservationDone` answers by transaction, with when they arrived.
    private(set) var reservationAnswers: [UInt64: (status: IOStatus, result: ReservationResult, at: Instant)] = [:]

    init(simulator: Simulator, bus: RTAFakeBus, rta: BusEndpoint, windowLength: Int, seed: UInt64) {
        self.simulator = simulator
        runtime = SimNodeRuntime(nodeName: "host", simulator: simulator)
        channel = bus.makeChannel()
        store = ResidualMessageStore(name: "cta", channel: channel, runtime: runtime)
        memory = SimMemory(name: "host-buffers", length: windowLength)
        window = try! channel.exposeWindow(memory, offset: 0, length: windowLength, access: .readWrite)
        self.rta = rta
        random = RandomStream(seed: seed, name: "fake-cta")
        store.delegate = self
    }

    func send(_ message: AgentMessage) { store.send(message.encoded(), to: rta) }

    func attach(segmentSize: UInt32) {
        send(.attach(buffers: BusSegment(address: window.address, length: UInt32(window.length)), segmentSize: segmentSize))
    }

    /// What a write of `transaction` carries.
    func payload(_ transaction: UInt64, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: transaction &* 7 &+ UInt64($0) / 3) }
    }

    func request(_ request: RTARequest) {
        requests[request.transaction] = request
        send(.ioRequest(request))
        if resendPerMillion > 0, random.chance(resendPerMillion, outOf: 1_000_000) {
            runtime.scheduleTimer(after: .microseconds(Int64(random.below(2_000))), handler: self, token: request.transaction)
        }
    }

    func timerFired(_ token: UInt64) {
        guard let request = requests[token] else { return }
        resendsSent += 1
        send(.ioRequest(request))
    }

    func releaseHeld() {
        for transaction in heldTransfers { send(.transferDone(transaction: transaction)) }
        heldTransfers = []
        for transaction in heldPlacements { place(transaction) }
        heldPlacements = []
    }

    private func offset(of segment: BusSegment) -> Int { Int(segment.address.rawValue - window.address.rawValue) }

    private func place(_ transaction: UInt64) {
        guard let request = requests[transaction], let segments = segmentsSeen[transaction] else { return }
        var data = payload(transaction, bytes: Int(request.blocks) * blockLength)
        for segment in segments {
            memory.write(data.prefix(Int(segment.length)), at: offset(of: segment))
            data.removeFirst(Int(segment.length))
        }
        send(.dataPlaced(transaction: transaction))
    }

    private func record(_ transaction: UInt64, _ status: IOStatus, _ rtaTimes: RTATimes) {
        if outcomes[transaction] != nil {
            lateFinals += 1
            return
        }
        outcomes[transaction] = status
        times[transaction] = rtaTimes
        answeredAt[transaction] = runtime.now
    }

    func residualStore(_ store: ResidualMessageStore, received payload: [UInt8], from peer: BusEndpoint) {
        guard let message = try? AgentMessage(decoding: payload) else { return }
        switch message {
        case .resources(_, let devices):
            resources = devices
        case .buffersReady(let transaction, let segments):
            segmentsSeen[transaction] = segments
            if holdDataPlaced { heldPlacements.append(transaction) } else { place(transaction) }
        case .dataReady(let transaction, let segments, let rtaTimes):
            segmentsSeen[transaction] = segments
            if let request = requests[transaction] {
                var data: [UInt8] = []
                for segment in segments { data += memory.read(offset: offset(of: segment), count: Int(segment.length)) }
                var expected: [UInt8] = []
                for block in request.lba..<(request.lba + UInt64(request.blocks)) {
                    expected += RTAFakeDriver.pattern(lba: block, blockLength: blockLength)
                }
                if data != expected { readMismatches += 1 }
            }
            record(transaction, .good, rtaTimes)
            if holdTransferDone { heldTransfers.append(transaction) } else { send(.transferDone(transaction: transaction)) }
        case .ioComplete(let transaction, let status, let rtaTimes):
            record(transaction, status, rtaTimes)
        case .reservationDone(let transaction, let status, let result):
            if reservationAnswers[transaction] != nil { lateFinals += 1 }
            reservationAnswers[transaction] = (status, result, runtime.now)
        default:
            break
        }
    }

    func residualStore(_ store: ResidualMessageStore, peerUnreachable peer: BusEndpoint) { unreachable += 1 }
}
