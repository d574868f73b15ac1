/// A bus operation the channel refuses to issue, or a window it cannot expose.
///
/// Failures of issued operations are not errors of this kind: they arrive as ``BusStatus``
/// values in the completion, on the loop.
public enum BusChannelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A message longer than ``BusChannel/maxMessageSize``; its length.
    case messageTooLarge(Int)
    /// A DMA length that is zero, negative, or beyond ``BusChannel/maxTransferSize``; the length.
    case invalidTransferLength(Int)
    /// The window's range lies outside the memory, or the window is not this channel's; the
    /// text says which.
    case invalidWindow(String)
    /// The bus address space has no room for another window of this size.
    case addressSpaceExhausted
    /// The channel holds its maximum of outstanding operations; issue again after a completion.
    case queueFull
    /// The channel is closed: its endpoint was reset or shut down.
    case channelClosed
    /// A system call failed with `errno` (real backend only).
    case systemError(function: String, errno: Int32)

    public var description: String {
        switch self {
        case .messageTooLarge(let length): "message of \(length) bytes exceeds the bus's maximum"
        case .invalidTransferLength(let length): "invalid DMA length \(length)"
        case .invalidWindow(let what): "invalid window: \(what)"
        case .addressSpaceExhausted: "bus address space exhausted"
        case .queueFull: "too many outstanding bus operations"
        case .channelClosed: "bus channel closed"
        case .systemError(let function, let errno): "\(function) failed: errno \(errno)"
        }
    }
}
