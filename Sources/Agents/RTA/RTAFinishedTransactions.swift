/// The finished part of the transaction store table: the final message of each of the last
/// `limit` finished transactions, so that a request seen again is answered, not executed
/// again. Bounded: the oldest is forgotten first (memory is `limit` entries).
struct RTAFinishedTransactions {
    let limit: Int
    private var finals: [UInt64: AgentMessage] = [:]
    /// Transaction numbers in the order they finished (a ring of `limit` entries).
    private var order: [UInt64] = []
    private var oldest = 0

    init(limit: Int) {
        precondition(limit >= 1, "the transaction store must remember at least one finished transaction")
        self.limit = limit
    }

    var count: Int { finals.count }

    subscript(transaction: UInt64) -> AgentMessage? { finals[transaction] }

    mutating func record(_ transaction: UInt64, final message: AgentMessage) {
        precondition(finals[transaction] == nil, "transaction \(transaction) finished twice")
        if order.count < limit {
            order.append(transaction)
        } else {
            finals[order[oldest]] = nil
            order[oldest] = transaction
            oldest = (oldest + 1) % limit
        }
        finals[transaction] = message
    }
}
