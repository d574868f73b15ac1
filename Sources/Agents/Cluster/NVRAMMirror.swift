import Hardware

/// The NVRAM mirror: the cluster connection client (`"nvram-mirror"`) that copies the local
/// write log into the partner's NVRAM, and the ``WriteLogging`` the CTA's write path uses.
///
/// The node's NVRAM is split in two halves (``Layout``): the **log half** holds this node's
/// ``NVRAMLog``; the **mirror half** receives the partner's log. Every appended record and every
/// log-header update is RDMA-written to the same offset of the partner's mirror half, on one
/// up connection (the lowest interconnect index up when one is chosen; the mirror stays on it
/// until it fails). A record is **durable** when it is in local NVRAM and its mirror write
/// completed; the delegate hears it in sequence order.
///
/// Modes (``Mode``): `mirrored` (a connection is up), `suspended` (none: durability is held,
/// for the partner may still take over from its copy), `alone` (``partnerFenced()``: the
/// partner is fenced, a record is durable at its local append, held ones are released). When
/// a connection becomes the mirror's (first, again, or another interconnect) it first re-sends
/// the log header and the whole live log (tail…head), then continues; what was held is
/// released when that re-send completes. Writes that failed with a connection are covered by
/// that re-send (an RDMA WRITE of the same bytes to the same place is idempotent). The header
/// goes first so that the partner's copy never points at an older tail than the truth.
///
/// **In sync** (``isInSync``): the partner's copy holds every record this node acknowledged, so
/// the partner may take this node over from it. False at boot (the partner's mirror half may
/// hold anything, e.g. this node's previous life) and while `alone` (records are acknowledged
/// from the local log only); true once a re-send, in `mirrored` mode, completed (even of an
/// empty log: its header write). A move to another interconnect keeps it (durability is held
/// while suspended, and the copy lies in the same NVRAM). ``onSynchronized`` hears each
/// false → true.
///
/// The manager registers memory whole, so ``clusterNeeds`` exposes (and sources) the whole
/// NVRAM; the mirror only ever writes into the partner's mirror half.
public final class NVRAMMirror: ClusterConnectionClient, WriteLogging, TimerHandler {
    /// Where the two halves lie in the NVRAM (the same on both partners).
    public struct Layout: Hashable, Sendable {
        public var logOffset: Int
        public var mirrorOffset: Int
        public var halfLength: Int

        public init(logOffset: Int, mirrorOffset: Int, halfLength: Int) {
            precondition(logOffset + halfLength <= mirrorOffset || mirrorOffset + halfLength <= logOffset, "the halves overlap")
            self.logOffset = logOffset
            self.mirrorOffset = mirrorOffset
            self.halfLength = halfLength
        }

        /// The log in the lower half of an NVRAM of `capacity` bytes, the mirror in the upper.
        public static func halves(of capacity: Int) -> Layout {
            Layout(logOffset: 0, mirrorOffset: capacity / 2, halfLength: capacity / 2)
        }
    }

    public enum Mode: Hashable, Sendable {
        /// No connection is up: durability callbacks are held.
        case suspended
        /// Mirroring on the connection of this interconnect.
        case mirrored(interconnect: Int)
        /// The partner is fenced: a record is durable at its local append.
        case alone
    }

    /// The mirror's counters.
    public struct Statistics: Hashable, Sendable {
        /// Record writes completed on a connection.
        public var recordsMirrored = 0
        public var headerWrites = 0
        /// Re-sends of the live log when a connection became the mirror's.
        public var resyncs = 0
        /// Moves back to a connection on a preferred interconnect (earlier in the manager's list)
        /// once it came up again (each also a resync).
        public var returnsToPreferred = 0
        public var bytesWritten = 0
        /// Operations posted again because the queue was full.
        public var queueFullRetries = 0
        /// Connections refused because the partner exposes too little memory.
        public var connectionsRefused = 0
        /// Re-sends that completed in `mirrored` mode (each makes the copy in sync).
        public var resyncsCompleted = 0
        /// Completions that matched no posted operation.
        public var unexpectedCompletions = 0
        public var durableDelivered = 0

        public init() {}
    }

    /// One write to the partner's mirror half: a span of the log half (offset from its start).
    private struct Operation {
        var offset: Int
        var count: Int
        var isHeader: Bool
        /// When it completes, every sequence below this is mirrored (0: says nothing).
        var covers: UInt64
        /// The last write of an activation's re-send: when it completes the copy is in sync.
        var endsResync = false
    }

