import CIOFabric
import Glibc
import Hardware

/// An opened real RDMA device (`struct ibv_context`), made by ``RealVerbsProvider``.
///
/// Its asynchronous event descriptor (`context->async_fd`, non-blocking) is watched on the
/// provider's ``RealNodeRuntime``: every event is read and acknowledged at once, and handed to
/// the ``VerbsAsyncEventHandler`` if one is set, on the loop.
///
/// The context keeps the objects made from it (domains, completion queues) until they are
/// destroyed; ``close()`` destroys those left, queue pairs first, as the interface asks.
///
/// - Warning: Not thread-safe. Call it only on the runtime's loop.
public final class RealVerbsDeviceContext: VerbsDeviceContext, FileDescriptorHandler {
    public let device: VerbsDeviceInfo
    public let attributes: VerbsDeviceAttributes
    /// The runtime whose loop runs this context's callbacks.
    public let runtime: RealNodeRuntime
    /// The C context (`CIOFabric_verbs_context *`); nil once closed.
    private(set) var context: OpaquePointer?
    private let asyncFD: Int32
    private weak var asyncHandler: (any VerbsAsyncEventHandler)?
    private var domains: [RealProtectionDomain] = []
    private var queues: [RealCompletionQueue] = []
    /// Events read from the async descriptor, delivered or not.
    public private(set) var asyncEventsRead = 0

    init(device: VerbsDeviceInfo, context: OpaquePointer, runtime: RealNodeRuntime) throws(VerbsError) {
        self.device = device
        self.runtime = runtime
        var raw = CIOFabric_verbs_device_attributes()
        let code = CIOFabric_verbs_query_device(context, &raw)
        guard code == 0 else { throw RealVerbsFailure.error(device: device.name, call: "ibv_query_device", errno: code) }
        attributes = VerbsDeviceAttributes(
            firmwareVersion: TextFormatting.string(fromCArray: raw.firmware_version),
            nodeGUID: GUID(rawValue: raw.node_guid), systemImageGUID: GUID(rawValue: raw.system_image_guid),
            vendorID: raw.vendor_id, vendorPartID: raw.vendor_part_id, maxMemoryRegionSize: raw.max_mr_size,
            maxQueuePairs: Int(raw.max_qp), maxQueuePairWorkRequests: Int(raw.max_qp_wr),
            maxScatterGatherElements: Int(raw.max_sge), maxCompletionQueues: Int(raw.max_cq),
            maxCompletionQueueEntries: Int(raw.max_cqe), maxMemoryRegions: Int(raw.max_mr),
            maxProtectionDomains: Int(raw.max_pd), maxQueuePairReadAtomic: Int(raw.max_qp_rd_atom),
            maxQueuePairInitiatorReadAtomic: Int(raw.max_qp_init_rd_atom), maxAddressHandles: Int(raw.max_ah),
            physicalPortCount: Int(raw.physical_port_count))
        var fd: Int32 = -1
        let fdCode = CIOFabric_verbs_async_fd(context, &fd)
        guard fdCode == 0 else { throw RealVerbsFailure.error(device: device.name, call: "async event fd", errno: fdCode) }
        asyncFD = fd
        self.context = context
        do {
            try runtime.watch(fd, handler: self)
        } catch {
            self.context = nil
            throw .systemError(function: "\(device.name): watch the async event fd: \(error)", errno: EIO)
        }
    }

    /// The C context, or ``VerbsError/deviceClosed``.
    func open() throws(VerbsError) -> OpaquePointer {
        guard let context else { throw .deviceClosed }
        return context
    }

    private func checkPort(_ port: UInt8) throws(VerbsError) {
        guard port >= 1, Int(port) <= attributes.physicalPortCount else { throw .invalidPort(port) }
    }

