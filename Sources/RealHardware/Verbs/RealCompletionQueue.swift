import CIOFabric
import Glibc
import Hardware

/// A real completion queue (`struct ibv_cq`) with its own completion channel, whose
/// descriptor the context's ``RealNodeRuntime`` watches.
///
/// The contract is the simulated queue's: after ``requestNotification(solicitedOnly:)`` the
/// observer is called once, on the loop, for the next completion. When the channel becomes
/// readable the queue reads every event (`ibv_get_cq_event`, non-blocking), acknowledges them
/// (`ibv_ack_cq_events`) and then calls the observer; it is never called from inside a poll, an
/// arm or a post, since those never run the loop.
///
/// - Warning: Not thread-safe. Call it only on the runtime's loop.
public final class RealCompletionQueue: CompletionQueue, FileDescriptorHandler {
    public let capacity: Int
    public let token: UInt64
    unowned let context: RealVerbsDeviceContext
    private weak var observer: (any CompletionQueueObserver)?
    private let hasObserver: Bool
    private(set) var cq: OpaquePointer?
    private var channel: OpaquePointer?
    private let channelFD: Int32
    /// Queue pairs using the queue.
    var users = 0
    /// Reused between polls: the C side's completions.
    private var scratch = [CIOFabric_verbs_work_completion](repeating: CIOFabric_verbs_work_completion(), count: 64)
    /// Notifications delivered, and channel events read (one per notification, normally).
    public private(set) var notifications = 0
    public private(set) var channelEvents = 0

    init(context: RealVerbsDeviceContext, minimumEntries: Int, observer: (any CompletionQueueObserver)?, token: UInt64)
        throws(VerbsError)
    {
        let c = try context.open()
        let name = context.device.name
        self.context = context
        self.observer = observer
        hasObserver = observer != nil
        self.token = token
        var channel: OpaquePointer?
        var fd: Int32 = -1
        if observer != nil {
            let code = CIOFabric_verbs_create_comp_channel(c, &channel, &fd)
            guard code == 0 else { throw RealVerbsFailure.error(device: name, call: "ibv_create_comp_channel", errno: code) }
        }
        var cq: OpaquePointer?
        var granted: Int32 = 0
        let code = CIOFabric_verbs_create_cq(c, Int32(minimumEntries), token, channel, &cq, &granted)
        guard code == 0, let cq else {
            if let channel { _ = CIOFabric_verbs_destroy_comp_channel(c, channel) }
            throw RealVerbsFailure.error(device: name, call: "ibv_create_cq of \(minimumEntries) entries", errno: code)
        }
        self.cq = cq
        self.channel = channel
        channelFD = fd
        capacity = Int(granted)
        if channel != nil {
            do {
                try context.runtime.watch(fd, handler: self)
            } catch {
                _ = CIOFabric_verbs_destroy_cq(c, cq)
                _ = CIOFabric_verbs_destroy_comp_channel(c, channel)
                throw .systemError(function: "\(name): watch the completion channel: \(error)", errno: EIO)
            }
        }
    }

    public func poll(into buffer: inout [WorkCompletion], maxEntries: Int) -> Int {
        precondition(maxEntries > 0, "poll with maxEntries \(maxEntries)")
        guard let cq else { return 0 }
        var total = 0
        while total < maxEntries {
            var count: Int32 = 0
            let wanted = Int32(min(maxEntries - total, scratch.count))
            let code = scratch.withUnsafeMutableBufferPointer { entries in
                CIOFabric_verbs_poll_cq(cq, entries.baseAddress, wanted, &count)
            }
            // A failed poll (EIO: the device is gone) yields nothing; the async event says why.
            guard code == 0, count > 0 else { break }
            for index in 0..<Int(count) { buffer.append(RealWorkCompletionMapping.completion(scratch[index])) }
            total += Int(count)
            if count < wanted { break }
        }
        return total
    }

    public func requestNotification(solicitedOnly: Bool) throws(VerbsError) {
        guard let cq, context.context != nil else { throw .deviceClosed }
        guard hasObserver else {
            throw .invalidArgument("completion queue \(token) was created without an observer")
        }
        let code = CIOFabric_verbs_req_notify_cq(cq, solicitedOnly ? 1 : 0)
        guard code == 0 else {
            throw RealVerbsFailure.error(device: context.device.name, call: "ibv_req_notify_cq", errno: code)
        }
    }

    /// The channel is readable: read and acknowledge its events, then tell the observer once.
    public func fileDescriptorReady(_ fd: Int32, events: FileDescriptorEvents) {
        guard let cq, let channel, let c = context.context else { return }
        var events: UInt32 = 0
        var eventCQ: OpaquePointer?
        var eventToken: UInt64 = 0
        while CIOFabric_verbs_get_cq_event(c, channel, &eventCQ, &eventToken) == 0 { events += 1 }
        guard events > 0 else { return }
        CIOFabric_verbs_ack_cq_events(c, cq, events)
        channelEvents += Int(events)
        notifications += 1
        observer?.completionQueueNotified(self, token: token)
    }

    public func destroy() throws(VerbsError) {
        guard cq != nil else { throw .invalidArgument("completion queue \(token) already destroyed") }
        guard users == 0 else { throw .busy("completion queue \(token) is used by \(users) queue pair(s)") }
        try release()
        context.forget(self)
    }

    /// Destroys the queue and its channel (``RealVerbsDeviceContext/close()``).
    func destroyForClose() { try? release() }

    private func release() throws(VerbsError) {
        guard let cq, let c = context.context else { return }
        let name = context.device.name
        if channel != nil { try? context.runtime.unwatch(channelFD) }
        let code = CIOFabric_verbs_destroy_cq(c, cq)
        guard code == 0 else { throw RealVerbsFailure.error(device: name, call: "ibv_destroy_cq", errno: code) }
        self.cq = nil
        if let channel {
            self.channel = nil
            let channelCode = CIOFabric_verbs_destroy_comp_channel(c, channel)
            guard channelCode == 0 else {
                throw RealVerbsFailure.error(device: name, call: "ibv_destroy_comp_channel", errno: channelCode)
            }
        }
    }
}
