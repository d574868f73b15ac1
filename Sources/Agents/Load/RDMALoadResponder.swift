import Hardware

/// The passive end of an RDMA load (perftest's server): exposes `2 × queueDepth` slots, filled
/// with a known pattern for READs; for SENDs and verified WRITEs (with immediate) keeps
/// receives posted and checks every block that arrives.
public final class RDMALoadResponder: CompletionQueueObserver {
    public let name: String
    let load: RDMALoad
    private let context: any VerbsDeviceContext
    private let port: UInt8
    private var connection: RDMALoadConnection?
    private var completions: [WorkCompletion] = []
    /// Blocks received whose content was not what the generator stamped.
    public private(set) var integrityViolations = 0
    /// Blocks received (SENDs, and WRITEs with immediate).
    public private(set) var blocksReceived = 0
    /// Slots exposed: twice the queue depth, so the generator reuses a slot only long after
    /// the responder has checked what it wrote there.
    var slots: Int { 2 * load.queueDepth }
    private var receives: Int { load.operation == .send || (load.operation == .write && load.verify) ? slots : 0 }

    public init(name: String, context: any VerbsDeviceContext, port: UInt8 = 1, load: RDMALoad) {
        self.name = name
        self.context = context
        self.port = port
        self.load = load
    }

    /// Creates the QP and memory (perftest's server side before the exchange).
    func prepare() throws(TransportError) -> RDMALoadEndpoint {
        let connection = try RDMALoadConnection(
            context: context, port: port, slots: slots, slotSize: load.blockSize, receives: receives, observer: self)
        self.connection = connection
        for slot in 0..<slots { connection.memory.write(RDMALoad.block(stamp: Self.readStamp(slot), size: load.blockSize), at: slot * load.blockSize) }
        for slot in 0..<receives { try? connection.qp.postReceive(ReceiveWorkRequest(id: UInt64(slot), scatterGatherList: [connection.element(slot: slot)])) }
        return connection.endpoint
    }

    func connect(to peer: RDMALoadEndpoint) throws(TransportError) { try connection?.connect(to: peer) }

    /// The stamp of the pattern a READ of `slot` must return.
    static func readStamp(_ slot: Int) -> UInt64 { 0x5EED_0000_0000_0000 | UInt64(slot) }

    public func completionQueueNotified(_ queue: any CompletionQueue, token: UInt64) {
        guard let connection else { return }
        connection.drain(into: &completions)
        for completion in completions where completion.status == .success {
            guard completion.opcode == .receive || completion.opcode == .receiveRDMAWithImmediate else { continue }
            // A SEND lands in the receive's own slot; a WRITE with immediate in the slot its immediate names.
            let slot = completion.opcode == .receive ? Int(completion.workRequestID) : Int(completion.immediateData ?? 0) % slots
            let bytes = connection.memory.read(offset: slot * load.blockSize, count: load.blockSize)
            blocksReceived += 1
            if !RDMALoad.isIntact(bytes) { integrityViolations += 1 }
            try? connection.qp.postReceive(ReceiveWorkRequest(
                id: completion.workRequestID, scatterGatherList: [connection.element(slot: Int(completion.workRequestID))]))
        }
    }
}
