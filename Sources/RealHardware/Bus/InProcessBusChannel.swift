import Hardware

/// One endpoint's ``BusChannel`` on an ``InProcessBus``, made by
/// ``InProcessBus/attach(endpoint:runtime:)``.
///
/// Limits from the bus's ``InProcessBusConfiguration``; windows expose only
/// ``ProcessMemory`` (an ``AlignedMemory``, the buffer of a real memory region); while the
/// endpoint is failed every call throws ``BusChannelError/channelClosed``.
public final class InProcessBusChannel: BusChannel {
    /// The bus this channel is on.
    public let bus: InProcessBus
    private let index: Int
    public let localEndpoint: BusEndpoint

    init(bus: InProcessBus, index: Int) {
        self.bus = bus
        self.index = index
        localEndpoint = BusEndpoint(rawValue: UInt16(index + 1))
    }

    public var peers: [BusEndpoint] { bus.attachedEndpoints.filter { $0 != localEndpoint } }

    public var maxMessageSize: Int { bus.configuration.maxMessageSize }

    public var maxTransferSize: Int { bus.configuration.maxTransferSize }

    /// What this endpoint has done so far.
    public var statistics: InProcessBusStatistics { bus.statistics(of: localEndpoint) }

    /// The receiver is kept (strongly) until replaced; nil makes senders see target abort.
    public func setReceiver(_ receiver: (any BusMessageReceiver)?) {
        bus.endpoints[index].receiver = receiver
    }

    public func send(_ message: [UInt8], to destination: BusEndpoint, tag: UInt64, handler: any BusCompletionHandler)
        throws(BusChannelError)
    {
        try bus.send(message, from: index, to: destination, tag: tag, handler: handler)
    }

    public func dmaWrite(_ bytes: [UInt8], to address: BusAddress, tag: UInt64, handler: any BusCompletionHandler)
        throws(BusChannelError)
    {
        try bus.dma(.dmaWrite, from: index, address: address, count: bytes.count, bytes: bytes, tag: tag, handler: handler)
    }

    public func dmaRead(count: Int, from address: BusAddress, tag: UInt64, handler: any BusCompletionHandler)
        throws(BusChannelError)
    {
        try bus.dma(.dmaRead, from: index, address: address, count: count, bytes: [], tag: tag, handler: handler)
    }

    public func exposeWindow(_ memory: any MemoryBuffer, offset: Int, length: Int, access: BusWindowAccess)
        throws(BusChannelError) -> BusWindow
    {
        guard !bus.endpoints[index].failed else { throw .channelClosed }
        guard let memory = memory as? any ProcessMemory else { throw .invalidWindow("memory of another backend") }
        guard length > 0 else { throw .invalidWindow("empty window of \(length) bytes") }
        guard offset >= 0, offset <= memory.length - length else {
            throw .invalidWindow("\(length) bytes at offset \(offset) outside memory of \(memory.length) bytes")
        }
        return try bus.addressSpace.expose(memory, offset: offset, length: length, access: access, owner: index)
    }

    public func removeWindow(_ window: BusWindow) throws(BusChannelError) {
        guard !bus.endpoints[index].failed else { throw .channelClosed }
        try bus.addressSpace.remove(window, owner: index)
    }
}
