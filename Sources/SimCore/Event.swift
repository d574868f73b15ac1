import Timebase

/// The index of a component registered with a ``Simulator``.
///
/// Identifiers are dense and assigned in registration order, so a deterministic set-up gives
/// the same identifiers in every process.
@frozen
public struct ComponentID: Hashable, Comparable, Sendable {
    public var index: UInt32

    @inlinable
    public init(index: UInt32) {
        self.index = index
    }

    @inlinable
    public static func < (lhs: ComponentID, rhs: ComponentID) -> Bool { lhs.index < rhs.index }
}

/// What an event means to the component that receives it; each component defines its own.
///
/// The values `0..<EventKind.limit` are free for components; the kernel keeps the top bit
/// to mark timer events.
@frozen
public struct EventKind: Hashable, Sendable, RawRepresentable {
    public var rawValue: UInt32

    @inlinable
    public init(rawValue: UInt32) {
        precondition(rawValue < EventKind.limit, "EventKind \(rawValue) uses the kernel's timer bit")
        self.rawValue = rawValue
    }

    @inlinable
    init(unchecked rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// The first value components may not use.
    public static let limit: UInt32 = 0x8000_0000

    @usableFromInline
    static let timerBit: UInt32 = 0x8000_0000
}

/// One scheduled occurrence: at `time`, component `target` handles `kind` with `payload`.
///
/// Events are 32-byte values held directly in the queue: scheduling one allocates nothing,
/// and dispatch is one call on the target component (a closure per event measured 3.5×
/// slower here). Anything larger than the 64-bit payload lives in the component's own
/// storage, and the payload names it (a slot index, a packet handle).
@frozen
public struct Event: Sendable {
    /// When the event happens.
    public var time: Instant
    /// The scheduling order: breaks ties in `time`, first scheduled first run.
    public var sequence: UInt64
    /// The component that handles the event.
    public var target: ComponentID
    @usableFromInline
    var storedKind: UInt32
    /// The component's own data for this event.
    public var payload: UInt64

    @inlinable
    init(time: Instant, sequence: UInt64, target: ComponentID, storedKind: UInt32, payload: UInt64) {
        self.time = time
        self.sequence = sequence
        self.target = target
        self.storedKind = storedKind
        self.payload = payload
    }

    /// What the event means to its target (for a timer, the kind given to ``Simulator/startTimer(_:for:after:payload:)``).
    @inlinable
    public var kind: EventKind { EventKind(unchecked: storedKind & ~EventKind.timerBit) }

    @inlinable
    var isTimer: Bool { storedKind & EventKind.timerBit != 0 }

    /// The strict total order the queue runs events in: by time, then by scheduling order.
    ///
    /// Compared as one 128-bit key (time is never negative), which compiles to a branch-free
    /// compare: the heap's sift loops are most of the kernel's cost.
    @inlinable
    func runsBefore(_ other: Event) -> Bool {
        orderKey < other.orderKey
    }

    @inlinable
    var orderKey: UInt128 {
        UInt128(UInt64(bitPattern: time.picoseconds)) << 64 | UInt128(sequence)
    }
}
