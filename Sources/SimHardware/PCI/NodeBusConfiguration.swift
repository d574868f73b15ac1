import Hardware

/// The limits and the address map of a ``NodeBus``: the node bus's ``BusLimits`` (read through
/// as `configuration.maxMessageSize` etc.; their defaults and sources are there) and where the
/// simulated bus puts its message queues.
///
/// - Each endpoint's inbound message queue sits at ``messagePortBase`` + endpoint × 4 KiB, the
///   address its messages' PCI writes carry (for traces and address-matched faults). Assumption:
///   below the window range so the two never collide.
@dynamicMemberLookup
public struct NodeBusConfiguration: Sendable, Equatable {
    /// Message and transfer sizes, outstanding operations, the window address map.
    public var limits: BusLimits
    /// The bus address of endpoint 0's inbound message queue; endpoint `n`'s is 4 KiB × `n` above.
    public var messagePortBase: UInt64

    public init(limits: BusLimits = BusLimits(), messagePortBase: UInt64 = 0x7000_0000) {
        self.limits = limits
        self.messagePortBase = messagePortBase
    }

    /// One of ``limits``' fields, e.g. `configuration.maxMessageSize`.
    public subscript<Value>(dynamicMember field: KeyPath<BusLimits, Value>) -> Value { limits[keyPath: field] }

    /// The address the messages to `endpoint` are written to.
    public func messagePort(of endpoint: BusEndpoint) -> UInt64 {
        messagePortBase + UInt64(endpoint.rawValue) * 4096
    }
}
