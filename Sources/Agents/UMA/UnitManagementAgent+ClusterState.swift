import Hardware

/// Whether a UMA serves its own LUNs.
public enum OwnShelfState: Hashable, Sendable {
    /// Advertised and accepting connections.
    case serving
    /// Cluster mode: discovered and reserved, waiting for ``UnitManagementAgent/serveOwnShelf()``
    /// (or a giveback's ``UnitManagementAgent/reclaimOwnShelf(_:)``).
    case waiting
    /// Fenced out (``UnitManagementAgent/stopServing()``): nothing advertised, connects refused.
    case stopped
}

/// What a UMA does with its partner's LUNs.
///
///     none ──fence won (preempt, drain, reserve)──> fenced ──takeOverPartner──> mapped
///       ▲                                                                          │
///       └──── releasing <──releasePartner── online <──bringPartnerOnline───────────┘
public enum PartnerShelfState: Hashable, Sendable {
    case none
    /// Fenced and drained: the partner is preempted on every disk it reached, and every one of
    /// them has finished the command it was servicing at the fence (the drain barrier). Only
    /// from here may the partner's LUNs be taken over and its log replayed.
    case fenced
    /// Taken over (in the table, the RTAs told of the host connection), not served yet.
    case mapped
    /// Advertised and accepting connections.
    case online
    /// Being given back: refused, connections closed, RELEASE under way.
    case releasing
}

/// The reservation step a cluster-mode UMA is in; one at a time.
public enum ClusterStep: Hashable, Sendable {
    case idle
    /// After discovery: REGISTER the own key on every device, primary and partner paths.
    case bootRegistering
    /// After discovery: RESERVE the primary devices.
    case bootReserving
    /// PREEMPT the partner's key on the mailbox disk.
    case fenceMailbox
    /// The PREEMPT conflicted: READ KEYS on the mailbox disk says who is still registered.
    case fenceMailboxCheck
    /// Won: PREEMPT the partner's key on every partner device.
    case fencePartnerDevices
    /// The drain barrier: ``ReservationRequest/drain`` on every device the fence preempted and
    /// the mailbox disk, all answered before the fence completes (PREEMPT AND ABORT aborts the
    /// partner's queued commands, not the one in service).
    case fenceDraining
    /// Then RESERVE them (a no-op where the preempt took the reservation).
    case fenceReserving
    /// Giveback, taker side: RELEASE the partner's devices (each once idle at its RTA).
    case releasing
    /// Giveback, returning side: REGISTER AND IGNORE EXISTING KEY on own devices…
    case reclaimRegistering
    /// … READ RESERVATION …
    case reclaimReading
    /// … PREEMPT the partner's key where it holds the reservation …
    case reclaimPreempting
    /// … drain the devices preempted (the barrier of the fence) …
    case reclaimDraining
    /// … RESERVE.
    case reclaimReserving
    /// READ RESERVATION on own devices (``UnitManagementAgent/checkOwnShelf(_:)``).
    case checking
}

/// One reservation operation of a step: where, what, and its answer.
struct ReservationItem {
    var endpoint: BusEndpoint
    var device: UInt16
    var request: ReservationRequest
    var status: IOStatus?
    var result = ReservationResult()
}
