import Hardware

/// One endpoint's ``BusChannel`` on a simulated ``NodeBus``, made by
/// ``NodeBus/attach(endpoint:runtime:)``.
///
/// Every operation is a PCI transaction on the endpoint's own bus master and completes, in
/// issue order, on the endpoint's loop; see ``NodeBus`` for what takes effect when.
///
/// Limits (``NodeBusConfiguration``): messages up to ``maxMessageSize`` bytes, DMA up to
/// ``maxTransferSize`` bytes, at most ``NodeBusConfiguration/maxOutstandingOperations``
/// operations outstanding (then ``BusChannelError/queueFull``). While the endpoint is failed
/// (``NodeBus/fail(endpoint:)``) every call throws ``BusChannelError/channelClosed``.
///
/// Windows may expose only ``SimulatedMemory`` (``SimMemory``, a ``SimMemoryRegion``'s
/// buffer, ``SimNVRAM``); a window's bytes are the memory's own bytes, so a DMA write is
/// visible at once to the owner and to its HCA.
public final class SimBusChannel: BusChannel {
    public let localEndpoint: BusEndpoint
    /// The bus this channel is on.
    public let nodeBus: NodeBus
    private let index: Int

    init(bus: NodeBus, endpoint: BusEndpoint) {
        nodeBus = bus
        localEndpoint = endpoint
        index = Int(endpoint.rawValue) - 1
    }

    public var peers: [BusEndpoint] { nodeBus.attachedEndpoints.filter { $0 != localEndpoint } }

    public var maxMessageSize: Int { nodeBus.configuration.maxMessageSize }

    public var maxTransferSize: Int { nodeBus.configuration.maxTransferSize }

    /// What this endpoint has done so far.
    public var statistics: NodeBusEndpointStatistics { nodeBus.statistics(of: localEndpoint) }

    /// The receiver is kept (strongly) until replaced; nil makes senders see target abort.
    public func setReceiver(_ receiver: (any BusMessageReceiver)?) {
        nodeBus.endpoints[index].receiver = receiver
    }

    public func send(_ message: [UInt8], to destination: BusEndpoint, tag: UInt64, handler: any BusCompletionHandler)
        throws(BusChannelError)
    {
        try nodeBus.send(message, from: index, to: destination, tag: tag, handler: handler)
    }

    public func dmaWrite(_ bytes: [UInt8], to address: BusAddress, tag: UInt64, handler: any BusCompletionHandler)
        throws(BusChannelError)
    {
        try nodeBus.dma(.dmaWrite, from: index, address: address, count: bytes.count, bytes: bytes, tag: tag, handler: handler)
    }

    public func dmaRead(count: Int, from address: BusAddress, tag: UInt64, handler: any BusCompletionHandler)
        throws(BusChannelError)
    {
        try nodeBus.dma(.dmaRead, from: index, address: address, count: count, bytes: [], tag: tag, handler: handler)
    }

    public func exposeWindow(_ memory: any MemoryBuffer, offset: Int, length: Int, access: BusWindowAccess)
        throws(BusChannelError) -> BusWindow
    {
        guard !nodeBus.endpoints[index].failed else { throw .channelClosed }
        guard memory is any SimulatedMemory else { throw .invalidWindow("memory of another backend") }
        guard length > 0 else { throw .invalidWindow("empty window of \(length) bytes") }
        guard offset >= 0, offset <= memory.length - length else {
            throw .invalidWindow("\(length) bytes at offset \(offset) outside memory of \(memory.length) bytes")
        }
        return try nodeBus.addressSpace.expose(memory, offset: offset, length: length, access: access, owner: index)
    }

    public func removeWindow(_ window: BusWindow) throws(BusChannelError) {
        guard !nodeBus.endpoints[index].failed else { throw .channelClosed }
        try nodeBus.addressSpace.remove(window, owner: index)
    }
}
