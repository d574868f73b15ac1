import Hardware

/// The verbs provider of one simulated node: lists its HCAs in topology order and opens them.
public final class SimVerbsProvider: VerbsProvider {
    /// The node's HCAs, in the order the topology added them.
    public private(set) var adapters: [SimHCA]

    public init(adapters: [SimHCA] = []) { self.adapters = adapters }

    /// Adds an HCA to the node (topology construction).
    public func add(_ hca: SimHCA) { adapters.append(hca) }

    public func devices() throws(VerbsError) -> [VerbsDeviceInfo] { adapters.map(\.deviceInfo) }

    public func openDevice(named name: String) throws(VerbsError) -> any VerbsDeviceContext {
        guard !adapters.isEmpty else { throw .noDevice }
        guard let hca = adapters.first(where: { $0.name == name }) else { throw .deviceNotFound(name: name) }
        guard !hca.failed else { throw .deviceClosed }
        return SimVerbsContext(hca: hca)
    }
}

/// An opened simulated HCA (`ibv_context`). One HCA may be opened once at a time: the
/// simulated device has one set of resource tables, as one process's context would.
public final class SimVerbsContext: VerbsDeviceContext {
    public let hca: SimHCA
    /// The device incarnation it opened (``SimHCA/restart()`` kills older contexts).
    let incarnation: Int

    init(hca: SimHCA) {
        self.hca = hca
        incarnation = hca.incarnation
        hca.contextIsClosed = false
    }

    public var device: VerbsDeviceInfo { hca.deviceInfo }

    public var attributes: VerbsDeviceAttributes {
        let c = hca.configuration
        return VerbsDeviceAttributes(
            firmwareVersion: "3.5.0 (simulated)", nodeGUID: hca.guid, systemImageGUID: hca.guid, vendorID: c.vendorID,
            vendorPartID: c.vendorPartID, maxMemoryRegionSize: c.maxMemoryRegionSize, maxQueuePairs: c.maxQueuePairs,
            maxQueuePairWorkRequests: c.maxQueuePairWorkRequests, maxScatterGatherElements: c.maxScatterGatherElements,
            maxCompletionQueues: c.maxCompletionQueues, maxCompletionQueueEntries: c.maxCompletionQueueEntries,
            maxMemoryRegions: c.maxMemoryRegions, maxProtectionDomains: c.maxProtectionDomains,
            maxQueuePairReadAtomic: c.maxReadAtomic, maxQueuePairInitiatorReadAtomic: c.maxReadAtomic,
            maxAddressHandles: c.maxAddressHandles, physicalPortCount: c.portCount)
    }

    private func checkOpen() throws(VerbsError) {
        if hca.isClosed(for: incarnation) { throw .deviceClosed }
    }

    private func port(_ number: UInt8) throws(VerbsError) -> HCAPort {
        guard number >= 1, Int(number) <= hca.ports.count else { throw .invalidPort(number) }
        return hca.ports[Int(number) - 1]
    }

    public func queryPort(_ number: UInt8) throws(VerbsError) -> PortAttributes {
        try checkOpen()
        let port = try port(number)
        guard let network = port.attachment else {
            return PortAttributes(state: .down, maxMTU: .mtu2048, activeMTU: .mtu2048, lid: 0, activeWidth: .x4, activeSpeed: .sdr)
        }
        return PortAttributes(
            state: hca.failed ? .down : network.portState, maxMTU: network.maxMTU, activeMTU: network.maxMTU,
            lid: network.lid, smLID: network.subnetManagerLID, activeWidth: network.activeWidth,
            activeSpeed: network.activeSpeed, linkLayer: network.linkLayer)
    }

    public func queryGID(port number: UInt8, index: Int) throws(VerbsError) -> GID {
        try checkOpen()
        let port = try port(number)
        guard index == 0 else { throw .invalidArgument("GID index \(index) (the table has 1 entry)") }
        return port.attachment?.gid ?? GID(linkLocal: hca.portGUID(number))
    }

    public func allocateProtectionDomain() throws(VerbsError) -> any ProtectionDomain {
        try checkOpen()
        guard hca.protectionDomainCount < hca.configuration.maxProtectionDomains else {
            throw .resourceExhausted("protection domains")
        }
        hca.protectionDomainCount += 1
        return SimProtectionDomain(hca: hca, incarnation: incarnation)
    }

    public func createCompletionQueue(
        minimumEntries: Int, observer: (any CompletionQueueObserver)?, token: UInt64
    ) throws(VerbsError) -> any CompletionQueue {
        try checkOpen()
        let limit = hca.configuration.maxCompletionQueueEntries
        guard minimumEntries >= 1, minimumEntries <= limit else {
            throw .invalidArgument("completion queue size \(minimumEntries) (1…\(limit))")
        }
        guard hca.completionQueueCount < hca.configuration.maxCompletionQueues else {
            throw .resourceExhausted("completion queues")
        }
        hca.completionQueueCount += 1
        // Like mthca, round up to a power of two minus one.
        var capacity = 1
        while capacity - 1 < minimumEntries { capacity <<= 1 }
        return SimCompletionQueue(
            hca: hca, incarnation: incarnation, capacity: min(capacity - 1, limit), observer: observer, token: token)
    }

    public func setAsyncEventHandler(_ handler: (any VerbsAsyncEventHandler)?) {
        guard incarnation == hca.incarnation else { return }
        hca.asyncHandler = handler
    }

    public func close() {
        guard incarnation == hca.incarnation else { return }
        hca.contextIsClosed = true
        hca.asyncHandler = nil
    }
}
