import Hardware

/// Told when a replay ends.
public protocol NVRAMLogReplayDelegate: AnyObject {
    /// Every record was submitted and completed: `failed` of them with a bad status, `unroutable`
    /// skipped for a LUN with no route.
    func replayFinished(_ replay: NVRAMLogReplay, completed: Int, failed: Int, unroutable: Int)
}

/// Replays a partner's NVRAM log image after a takeover: submits its records as internal writes
/// of the CTA in sequence order (the CTA keeps overlapping ones in that order), at most
/// `window` at a time, and reports when all completed.
public final class NVRAMLogReplay: InternalWriteDelegate {
    public let records: [NVRAMLog.Record]
    private let cta: CommonTransportAgent
    private let routes: [UInt16: RoutingTable.LUNRoute]
    private let window: Int
    public weak var delegate: (any NVRAMLogReplayDelegate)?
    private var next = 0
    private var outstanding = 0
    public private(set) var completed = 0
    public private(set) var failed = 0
    public private(set) var unroutable = 0
    public private(set) var finished = false

    /// - Parameters:
    ///   - routes: where each LUN (cluster-wide number) of the records lives now.
    ///   - window: internal writes in flight at most. Assumption: 16, well under an RTA's buffers.
    public init(records: [NVRAMLog.Record], cta: CommonTransportAgent, routes: [UInt16: RoutingTable.LUNRoute], window: Int = 16) {
        precondition(window > 0, "a replay window of at least one write")
        self.records = records.sorted { $0.sequence < $1.sequence }
        self.cta = cta
        self.routes = routes
        self.window = window
    }

    /// Starts submitting. Finishes at once (on the delegate) for an empty log.
    public func start() {
        submit()
    }

    private func submit() {
        while outstanding < window, next < records.count {
            let record = records[next]
            next += 1
            guard let route = routes[record.lun], !record.data.isEmpty, record.data.count % Int(route.blockLength) == 0 else {
                unroutable += 1
                continue
            }
            outstanding += 1
            cta.writeInternal(route: route, lun: record.lun, lba: record.lba, data: record.data, tag: record.sequence, delegate: self)
        }
        if outstanding == 0, next == records.count, !finished {
            finished = true
            delegate?.replayFinished(self, completed: completed, failed: failed, unroutable: unroutable)
        }
    }

    public func internalWriteCompleted(tag: UInt64, status: IOStatus) {
        outstanding -= 1
        if status.isGood { completed += 1 } else { failed += 1 }
        submit()
    }
}
