import Hardware
import Testing

@testable import RealHardware

/// Records what a real completion queue's observer sees: it re-arms, then drains, as the
/// interface documents; and notes whether it was ever called while a post was in progress.
final class RealCompletionRecorder: CompletionQueueObserver {
    var completions: [WorkCompletion] = []
    var notifications = 0
    var postInProgress = false
    var notifiedDuringPost = false

    func completionQueueNotified(_ queue: any CompletionQueue, token: UInt64) {
        notifications += 1
        if postInProgress { notifiedDuringPost = true }
        try? queue.requestNotification(solicitedOnly: false)
        while queue.poll(into: &completions, maxEntries: 16) > 0 {}
    }
}

/// One end of a loopback connection: a CQ (with a recorder), a QP and a registered buffer.
final class RealVerbsEnd {
    let recorder = RealCompletionRecorder()
    let cq: any CompletionQueue
    let qp: any QueuePair
    let memory: any MemoryRegion

    init(domain: any ProtectionDomain, context: any VerbsDeviceContext, type: QueuePairType, length: Int, token: UInt64)
        throws
    {
        cq = try context.createCompletionQueue(minimumEntries: 64, observer: recorder, token: token)
        qp = try domain.createQueuePair(
            type: type, sendQueue: cq, receiveQueue: cq,
            capabilities: QueuePairCapabilities(
                maxSendWorkRequests: 32, maxReceiveWorkRequests: 32, maxSendScatterGatherElements: 4,
                maxReceiveScatterGatherElements: 4),
            signalAllSends: true)
        memory = try domain.allocateMemoryRegion(length: length, access: [.localWrite, .remoteRead, .remoteWrite])
        try cq.requestNotification(solicitedOnly: false)
    }

    /// Posts with the recorder watching for a notification from inside the call.
    func post(_ requests: [SendWorkRequest]) throws {
        recorder.postInProgress = true
        defer { recorder.postInProgress = false }
        try qp.postSend(requests)
    }

    func post(receives: [ReceiveWorkRequest]) throws {
        recorder.postInProgress = true
        defer { recorder.postInProgress = false }
        try qp.postReceive(receives)
    }
}

/// A real device opened on a fresh runtime, or nil (with a printed reason) where there is none.
struct RealVerbsTestBed {
    let runtime: RealNodeRuntime
    let provider: RealVerbsProvider
    let context: any VerbsDeviceContext
    let port: UInt8
    let gidIndex: Int
    let gid: GID
    let portAttributes: PortAttributes

    /// How long a device test waits for what it expects. [assumption: the emulated VM is up to
    /// 12× slower than hardware under load; loopback operations take milliseconds there]
    static let deadline: TimeSpan = .seconds(20)

    /// Opens the selected device (default: the first, port 1, perftest's GID), or returns nil
    /// and prints why the test is skipped.
    static func open(_ test: String, selection: RealDeviceSelection = RealDeviceSelection()) throws -> RealVerbsTestBed? {
        let runtime = try RealNodeRuntime(nodeName: "verbs-test", seed: 8)
        let provider: RealVerbsProvider
        do {
            provider = try RealVerbsProvider(runtime: runtime)
        } catch {
            print("\(test): skipped: \(error)")
            return nil
        }
        guard try !provider.devices().isEmpty else {
            print("\(test): skipped: no RDMA devices found (runs in the VM on rxe0: Tests/VM/run.sh)")
            return nil
        }
        let context = try provider.openDevice(selection)
        let gidIndex = try selection.resolvedGIDIndex(in: context)
        let gid = try context.queryGID(port: selection.port, index: gidIndex)
        let attributes = try context.queryPort(selection.port)
        print("\(test) runs on \(context.device.name) port \(selection.port) GID \(gidIndex) (\(gid)), \(attributes.linkLayer), MTU \(attributes.activeMTU)")
        return RealVerbsTestBed(
            runtime: runtime, provider: provider, context: context, port: selection.port, gidIndex: gidIndex, gid: gid,
            portAttributes: attributes)
    }

    /// The path to this port itself: through the GID on RoCE, by LID on InfiniBand.
    var loopbackPath: AddressHandleAttributes {
        AddressHandleAttributes(
            destinationLID: portAttributes.lid, port: port,
            globalRoute: portAttributes.linkLayer == .ethernet
                ? GlobalRoute(destinationGID: gid, sourceGIDIndex: UInt8(gidIndex), hopLimit: 64) : nil)
    }

    /// Brings `end` up RESET → INIT → RTR → RTS toward `peer` (RC, PSN 0 both ways).
    func connect(_ end: RealVerbsEnd, to peer: RealVerbsEnd) throws {
        try end.qp.modify(.initialize(port: port, access: [.localWrite, .remoteRead, .remoteWrite]))
        try end.qp.modify(.readyToReceive(
            path: loopbackPath, destinationQPNumber: peer.qp.queuePairNumber, receivePSN: 0,
            pathMTU: portAttributes.activeMTU, maxDestinationReadAtomic: 4))
        // retry 7, RNR retry 7 (forever), ACK timeout 4.096 µs × 2^14 ≈ 67 ms: TransportConfiguration's.
        try end.qp.modify(.readyToSend(sendPSN: 0, timeout: 14, retryCount: 7, rnrRetry: 7, maxReadAtomic: 4))
    }

    /// Runs the loop until `condition` holds or ``deadline`` passes; returns whether it holds.
    @discardableResult
    func run(until condition: () -> Bool) -> Bool {
        runtime.run(until: condition, deadline: runtime.now + Self.deadline)
        return condition()
    }

    /// `count` bytes of a pattern seeded by `seed`, so that no two buffers of a test agree.
    static func pattern(_ seed: UInt8, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &* 7 &+ $0 >> 8) }
    }
}
