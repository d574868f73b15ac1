import CIOFabric
import Glibc
import Hardware

/// A real protection domain (`struct ibv_pd`): the factory of memory regions, queue pairs and
/// address handles on one device.
///
/// Address handles are kept in a table keyed by ``AddressHandle/rawValue`` (numbered from 1
/// in creation order): UD sends name them by value and the queue pair finds the `ibv_ah *` here.
///
/// - Warning: Not thread-safe. Call it only on the runtime's loop.
public final class RealProtectionDomain: ProtectionDomain {
    let context: RealVerbsDeviceContext
    private(set) var pd: OpaquePointer?
    private var regions: [RealMemoryRegion] = []
    private var queuePairs: [RealQueuePair] = []
    private var addressHandles: [UInt64: OpaquePointer] = [:]
    private var nextAddressHandle: UInt64 = 1

    init(context: RealVerbsDeviceContext, pd: OpaquePointer) {
        self.context = context
        self.pd = pd
    }

    private var name: String { context.device.name }

    /// The C context and domain, or ``VerbsError/deviceClosed``.
    func open() throws(VerbsError) -> (OpaquePointer, OpaquePointer) {
        let c = try context.open()
        guard let pd else { throw .invalidArgument("\(name): protection domain already deallocated") }
        return (c, pd)
    }

    public func allocateMemoryRegion(length: Int, access: MemoryAccess) throws(VerbsError) -> any MemoryRegion {
        guard length > 0, UInt64(length) <= context.attributes.maxMemoryRegionSize else {
            throw .invalidArgument("\(name): memory region of \(length) bytes (1…\(context.attributes.maxMemoryRegionSize))")
        }
        let memory = AlignedMemory(name: "\(name).mr", length: length)
        return try register(memory, access: access)
    }

    /// Registers `memory`, which must be ``ProcessMemory`` (an ``AlignedMemory``, a region of
    /// this backend, a mapping of the NVRAM device): stable memory that neither moves nor goes
    /// while registered (the region keeps it alive).
    public func registerMemory(_ memory: any MemoryBuffer, access: MemoryAccess) throws(VerbsError) -> any MemoryRegion {
        guard let memory = memory as? any ProcessMemory else {
            throw .invalidArgument("\(name): only process memory can be registered with a real HCA, not \(type(of: memory))")
        }
        guard memory.length > 0 else { throw .invalidArgument("\(name): registering an empty buffer") }
        return try register(memory, access: access)
    }

    private func register(_ memory: any ProcessMemory, access: MemoryAccess) throws(VerbsError) -> RealMemoryRegion {
        guard access.isValidForRegistration else {
            throw .invalidArgument("\(name): access \(access) (remote write or atomic needs local write)")
        }
        let (c, pd) = try open()
        let length = memory.length
        let base = memory.withUnsafeMutableBytes { UInt(bitPattern: $0.baseAddress) }
        var mr: OpaquePointer?
        var keys = CIOFabric_verbs_mr_keys()
        let code = CIOFabric_verbs_reg_mr(c, pd, UnsafeMutableRawPointer(bitPattern: base), UInt64(length), access.rawValue, &mr, &keys)
        guard code == 0, let mr else {
            throw RealVerbsFailure.error(
                device: name, call: "ibv_reg_mr of \(length) bytes", errno: code,
                hint: code == ENOMEM ? RealVerbsFailure.registrationHint : nil)
        }
        let region = RealMemoryRegion(domain: self, backing: memory, address: UInt64(base), mr: mr, keys: keys, access: access)
        regions.append(region)
        return region
    }

