/// The sizes of a queue pair's work queues (`struct ibv_qp_cap`).
///
/// Asked for at creation; the device may grant more, and ``QueuePair/capabilities`` reports
/// what it granted. Posting beyond them fails with ``VerbsPostError/Reason/queueFull`` or
/// ``VerbsPostError/Reason/tooManyScatterGatherElements(_:)``.
public struct QueuePairCapabilities: Hashable, Sendable {
    /// The most send work requests outstanding at once.
    public var maxSendWorkRequests: Int
    /// The most receive work requests outstanding at once.
    public var maxReceiveWorkRequests: Int
    /// The most scatter-gather elements in one send work request.
    public var maxSendScatterGatherElements: Int
    /// The most scatter-gather elements in one receive work request.
    public var maxReceiveScatterGatherElements: Int
    /// The most bytes a send with ``SendFlags/inline`` may carry.
    public var maxInlineData: Int

    public init(
        maxSendWorkRequests: Int, maxReceiveWorkRequests: Int, maxSendScatterGatherElements: Int = 1,
        maxReceiveScatterGatherElements: Int = 1, maxInlineData: Int = 0
    ) {
        self.maxSendWorkRequests = maxSendWorkRequests
        self.maxReceiveWorkRequests = maxReceiveWorkRequests
        self.maxSendScatterGatherElements = maxSendScatterGatherElements
        self.maxReceiveScatterGatherElements = maxReceiveScatterGatherElements
        self.maxInlineData = maxInlineData
    }
}
