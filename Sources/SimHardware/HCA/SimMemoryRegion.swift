import Hardware

/// A memory region of a simulated HCA: simulated memory, the address work requests name it by
/// (an HCA-assigned address, page-aligned, unique per HCA), and its keys.
///
/// As on Mellanox HCAs the lkey and the rkey are the same number: a key index in the upper
/// 24 bits and an 8-bit generation in the lower 8, so a key of a deregistered region stops
/// working even when its index is reused.
public final class SimMemoryRegion: MemoryRegion, SimulatedMemory {
    public let address: UInt64
    public let lkey: UInt32
    public var rkey: UInt32 { lkey }
    public let access: MemoryAccess
    let memory: any MemoryBuffer
    unowned let domain: SimProtectionDomain
    private(set) var registered = true

    init(address: UInt64, key: UInt32, access: MemoryAccess, memory: any MemoryBuffer, domain: SimProtectionDomain) {
        self.address = address
        self.lkey = key
        self.access = access
        self.memory = memory
        self.domain = domain
    }

    public var length: Int { memory.length }
    public func read(offset: Int, count: Int) -> [UInt8] { memory.read(offset: offset, count: count) }
    public func write(_ bytes: some Collection<UInt8>, at offset: Int) { memory.write(bytes, at: offset) }
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result { try memory.withUnsafeBytes(body) }
    public func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result { try memory.withUnsafeMutableBytes(body) }

    public func deregister() throws(VerbsError) {
        guard registered else { throw .invalidArgument("memory region lkey 0x\(String(lkey, radix: 16)) already deregistered") }
        registered = false
        // Made before a restart: the device no longer holds it.
        guard domain.incarnation == domain.hca.incarnation else { return }
        domain.hca.releaseRegion(self)
        domain.regionCount -= 1
    }

    /// The offset into the region of `[address, address + count)`, if that range lies inside it.
    @inline(__always)
    func offset(of address: UInt64, count: Int) -> Int? {
        guard address >= self.address else { return nil }
        let offset = address - self.address
        guard offset <= UInt64(length), UInt64(count) <= UInt64(length) - offset else { return nil }
        return Int(offset)
    }
}

/// A protection domain of a simulated HCA.
public final class SimProtectionDomain: ProtectionDomain {
    unowned let hca: SimHCA
    var regionCount = 0
    var queuePairCount = 0
    private var addressHandles: [AddressHandle] = []
    private var nextHandle: UInt64 = 1
    private(set) var deallocated = false
    /// The device incarnation it was made in.
    let incarnation: Int

    init(hca: SimHCA, incarnation: Int) {
        self.hca = hca
        self.incarnation = incarnation
    }

    private func checkUsable() throws(VerbsError) {
        if deallocated || hca.isClosed(for: incarnation) { throw .deviceClosed }
    }

    public func allocateMemoryRegion(length: Int, access: MemoryAccess) throws(VerbsError) -> any MemoryRegion {
        try checkUsable()
        guard length > 0, UInt64(length) <= hca.configuration.maxMemoryRegionSize else {
            throw .invalidArgument("memory region length \(length) (1…\(hca.configuration.maxMemoryRegionSize))")
        }
        let memory = SimMemory(name: "\(hca.name) region", length: length)
        return try register(memory, access: access)
    }

    public func registerMemory(_ memory: any MemoryBuffer, access: MemoryAccess) throws(VerbsError) -> any MemoryRegion {
        try checkUsable()
        guard memory is any SimulatedMemory else {
            throw .invalidArgument("memory of another backend cannot be registered with simulated HCA \(hca.name)")
        }
        return try register(memory, access: access)
    }

    private func register(_ memory: any MemoryBuffer, access: MemoryAccess) throws(VerbsError) -> SimMemoryRegion {
        guard access.isValidForRegistration else {
            throw .invalidArgument("access \(access) (remote write needs local write)")
        }
        let region = try hca.makeRegion(memory: memory, access: access, domain: self)
        regionCount += 1
        return region
    }

    public func createQueuePair(
        type: QueuePairType, sendQueue: any CompletionQueue, receiveQueue: any CompletionQueue,
        capabilities: QueuePairCapabilities, signalAllSends: Bool
    ) throws(VerbsError) -> any QueuePair {
        try checkUsable()
        guard let send = sendQueue as? SimCompletionQueue, send.hca === hca,
            let receive = receiveQueue as? SimCompletionQueue, receive.hca === hca
        else { throw .invalidArgument("completion queue of another device") }
        let limits = hca.configuration
        guard capabilities.maxSendWorkRequests >= 0, capabilities.maxReceiveWorkRequests >= 0,
            capabilities.maxSendWorkRequests <= limits.maxQueuePairWorkRequests,
            capabilities.maxReceiveWorkRequests <= limits.maxQueuePairWorkRequests,
            capabilities.maxSendScatterGatherElements <= limits.maxScatterGatherElements,
            capabilities.maxReceiveScatterGatherElements <= limits.maxScatterGatherElements,
            capabilities.maxInlineData <= limits.maxInlineData
        else { throw .invalidArgument("queue pair capabilities \(capabilities) exceed the device's limits") }
        let qp = try hca.makeQueuePair(
            type: type, domain: self, sendQueue: send, receiveQueue: receive, capabilities: capabilities,
            signalAllSends: signalAllSends)
        queuePairCount += 1
        return qp
    }

    public func createAddressHandle(_ attributes: AddressHandleAttributes) throws(VerbsError) -> AddressHandle {
        try checkUsable()
        guard attributes.port >= 1, Int(attributes.port) <= hca.ports.count else { throw .invalidPort(attributes.port) }
        guard addressHandles.count < hca.configuration.maxAddressHandles else {
            throw .resourceExhausted("address handles")
        }
        let handle = AddressHandle(rawValue: nextHandle, attributes: attributes)
        nextHandle += 1
        addressHandles.append(handle)
        return handle
    }

    public func destroyAddressHandle(_ handle: AddressHandle) throws(VerbsError) {
        guard let index = addressHandles.firstIndex(of: handle) else {
            throw .invalidArgument("address handle \(handle.rawValue) not made by this domain or already destroyed")
        }
        addressHandles.remove(at: index)
    }

    public func deallocate() throws(VerbsError) {
        guard !deallocated else { throw .invalidArgument("protection domain already deallocated") }
        var users: [String] = []
        if regionCount > 0 { users.append("\(regionCount) memory region(s)") }
        if queuePairCount > 0 { users.append("\(queuePairCount) queue pair(s)") }
        if !addressHandles.isEmpty { users.append("\(addressHandles.count) address handle(s)") }
        guard users.isEmpty else { throw .busy("protection domain still has " + users.joined(separator: ", ")) }
        deallocated = true
    }
}