    public func createQueuePair(
        type: QueuePairType, sendQueue: any CompletionQueue, receiveQueue: any CompletionQueue,
        capabilities: QueuePairCapabilities, signalAllSends: Bool
    ) throws(VerbsError) -> any QueuePair {
        let (c, pd) = try open()
        guard let send = sendQueue as? RealCompletionQueue, let receive = receiveQueue as? RealCompletionQueue,
            send.context === context, receive.context === context, let sendCQ = send.cq, let receiveCQ = receive.cq
        else { throw .invalidArgument("\(name): a completion queue of another device, or destroyed") }
        let limit = context.attributes.maxQueuePairWorkRequests
        guard capabilities.maxSendWorkRequests >= 0, capabilities.maxSendWorkRequests <= limit,
            capabilities.maxReceiveWorkRequests >= 0, capabilities.maxReceiveWorkRequests <= limit,
            capabilities.maxSendScatterGatherElements <= context.attributes.maxScatterGatherElements,
            capabilities.maxReceiveScatterGatherElements <= context.attributes.maxScatterGatherElements
        else { throw .invalidArgument("\(name): QP capabilities \(capabilities) beyond the device's limits") }
        var caps = CIOFabric_verbs_qp_capabilities(
            max_send_wr: UInt32(capabilities.maxSendWorkRequests), max_recv_wr: UInt32(capabilities.maxReceiveWorkRequests),
            max_send_sge: UInt32(capabilities.maxSendScatterGatherElements),
            max_recv_sge: UInt32(capabilities.maxReceiveScatterGatherElements),
            max_inline_data: UInt32(capabilities.maxInlineData))
        var qp: OpaquePointer?
        var number: UInt32 = 0
        let code = CIOFabric_verbs_create_qp(c, pd, type.rawValue, sendCQ, receiveCQ, signalAllSends ? 1 : 0, &caps, &qp, &number)
        guard code == 0, let qp else {
            throw RealVerbsFailure.error(device: name, call: "ibv_create_qp \(type)", errno: code)
        }
        let granted = QueuePairCapabilities(
            maxSendWorkRequests: Int(caps.max_send_wr), maxReceiveWorkRequests: Int(caps.max_recv_wr),
            maxSendScatterGatherElements: Int(caps.max_send_sge), maxReceiveScatterGatherElements: Int(caps.max_recv_sge),
            maxInlineData: Int(caps.max_inline_data))
        let pair = RealQueuePair(
            domain: self, qp: qp, number: number, type: type, capabilities: granted, sendQueue: send, receiveQueue: receive)
        send.users += 1
        receive.users += 1
        queuePairs.append(pair)
        return pair
    }

    public func createAddressHandle(_ attributes: AddressHandleAttributes) throws(VerbsError) -> AddressHandle {
        let (c, pd) = try open()
        guard attributes.port >= 1, Int(attributes.port) <= context.attributes.physicalPortCount else {
            throw .invalidPort(attributes.port)
        }
        var address = RealQueuePairAttributeMapping.address(attributes)
        var ah: OpaquePointer?
        let code = CIOFabric_verbs_create_ah(c, pd, &address, &ah)
        guard code == 0, let ah else { throw RealVerbsFailure.error(device: name, call: "ibv_create_ah", errno: code) }
        let handle = AddressHandle(rawValue: nextAddressHandle, attributes: attributes)
        nextAddressHandle += 1
        addressHandles[handle.rawValue] = ah
        return handle
    }

    public func destroyAddressHandle(_ handle: AddressHandle) throws(VerbsError) {
        let (c, _) = try open()
        guard let ah = addressHandles[handle.rawValue] else {
            throw .invalidArgument("\(name): address handle \(handle.rawValue) is not this domain's, or destroyed")
        }
        let code = CIOFabric_verbs_destroy_ah(c, ah)
        guard code == 0 else { throw RealVerbsFailure.error(device: name, call: "ibv_destroy_ah", errno: code) }
        addressHandles[handle.rawValue] = nil
    }

    /// The `ibv_ah *` of a handle this domain made, for a UD send.
    func addressHandlePointer(_ handle: AddressHandle) -> OpaquePointer? { addressHandles[handle.rawValue] }

    public func deallocate() throws(VerbsError) {
        let (c, pd) = try open()
        if !regions.isEmpty || !queuePairs.isEmpty || !addressHandles.isEmpty {
            throw .busy(
                "\(name): protection domain has \(regions.count) memory region(s), \(queuePairs.count) queue pair(s), "
                    + "\(addressHandles.count) address handle(s)")
        }
        let code = CIOFabric_verbs_dealloc_pd(c, pd)
        guard code == 0 else { throw RealVerbsFailure.error(device: name, call: "ibv_dealloc_pd", errno: code) }
        self.pd = nil
        context.forget(self)
    }

    func forget(_ region: RealMemoryRegion) { regions.removeAll { $0 === region } }
    func forget(_ pair: RealQueuePair) { queuePairs.removeAll { $0 === pair } }

    /// Destroys what is left, queue pairs first, then the domain (``RealVerbsDeviceContext/close()``).
    func destroyEverything() {
        guard let c = context.context, let pd else { return }
        for pair in queuePairs { pair.releaseForClose(c) }
        queuePairs.removeAll()
        // In creation order, so that the table's hash order decides nothing.
        for key in addressHandles.keys.sorted() { _ = CIOFabric_verbs_destroy_ah(c, addressHandles[key]!) }
        addressHandles.removeAll()
        for region in regions { region.releaseForClose(c) }
        regions.removeAll()
        _ = CIOFabric_verbs_dealloc_pd(c, pd)
        self.pd = nil
    }
}
