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
public enum PartnerShelfState: Hashable, Sendable {
    case none
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