    public func queryPort(_ port: UInt8) throws(VerbsError) -> PortAttributes {
        let context = try open()
        try checkPort(port)
        var raw = CIOFabric_verbs_port_attributes()
        let code = CIOFabric_verbs_query_port(context, port, &raw)
        guard code == 0 else { throw RealVerbsFailure.error(device: device.name, call: "ibv_query_port \(port)", errno: code) }
        return PortAttributes(
            state: PortState(rawValue: raw.state), maxMTU: MTU(rawValue: raw.max_mtu),
            activeMTU: MTU(rawValue: raw.active_mtu), lid: raw.lid, smLID: raw.sm_lid, lmc: raw.lmc,
            activeWidth: LinkWidth(rawValue: raw.active_width), activeSpeed: LinkSpeed(rawValue: raw.active_speed),
            linkLayer: LinkLayer(rawValue: raw.link_layer), gidTableLength: Int(raw.gid_table_length),
            pkeyTableLength: Int(raw.pkey_table_length), maxMessageSize: raw.max_message_size)
    }

    public func queryGID(port: UInt8, index: Int) throws(VerbsError) -> GID {
        let context = try open()
        let table = try queryPort(port).gidTableLength
        guard index >= 0, index < table else {
            throw .invalidArgument("\(device.name): GID index \(index) outside port \(port)'s table of \(table)")
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        let code = bytes.withUnsafeMutableBufferPointer { buffer in
            CIOFabric_verbs_query_gid(context, port, Int32(index), buffer.baseAddress)
        }
        guard code == 0 else {
            throw RealVerbsFailure.error(device: device.name, call: "ibv_query_gid port \(port) index \(index)", errno: code)
        }
        return GID(bytes: bytes)!
    }

    public func allocateProtectionDomain() throws(VerbsError) -> any ProtectionDomain {
        let context = try open()
        var pd: OpaquePointer?
        let code = CIOFabric_verbs_alloc_pd(context, &pd)
        guard code == 0, let pd else { throw RealVerbsFailure.error(device: device.name, call: "ibv_alloc_pd", errno: code) }
        let domain = RealProtectionDomain(context: self, pd: pd)
        domains.append(domain)
        return domain
    }

    public func createCompletionQueue(
        minimumEntries: Int, observer: (any CompletionQueueObserver)?, token: UInt64
    ) throws(VerbsError) -> any CompletionQueue {
        _ = try open()
        guard minimumEntries > 0, minimumEntries <= attributes.maxCompletionQueueEntries else {
            throw .invalidArgument(
                "\(device.name): completion queue of \(minimumEntries) entries (1…\(attributes.maxCompletionQueueEntries))")
        }
        let queue = try RealCompletionQueue(context: self, minimumEntries: minimumEntries, observer: observer, token: token)
        queues.append(queue)
        return queue
    }

    public func setAsyncEventHandler(_ handler: (any VerbsAsyncEventHandler)?) {
        asyncHandler = handler
    }

    /// Reads every pending asynchronous event (each acknowledged at once) and hands it to the
    /// handler, on the loop.
    public func fileDescriptorReady(_ fd: Int32, events: FileDescriptorEvents) {
        guard let context else { return }
        var raw = CIOFabric_verbs_async_event()
        while CIOFabric_verbs_get_async_event(context, &raw) == 0 {
            asyncEventsRead += 1
            asyncHandler?.verbsAsyncEvent(RealAsyncEventMapping.event(raw))
            // The handler may have closed the context.
            if self.context == nil { return }
        }
    }

    public func close() {
        guard let context else { return }
        for domain in domains { domain.destroyEverything() }
        domains.removeAll()
        for queue in queues { queue.destroyForClose() }
        queues.removeAll()
        try? runtime.unwatch(asyncFD)
        self.context = nil
        _ = CIOFabric_verbs_close_device(context)
    }

    func forget(_ domain: RealProtectionDomain) { domains.removeAll { $0 === domain } }
    func forget(_ queue: RealCompletionQueue) { queues.removeAll { $0 === queue } }

    deinit {
        close()
    }
}
