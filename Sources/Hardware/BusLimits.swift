/// The limits and the window address map of a node bus, the same on both backends: the
/// simulated `NodeBus` and the real `InProcessBus` take theirs from this one type, so agents
/// see the same limits and the same kind of addresses whichever bus carries them.
///
/// Defaults and their sources:
/// - ``maxMessageSize`` 1 KiB. Assumption: an I2O message frame is at most 256 words in the
///   spec (1 KiB with 32-bit words); the CTA⇄RTA API messages are far smaller, so 1 KiB is kept
///   as the bound rather than a frame-by-frame model.
/// - ``maxTransferSize`` 1 MiB. Assumption: large enough for any data buffer the RTA advertises
///   (the disk models transfer at most a few hundred KiB per command) and small enough that one
///   transfer cannot hold a bus master's FIFO for long (1 MiB on 32/33 PCI is about 8 ms).
/// - ``maxOutstandingOperations`` 256 per endpoint. Assumption: the depth of an I/O processor's
///   inbound/outbound message queues of the period is in the hundreds; 256 bounds a runaway
///   agent without limiting a sane one.
/// - Windows from ``windowBase`` 0x8000_0000 (assumption: the upper half of the 32-bit PCI
///   memory space, where PCI device memory is usually mapped), aligned to ``windowAlignment``
///   4 KiB (PCI 2.2 §6.2.5.1 recommends that a memory BAR claim at least 4 KiB
///   [unverified: from memory of the spec's implementation note]).
/// - ``addressLimit`` 2⁴⁸. Assumption: windows are never reused, so a run that exposes and
///   removes a buffer per I/O would exhaust a 32-bit space after 2 GiB of windows; a 64-bit
///   (dual address cycle) space bounded at 48 bits never runs out in a simulation run.
///   Addresses label the bus model only: they do not change its timing.
public struct BusLimits: Sendable, Equatable {
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