    public let clusterClientName = "nvram-mirror"
    public let name: String
    public let nvram: any MemoryBuffer
    public let layout: Layout
    public let log: NVRAMLog
    public weak var writeLogDelegate: (any WriteLogDelegate)?
    public private(set) var mode: Mode = .suspended
    public private(set) var statistics = Statistics()
    /// The partner's mirror half holds every record this node acknowledged (see the type's
    /// documentation): what the failover monitor tells the partner.
    public private(set) var isInSync = false
    /// Called each time ``isInSync`` becomes true (a rare control step: the coordinator tells
    /// its failover monitor).
    public var onSynchronized: (() -> Void)?

    private let runtime: any NodeRuntime
    private let maxOutstanding: Int
    /// Up connections, by interconnect index.
    private var connections: [any ClusterConnection] = []
    private var active: (any ClusterConnection)?
    /// The interconnect the mirror writes on now (nil while no connection is up).
    public var activeInterconnect: Int? { active?.interconnect }
    private var queue: [Operation] = []
    private var posted: [(tag: UInt64, operation: Operation)] = []
    private var nextTag: UInt64 = 1
    /// Every sequence below this is mirrored (or, alone, logged).
    private var durableThrough: UInt64
    /// The next sequence to tell the delegate.
    private var delivered: UInt64
    private var deliverArmed = false
    private var spaceArmed = false
    private var retryArmed = false
    private static let deliverToken: UInt64 = 1
    private static let spaceToken: UInt64 = 2
    private static let retryToken: UInt64 = 3

    /// A mirror over `nvram` split as `layout`; formats the log half as an empty log (see
    /// ``NVRAMLog/init(memory:firstSequence:)``).
    public init(name: String, runtime: any NodeRuntime, nvram: any MemoryBuffer, layout: Layout, firstSequence: UInt64 = 1,
                maxOutstanding: Int = 64) {
        precondition(max(layout.logOffset, layout.mirrorOffset) + layout.halfLength <= nvram.length, "layout outside the NVRAM")
        self.name = name
        self.runtime = runtime
        self.nvram = nvram
        self.layout = layout
        self.maxOutstanding = maxOutstanding
        log = NVRAMLog(memory: MemorySlice(nvram, offset: layout.logOffset, length: layout.halfLength), firstSequence: firstSequence)
        durableThrough = firstSequence
        delivered = firstSequence
    }

    /// The partner's log as mirrored here, for ``NVRAMLog/records(in:)`` at takeover.
    public var partnerImage: any MemoryBuffer { MemorySlice(nvram, offset: layout.mirrorOffset, length: layout.halfLength) }

    /// Records logged but not yet told durable to the delegate.
    public var heldRecords: Int { Int(log.nextSequence - delivered) }
    /// Mirror writes posted and not yet completed.
    public var outstandingWrites: Int { posted.count }

    // MARK: ClusterConnectionClient

    public var clusterNeeds: ClusterClientNeeds {
        ClusterClientNeeds(exposedMemory: nvram, sourceMemory: nvram, maxMessageBytes: 64, maxOutstanding: maxOutstanding)
    }

    public func clusterConnectionUp(_ connection: any ClusterConnection) {
        guard connection.remoteMemoryLength >= layout.mirrorOffset + layout.halfLength else {
            statistics.connectionsRefused += 1
            return
        }
        let index = connections.firstIndex { $0.interconnect > connection.interconnect } ?? connections.count
        connections.insert(connection, at: index)
        if active == nil { activate(connection) } else { returnToPreferred() }
    }

    public func clusterConnectionDown(_ connection: any ClusterConnection) {
        connections.removeAll { $0 === connection }
        guard let current = active, current === connection else { return }
        active = nil
        posted = []
        queue = []
        if let next = connections.first(where: { $0.isUp }) {
            activate(next)
        } else if case .mirrored = mode {
            mode = .suspended
        }
    }

    public func clusterMessageReceived(_ message: [UInt8], on connection: any ClusterConnection) {}

    public func clusterOperationCompleted(tag: UInt64, on connection: any ClusterConnection, success: Bool) {
        guard let current = active, current === connection else { return }  // a dead connection's flush
        guard let first = posted.first, first.tag == tag else {
            statistics.unexpectedCompletions += 1
            return
        }
        guard success else { return }  // the connection is failing; its down call re-sends on the next
        posted.removeFirst()
        let operation = first.operation
        statistics.bytesWritten += operation.count
        if operation.isHeader { statistics.headerWrites += 1 } else if operation.covers > 0 { statistics.recordsMirrored += 1 }
        if operation.covers > durableThrough {
            durableThrough = operation.covers
            deliver()
        }
        if operation.endsResync, case .mirrored = mode {
            statistics.resyncsCompleted += 1
            if !isInSync {
                isInSync = true
                onSynchronized?()
            }
        }
        if returnToPreferred() { return }
        pump()
    }

