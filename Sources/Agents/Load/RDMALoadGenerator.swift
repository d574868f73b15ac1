import Hardware

/// The active end of an RDMA load (perftest's client): at ``RDMALoad/start`` it connects to its
/// ``RDMALoadResponder`` (the exchange perftest does over TCP is a direct call here), then keeps
/// ``RDMALoad/queueDepth`` RDMA WRITEs, RDMA READs or SENDs of ``RDMALoad/blockSize`` bytes
/// outstanding (or posts them at ``RDMALoad/rate``) until ``RDMALoad/stop``.
///
/// It reports like a ``DiskLoadGenerator`` (every transfer to a ``DiskLoadObserver``, totals in
/// ``DiskLoadTotals``: READs count as reads, WRITEs and SENDs as writes), so scenario reports
/// treat both alike. With ``RDMALoad/verify`` every READ is checked against the responder's
/// pattern here and every WRITE and SEND at the responder; mismatches are integrity violations.
public final class RDMALoadGenerator: CompletionQueueObserver, TimerHandler {
    public let name: String
    private let runtime: any NodeRuntime
    private let context: any VerbsDeviceContext
    private let port: UInt8
    private let load: RDMALoad
    private let peer: RDMALoadResponder
    private weak var observer: (any DiskLoadObserver)?
    private var connection: RDMALoadConnection?
    private var remote = RemoteMemory(address: 0, rkey: 0)
    private var completions: [WorkCompletion] = []
    /// Post times of the outstanding transfers, by slot.
    private var submitted: [Instant]
    private var freeSlots: [Int]
    private var posted: UInt64 = 0
    private var setupAttempts = 0
    private var issueArmed = false
    private var nextIssue: Instant = .zero
    private var own = DiskLoadTotals()
    /// Why the load stopped early (the connection failed, the port never came up), if it did.
    public private(set) var problem: String?

    /// Tries to connect every millisecond until the ports are up, for at most this many tries.
    /// Assumption: a subnet manager configures a port within milliseconds (the simulated one in
    /// microseconds); a port still down after 100 ms is a fault to report, not to wait out.
    static let setupTries = 100
    private static let setupToken: UInt64 = 0
    private static let issueToken: UInt64 = 1

    public init(name: String, runtime: any NodeRuntime, context: any VerbsDeviceContext, port: UInt8 = 1, load: RDMALoad,
                peer: RDMALoadResponder, observer: (any DiskLoadObserver)?) {
        self.name = name
        self.runtime = runtime
        self.context = context
        self.port = port
        self.load = load
        self.peer = peer
        self.observer = observer
        submitted = Array(repeating: .zero, count: load.queueDepth)
        freeSlots = Array((0..<load.queueDepth).reversed())
    }

    /// The totals so far, with the responder's checks of what it received.
    public var totals: DiskLoadTotals {
        var totals = own
        totals.integrityViolations += peer.integrityViolations
        return totals
    }

    public func start() {
        runtime.scheduleTimer(after: max(.zero, load.start - runtime.now), handler: self, token: Self.setupToken)
    }

    public func timerFired(_ token: UInt64) {
        if token == Self.setupToken { setUp() } else {
            issueArmed = false
            issue()
        }
    }

    private func setUp() {
        setupAttempts += 1
        do {
            if connection == nil {
                connection = try RDMALoadConnection(
                    context: context, port: port, slots: load.queueDepth, slotSize: load.blockSize, receives: 0, observer: self)
            }
            let theirs = try peer.prepare()
            try peer.connect(to: connection!.endpoint)
            try connection!.connect(to: theirs)
            remote = theirs.memory
            nextIssue = runtime.now
            issue()
        } catch {
            guard setupAttempts < Self.setupTries else {
                problem = "could not connect to \(peer.name): \(error)"
                return
            }
            runtime.scheduleTimer(after: .milliseconds(1), handler: self, token: Self.setupToken)
        }
    }

    /// Posts while the queue has room (closed loop) or the rate allows.
    private func issue() {
        guard let connection, problem == nil else { return }
        while let slot = freeSlots.last, runtime.now < load.stop {
            if load.rate != nil || load.thinkTime > .zero, runtime.now < nextIssue {
                if !issueArmed {
                    issueArmed = true
                    runtime.scheduleTimer(after: nextIssue - runtime.now, handler: self, token: Self.issueToken)
                }
                return
            }
            posted += 1
            let remoteSlot = Int(posted % UInt64(peer.slots))
            let target = RemoteMemory(address: remote.address + UInt64(remoteSlot * load.blockSize), rkey: remote.rkey)
            let element = connection.element(slot: slot)
            let request: SendWorkRequest
            switch load.operation {
            case .read:
                request = .rdmaRead(id: UInt64(slot) | UInt64(remoteSlot) << 32, into: [element], from: target)
            case .write, .send:
                connection.memory.write(RDMALoad.block(stamp: posted, size: load.blockSize), at: slot * load.blockSize)
                request = load.operation == .send
                    ? .send(id: UInt64(slot), [element])
                    : .rdmaWrite(id: UInt64(slot), [element], to: target, immediateData: load.verify ? UInt32(remoteSlot) : nil)
            }
            do {
                try connection.qp.postSend(request)
            } catch {
                own.refused += 1
                problem = "\(name): post refused: \(error)"
                return
            }
            freeSlots.removeLast()
            submitted[slot] = runtime.now
            if let rate = load.rate { nextIssue = nextIssue + TimeSpan(seconds: 1 / rate) }
        }
    }

    public func completionQueueNotified(_ queue: any CompletionQueue, token: UInt64) {
        guard let connection else { return }
        connection.drain(into: &completions)
        let now = runtime.now
        for completion in completions {
            let slot = Int(completion.workRequestID & 0xFFFF_FFFF)
            let isRead = load.operation == .read
            var outcome = DiskIORecord.Outcome.success
            if completion.status != .success {
                outcome = .error
                own.errors += 1
                problem = problem ?? "\(name): \(completion.status) on the connection to \(peer.name)"
            } else if isRead {
                own.reads += 1
                own.bytesRead += Int64(load.blockSize)
                if load.verify {
                    let remoteSlot = Int(completion.workRequestID >> 32)
                    let bytes = connection.memory.read(offset: slot * load.blockSize, count: load.blockSize)
                    if !RDMALoad.isIntact(bytes) || RDMALoad.stamp(of: bytes) != RDMALoadResponder.readStamp(remoteSlot) {
                        own.integrityViolations += 1
                    }
                }
            } else {
                own.writes += 1
                own.bytesWritten += Int64(load.blockSize)
            }
            observer?.diskIOCompleted(DiskIORecord(
                device: 0, isRead: isRead, bytes: load.blockSize, submitted: submitted[slot], latency: now - submitted[slot],
                outcome: outcome))
            freeSlots.append(slot)
        }
        if load.thinkTime > .zero, load.rate == nil { nextIssue = now + load.thinkTime }
        issue()
    }
}
