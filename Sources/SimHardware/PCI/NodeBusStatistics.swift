import Hardware

/// What one endpoint of a ``NodeBus`` has done, for reports and tests.
///
/// Operations are counted when they complete, on the endpoint that issued them; a message is
/// counted as received by its destination when its receiver is called.
public struct NodeBusEndpointStatistics: Sendable, Equatable {
    /// Messages this endpoint sent that completed ``BusStatus/ok``.
    public var messagesSent = 0
    /// Message bytes in those messages.
    public var messageBytesSent = 0
    /// Messages handed to this endpoint's receiver.
    public var messagesReceived = 0
    /// Messages that reached this endpoint's inbound queue but were lost because the endpoint
    /// had failed before its receiver ran.
    public var messagesLost = 0
    /// DMA writes this endpoint issued that completed ``BusStatus/ok``.
    public var dmaWrites = 0
    /// Bytes those writes moved.
    public var dmaBytesWritten = 0
    /// DMA reads this endpoint issued that completed ``BusStatus/ok``.
    public var dmaReads = 0
    /// Bytes those reads returned.
    public var dmaBytesRead = 0
    /// Operations that completed with ``BusStatus/masterAbort``.
    public var masterAborts = 0
    /// Operations that completed with ``BusStatus/targetAbort``.
    public var targetAborts = 0
    /// Operations that completed with ``BusStatus/parityError``.
    public var parityErrors = 0

    public init() {}

    /// Operations that completed in error, whatever the status.
    public var errors: Int { masterAborts + targetAborts + parityErrors }

    /// The count for `status` (``BusStatus/ok``: every successful operation).
    public func count(of status: BusStatus) -> Int {
        switch status {
        case .ok: messagesSent + dmaWrites + dmaReads
        case .masterAbort: masterAborts
        case .targetAbort: targetAborts
        case .parityError: parityErrors
        }
    }

    mutating func record(_ operation: BusOperation, status: BusStatus, bytes: Int) {
        switch (status, operation) {
        case (.ok, .send):
            messagesSent += 1
            messageBytesSent += bytes
        case (.ok, .dmaWrite):
            dmaWrites += 1
            dmaBytesWritten += bytes
        case (.ok, .dmaRead):
            dmaReads += 1
            dmaBytesRead += bytes
        case (.masterAbort, _): masterAborts += 1
        case (.targetAbort, _): targetAborts += 1
        case (.parityError, _): parityErrors += 1
        }
    }
}