    // MARK: Coordinator

    /// The partner is fenced (the coordinator won the fence, or knows it down and fenced): from
    /// now on a record is durable at its local append; held records are released.
    public func partnerFenced() {
        mode = .alone
        isInSync = false  // acknowledged from the local log alone from now on
        if log.nextSequence > durableThrough { durableThrough = log.nextSequence }
        deliver()
    }

    // MARK: WriteLogging

    public var maxRecordData: Int { log.maxDataLength }

    public func append(lun: UInt16, lba: UInt64, blocks: UInt32, data: [UInt8]) -> UInt64? {
        guard let sequence = log.append(lun: lun, lba: lba, blocks: blocks, data: data) else { return nil }
        if active != nil, let (offset, count) = log.location(of: sequence) {
            queue.append(Operation(offset: offset, count: count, isHeader: false, covers: sequence + 1))
            pump()
        }
        if mode == .alone {
            durableThrough = log.nextSequence
            armDeliver()
        }
        return sequence
    }

    public func trim(_ sequence: UInt64) {
        guard log.trim(sequence) else { return }
        if active != nil { enqueueHeader(covers: 0) }
        if !spaceArmed {
            spaceArmed = true
            runtime.scheduleTimer(after: .zero, handler: self, token: Self.spaceToken)
        }
    }

    // MARK: Mirroring

    /// The connection becomes the mirror's: header, then the live log, then new records.
    private func activate(_ connection: any ClusterConnection) {
        precondition(active == nil && posted.isEmpty, "\(name): two mirror connections")
        active = connection
        mode = .mirrored(interconnect: connection.interconnect)  // from suspended, another interconnect, or alone (the partner is back)
        statistics.resyncs += 1
        queue = []
        var resend = [Operation(offset: 0, count: NVRAMLogFormat.headerLength, isHeader: true, covers: 0)]
        for (offset, count) in log.liveSpans { resend.append(Operation(offset: offset, count: count, isHeader: false, covers: 0)) }
        resend[resend.count - 1].covers = log.nextSequence  // everything logged so far is mirrored when the last lands
        resend[resend.count - 1].endsResync = true
        queue = resend
        pump()
    }

    /// A connection on an interconnect earlier in the manager's list (preferred) is up while the
    /// mirror writes on a later one: once nothing is posted (so no write on the old connection
    /// can land after one on the new), the mirror moves to it, resending the live log as at any
    /// activation (the queued writes are part of it). Returns whether it moved.
    @discardableResult
    private func returnToPreferred() -> Bool {
        guard let current = active, posted.isEmpty,
              let best = connections.first(where: { $0.isUp }), best.interconnect < current.interconnect
        else { return false }
        active = nil
        queue = []
        statistics.returnsToPreferred += 1
        activate(best)
        return true
    }

    private func enqueueHeader(covers: UInt64) {
        if let last = queue.last, last.isHeader, last.covers == 0 { return }  // not posted yet: it will carry the newest header
        queue.append(Operation(offset: 0, count: NVRAMLogFormat.headerLength, isHeader: true, covers: covers))
        pump()
    }

    private func pump() {
        guard let connection = active else { return }
        while posted.count < maxOutstanding, let operation = queue.first {
            let tag = nextTag
            do {
                try connection.write(
                    sourceOffset: layout.logOffset + operation.offset, count: operation.count,
                    remoteOffset: layout.mirrorOffset + operation.offset, tag: tag)
            } catch .queueFull {
                statistics.queueFullRetries += 1
                if !retryArmed {
                    retryArmed = true
                    runtime.scheduleTimer(after: .microseconds(5), handler: self, token: Self.retryToken)
                }
                return
            } catch {
                return  // down (its down call follows) or out of bounds (checked at connection up)
            }
            nextTag += 1
            queue.removeFirst()
            posted.append((tag, operation))
        }
    }

    private func armDeliver() {
        guard !deliverArmed else { return }
        deliverArmed = true
        runtime.scheduleTimer(after: .zero, handler: self, token: Self.deliverToken)
    }

    private func deliver() {
        while delivered < durableThrough {
            let sequence = delivered
            delivered += 1
            statistics.durableDelivered += 1
            writeLogDelegate?.writeDurable(sequence)
        }
    }

    public func timerFired(_ token: UInt64) {
        switch token {
        case Self.deliverToken:
            deliverArmed = false
            deliver()
        case Self.spaceToken:
            spaceArmed = false
            writeLogDelegate?.writeLogSpaceAvailable()
        default:
            retryArmed = false
            pump()
        }
    }
}
