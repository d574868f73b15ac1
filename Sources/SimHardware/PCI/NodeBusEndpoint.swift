import Hardware

/// One operation an endpoint issued, from its issue to its completion.
struct NodeBusOperation {
    /// What the operation acts on once its transaction has completed on the bus.
    enum Target {
        /// Nothing: the outcome was decided at issue time.
        case none
        /// A message's destination (an endpoint index).
        case endpoint(Int)
        /// A DMA's bytes: `memory` from `offset`, in a window `owner` exposed.
        case memory(owner: Int, memory: any MemoryBuffer, offset: Int)
    }

    var operation: BusOperation
    var tag: UInt64
    var handler: any BusCompletionHandler
    /// The message or the bytes to write; a read's bytes once it completed.
    var bytes: [UInt8]
    /// The byte count of the operation.
    var count: Int
    var target: Target
    /// Nil while the transaction is on the bus; the outcome once it is known.
    var status: BusStatus?
}

/// A bus endpoint's state in its ``NodeBus``: its PCI master, receiver, failure flag, the FIFO
/// of its outstanding operations and its inbound message queue.
struct NodeBusEndpoint {
    let name: String
    let runtime: (any NodeRuntime)?
    var master = PCIMasterID(index: -1)
    var receiver: (any BusMessageReceiver)?
    var failed = false

    /// Operations issued and not yet completed, in issue order from `head`.
    var operations: [NodeBusOperation] = []
    var head = 0
    /// The sequence number of `operations[0]` (sequence numbers never repeat).
    var firstSequence: UInt64 = 0
    /// A completion turn is scheduled on the endpoint's loop.
    var completionPosted = false
    /// Completions are being delivered right now (a handler is running).
    var completing = false

    /// Messages in the inbound queue, from `inboundHead`, each waiting for its delivery turn.
    var inbound: [(message: [UInt8], source: BusEndpoint)] = []
    var inboundHead = 0

    var statistics = NodeBusEndpointStatistics()

    init(name: String, runtime: (any NodeRuntime)?) {
        self.name = name
        self.runtime = runtime
    }

    /// Operations issued and not yet completed.
    var outstanding: Int { operations.count - head }

    /// Whether the oldest outstanding operation's outcome is known (it can complete now).
    var headIsResolved: Bool { head < operations.count && operations[head].status != nil }

    /// The slot of the operation with sequence number `sequence`.
    func slot(of sequence: UInt64) -> Int { Int(sequence - firstSequence) }

    /// The sequence number the next operation will get.
    var nextSequence: UInt64 { firstSequence + UInt64(operations.count) }

    /// Drops completed operations from the front once they are the majority.
    mutating func compactOperations() {
        guard head > 0, head == operations.count || (head >= 64 && head * 2 >= operations.count) else { return }
        operations.removeFirst(head)
        firstSequence += UInt64(head)
        head = 0
    }

    /// Drops delivered messages from the front once they are the majority.
    mutating func compactInbound() {
        guard inboundHead > 0, inboundHead == inbound.count || (inboundHead >= 64 && inboundHead * 2 >= inbound.count)
        else { return }
        inbound.removeFirst(inboundHead)
        inboundHead = 0
    }
}
