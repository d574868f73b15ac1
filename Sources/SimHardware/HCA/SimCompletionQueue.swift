import Hardware

/// A completion queue of a simulated HCA: a bounded FIFO of completions the HCA has written
/// (each after its CQE's DMA write reached host memory), with one-shot notification.
public final class SimCompletionQueue: CompletionQueue {
    public let capacity: Int
    public let token: UInt64
    unowned let hca: SimHCA
    private weak var observer: (any CompletionQueueObserver)?
    private let hasObserver: Bool
    private var entries: [WorkCompletion] = []
    private var head = 0
    private var armed: (solicitedOnly: Bool, active: Bool) = (false, false)
    /// Overflowed: unusable, as a real CQ after a CQ error event.
    private(set) var overflowed = false
    private(set) var destroyed = false
    /// Queue pairs attached (send or receive); destroy refuses while non-zero.
    var users = 0

    /// The device incarnation it was made in.
    let incarnation: Int

    init(hca: SimHCA, incarnation: Int, capacity: Int, observer: (any CompletionQueueObserver)?, token: UInt64) {
        self.hca = hca
        self.incarnation = incarnation
        self.capacity = capacity
        self.observer = observer
        self.hasObserver = observer != nil
        self.token = token
    }

    /// Completions waiting to be polled.
    public var count: Int { entries.count - head }

    public func poll(into buffer: inout [WorkCompletion], maxEntries: Int) -> Int {
        precondition(maxEntries > 0, "poll with maxEntries \(maxEntries)")
        let taken = min(maxEntries, count)
        if taken > 0 {
            buffer.append(contentsOf: entries[head..<head + taken])
            head += taken
            if head == entries.count {
                entries.removeAll(keepingCapacity: true)
                head = 0
            }
        }
        return taken
    }

    public func requestNotification(solicitedOnly: Bool) throws(VerbsError) {
        guard !destroyed, !hca.isClosed(for: incarnation) else { throw .deviceClosed }
        guard hasObserver else {
            throw .invalidArgument("completion queue \(token) was created without an observer")
        }
        armed = (solicitedOnly, true)
    }

    public func destroy() throws(VerbsError) {
        guard !destroyed else { throw .invalidArgument("completion queue \(token) already destroyed") }
        guard users == 0 || incarnation != hca.incarnation else { throw .busy("completion queue \(token) is used by \(users) queue pair(s)") }
        destroyed = true
        entries.removeAll()
        head = 0
    }

    /// Adds a completion the HCA has written; runs on the simulator's loop, from an HCA event
    /// (never from inside a verbs call), so the observer may be called at once.
    func add(_ completion: WorkCompletion, solicited: Bool) {
        guard !destroyed, !overflowed else { return }
        guard count < capacity else {
            overflowed = true
            hca.raise(VerbsAsyncEvent(type: .completionQueueError, element: .completionQueue(token: token)))
            return
        }
        entries.append(completion)
        guard armed.active else { return }
        if armed.solicitedOnly && !(solicited || !completion.status.isSuccess) { return }
        armed.active = false
        observer?.completionQueueNotified(self, token: token)
    }
}
