import Hardware

/// A PCI-to-PCI bridge between the host's (primary) bus and the storage nodes' (secondary)
/// bus, forwarding memory transactions store-and-forward, as PCI-to-PCI Bridge 1.1 bridges do:
///
/// - **Posted writes.** The initiator's write ends on its own bus as soon as the bridge has
///   taken the data into its posted-write buffer; the bridge then writes it on the far bus
///   as a master of its own. While the buffer is full, new writes wait (the bridge would
///   answer Retry). An error on the far side cannot reach the initiator any more: it is
///   counted (a real bridge asserts SERR#).
/// - **Delayed reads.** The bridge first reads on the far bus, then completes the
///   initiator's read on its own bus with the data; the initiator sees both legs' time, and
///   a master or target abort on the far side ends its read with the same status.
///
/// So a transfer across the bridge occupies both buses, and the slower one bounds it.
public final class PCIBridge: PCIMaster {
    /// A side of the bridge.
    public enum Side: Sendable, Equatable {
        case primary
        case secondary
    }

    public let name: String
    private let buses: (primary: PCIBus, secondary: PCIBus)
    private var bridgeMaster: (primary: PCIMasterID, secondary: PCIMasterID)
    /// Bytes the posted-write buffer holds.
    public let postedWriteBufferBytes: Int
    public private(set) var postedBytes = 0
    /// Posted writes whose far-side leg failed (reported by SERR# on real hardware).
    public private(set) var lostPostedWrites = 0

    private enum Leg {
        /// The initiator's posted write into the bridge's buffer, on the near bus.
        case postedWriteIn
        /// The bridge's write of posted data, on the far bus.
        case postedWriteOut
        /// The bridge's read on the far bus.
        case delayedReadOut
        /// The initiator's read of the fetched data, on the near bus.
        case delayedReadIn
    }

    private struct Crossing {
        var transaction: PCITransaction
        var initiator: PCIMasterID
        var nearSide: Side
        var tag: UInt64
        var handler: any PCIMaster
        var leg: Leg
        var farStatus: PCITransactionStatus = .completed
    }

    private var crossings: [Crossing?] = []
    private var freeSlots: [Int] = []
    /// Writes waiting for room in the posted-write buffer, in arrival order.
    private var waitingWrites: [Int] = []

    /// A bridge between `primary` and `secondary`, attached to each as a bus master.
    ///
    /// - Parameter postedWriteBufferBytes: the posted-write buffer; 512 bytes is a typical
    ///   size for bridges of the period [unverified: datasheet figures of 2002-era bridges
    ///   range from 256 B to 1 KiB per direction].
    public init(name: String, primary: PCIBus, secondary: PCIBus, postedWriteBufferBytes: Int = 512) {
        precondition(postedWriteBufferBytes > 0)
        self.name = name
        buses = (primary, secondary)
        self.postedWriteBufferBytes = postedWriteBufferBytes
        bridgeMaster = (PCIMasterID(index: -1), PCIMasterID(index: -1))
        bridgeMaster = (
            primary.attachMaster(named: name + ".primary", handler: self),
            secondary.attachMaster(named: name + ".secondary", handler: self)
        )
    }

    /// Starts `transaction` by `initiator`, a master on the `side` bus, whose target lies
    /// across the bridge; `handler` is told with `tag` when it ends for the initiator.
    public func forward(
        _ transaction: PCITransaction, from initiator: PCIMasterID, on side: Side, tag: UInt64, handler: any PCIMaster
    ) {
        precondition(transaction.kind == .memoryRead || transaction.bytes <= postedWriteBufferBytes,
            "a posted write larger than the bridge's buffer must be split by its initiator")
        let crossing = Crossing(
            transaction: transaction, initiator: initiator, nearSide: side, tag: tag, handler: handler,
            leg: transaction.kind == .memoryWrite ? .postedWriteIn : .delayedReadOut)
        let slot = store(crossing)
        switch crossing.leg {
        case .postedWriteIn:
            waitingWrites.append(slot)
            admitWaitingWrites()
        default:
            issue(slot)
        }
    }

    private func store(_ crossing: Crossing) -> Int {
        if let slot = freeSlots.popLast() {
            crossings[slot] = crossing
            return slot
        }
        crossings.append(crossing)
        return crossings.count - 1
    }

    private func bus(_ side: Side) -> PCIBus { side == .primary ? buses.primary : buses.secondary }
    private func master(_ side: Side) -> PCIMasterID { side == .primary ? bridgeMaster.primary : bridgeMaster.secondary }
    private func far(_ side: Side) -> Side { side == .primary ? .secondary : .primary }

    /// Lets waiting writes into the buffer, oldest first, while they fit.
    private func admitWaitingWrites() {
        while let slot = waitingWrites.first, let crossing = crossings[slot],
            postedBytes + crossing.transaction.bytes <= postedWriteBufferBytes
        {
            waitingWrites.removeFirst()
            postedBytes += crossing.transaction.bytes
            issue(slot)
        }
    }

    private func issue(_ slot: Int) {
        guard let crossing = crossings[slot] else { preconditionFailure("issue of an empty crossing") }
        let tag = UInt64(slot)
        switch crossing.leg {
        case .postedWriteIn, .delayedReadIn:
            bus(crossing.nearSide).request(crossing.transaction, from: crossing.initiator, tag: tag, notify: self)
        case .postedWriteOut, .delayedReadOut:
            let side = far(crossing.nearSide)
            bus(side).request(crossing.transaction, from: master(side), tag: tag)
        }
    }

    public func pciTransactionEnded(tag: UInt64, status: PCITransactionStatus) {
        let slot = Int(tag)
        guard var crossing = crossings[slot] else { preconditionFailure("completion for an empty crossing") }
        switch crossing.leg {
        case .postedWriteIn:
            // The data (if it arrived) goes on to the far side; the initiator is done.
            if status == .completed {
                crossing.leg = .postedWriteOut
                crossings[slot] = crossing
                issue(slot)
            } else {
                postedBytes -= crossing.transaction.bytes
                release(slot)
            }
            crossing.handler.pciTransactionEnded(tag: crossing.tag, status: status)
        case .postedWriteOut:
            if status != .completed { lostPostedWrites += 1 }
            postedBytes -= crossing.transaction.bytes
            release(slot)
        case .delayedReadOut:
            if status == .completed || status == .parityError {
                crossing.farStatus = status
                crossing.leg = .delayedReadIn
                crossings[slot] = crossing
                issue(slot)
            } else {
                release(slot)
                crossing.handler.pciTransactionEnded(tag: crossing.tag, status: status)
            }
        case .delayedReadIn:
            release(slot)
            crossing.handler.pciTransactionEnded(tag: crossing.tag, status: status == .completed ? crossing.farStatus : status)
        }
        admitWaitingWrites()
    }

    private func release(_ slot: Int) {
        crossings[slot] = nil
        freeSlots.append(slot)
    }
}
