import Hardware

/// The limits and the address map of an ``InProcessBus``.
///
/// Every default is the simulated node bus's (`NodeBusConfiguration`, whose comments give the
/// sources), so agents see the same limits and the same kind of addresses on both backends:
/// messages up to 1 KiB, DMA up to 1 MiB, 256 operations outstanding per endpoint, windows from
/// 0x8000_0000 aligned to 4 KiB, never reused, below 2⁴⁸.
public struct InProcessBusConfiguration: Sendable, Equatable {
    /// The longest message, in bytes.
    public var maxMessageSize: Int
    /// The longest DMA transfer, in bytes.
    public var maxTransferSize: Int
    /// Operations an endpoint may have issued and not yet seen complete.
    public var maxOutstandingOperations: Int
    /// The bus address of the first window.
    public var windowBase: UInt64
    /// Every window starts on a multiple of this (a power of two).
    public var windowAlignment: UInt64
    /// No window may reach past this address.
    public var addressLimit: UInt64

    public init(
        maxMessageSize: Int = 1024, maxTransferSize: Int = 1 << 20, maxOutstandingOperations: Int = 256,
        windowBase: UInt64 = 0x8000_0000, windowAlignment: UInt64 = 4096, addressLimit: UInt64 = 1 << 48
    ) {
        precondition(maxMessageSize > 0 && maxTransferSize > 0 && maxOutstandingOperations > 0)
        precondition(windowAlignment > 0 && windowAlignment & (windowAlignment - 1) == 0, "alignment must be a power of two")
        precondition(windowBase < addressLimit)
        self.maxMessageSize = maxMessageSize
        self.maxTransferSize = maxTransferSize
        self.maxOutstandingOperations = maxOutstandingOperations
        self.windowBase = windowBase
        self.windowAlignment = windowAlignment
        self.addressLimit = addressLimit
    }
}
