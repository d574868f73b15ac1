/// A node's battery-backed memory: the write log that lets a takeover lose no acknowledged
/// write.
///
/// Its contents survive a crash of the node's software, a reset, and a loss of power, as
/// long as the battery is healthy. If the battery has failed (``isBatteryHealthy`` is false)
/// the contents survive crashes and resets but not a power loss: after power returns they are
/// undefined (the simulator fills them with a recognisable pattern). Agents that need the
/// guarantee must check the battery before acknowledging a write from the log, and stop
/// relying on it when it fails.
///
/// It is memory: ``MemoryBuffer/read(offset:count:)`` and ``MemoryBuffer/write(_:at:)`` are
/// synchronous, and a write is durable when the call returns (a backend on real persistent
/// memory flushes the CPU caches for the range before returning; after a
/// `withUnsafeMutableBytes` body it flushes the whole buffer). There is no completion.
///
/// To let the partner mirror its log here by RDMA, register it with a verbs protection domain
/// (``ProtectionDomain/registerMemory(_:access:)``); to let storage nodes reach it by DMA,
/// expose it on the bus (``BusChannel/exposeWindow(_:offset:length:access:)``). Both share
/// these bytes; writes through either are durable as soon as the operation completes.
///
/// - Warning: Not thread-safe. Call it only on the node's loop.
public protocol NVRAM: MemoryBuffer {
    /// Whether the battery would preserve the contents through a power loss now.
    var isBatteryHealthy: Bool { get }
}

extension NVRAM {
    /// The size of the NVRAM in bytes (its ``MemoryBuffer/length``).
    public var capacity: Int { length }
}
