/// What a watched file descriptor is ready for, as `epoll` reports it.
public struct FileDescriptorEvents: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Data can be read (EPOLLIN): a verbs completion channel has an event, a pipe has bytes.
    public static let readable = FileDescriptorEvents(rawValue: 0x001)
    /// Data can be written without blocking (EPOLLOUT).
    public static let writable = FileDescriptorEvents(rawValue: 0x004)
    /// An error condition (EPOLLERR); always reported, never needs asking for.
    public static let error = FileDescriptorEvents(rawValue: 0x008)
    /// The other end hung up (EPOLLHUP); always reported, never needs asking for.
    public static let hangUp = FileDescriptorEvents(rawValue: 0x010)

    /// E.g. `readable|hangUp`.
    public var description: String {
        let names: [(FileDescriptorEvents, String)] = [
            (.readable, "readable"), (.writable, "writable"), (.error, "error"), (.hangUp, "hangUp"),
        ]
        let present = names.filter { contains($0.0) }.map(\.1)
        return present.isEmpty ? "none" : present.joined(separator: "|")
    }
}

/// An object told when a file descriptor a ``RealNodeRuntime`` watches is ready, without a
/// closure per event.
///
/// Watching is level-triggered: the handler is called on every turn of the loop while the
/// descriptor stays ready, so it should consume what made it ready (read the pipe, drain the
/// completion channel) or ``RealNodeRuntime/unwatch(_:)`` it.
public protocol FileDescriptorHandler: AnyObject {
    /// `fd` is ready for `events`. Runs on the runtime's loop.
    func fileDescriptorReady(_ fd: Int32, events: FileDescriptorEvents)
}
