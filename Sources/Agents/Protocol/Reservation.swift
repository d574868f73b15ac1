import Hardware

/// A SCSI-3 persistent reservation operation (SPC-3 5.6), independent of the I/O format: the
/// SCSI DDM sends it as PERSISTENT RESERVE OUT / IN; the ATA DDM sends the same CDBs, which the
/// shelf's bridge (the SAT layer in front of the ATA disk) emulates.
///
/// Every key is the caller's 64-bit reservation key; reservations are Write Exclusive (only
/// the holder writes, anyone reads) of the whole logical unit: the one type the cluster uses.
public enum ReservationRequest: Hashable, Sendable, CustomStringConvertible {
    /// REGISTER `key` for this I_T nexus (which must not be registered yet, or already with
    /// `key`: a conflict otherwise).
    case register(key: UInt64)
    /// REGISTER AND IGNORE EXISTING KEY: register `key` whatever this nexus held before.
    case registerIgnoringExisting(key: UInt64)
    /// RESERVE, Write Exclusive, with this nexus's `key`.
    case reserve(key: UInt64)
    /// PREEMPT AND ABORT with this nexus's `key`: removes the registrations of `victim` and
    /// aborts its queued commands; takes the
    /// reservation (Write Exclusive) if `victim` held it. A nexus no longer registered gets
    /// RESERVATION CONFLICT: the loser of a fence.
    case preempt(key: UInt64, victim: UInt64)
    /// RELEASE the Write Exclusive reservation this nexus holds with `key` (nothing happens if
    /// another holds it).
    case release(key: UInt64)
    /// PERSISTENT RESERVE IN, READ KEYS: every registered key.
    case readKeys
    /// PERSISTENT RESERVE IN, READ RESERVATION: the holder's key, if any.
    case readReservation
    /// The fence's drain barrier: one command the disk executes in order after the command it is
    /// servicing, so its GOOD answer says that command (the fenced partner's write PREEMPT AND
    /// ABORT could not abort) has finished. The SCSI DDM sends SYNCHRONIZE CACHE (10) (SBC-3
    /// 5.22: it completes when the cache is on the medium, i.e. after the writes in progress),
    /// the ATA DDM FLUSH CACHE EXT (ACS-3 7.10). Not a persistent reservation command: it is here
    /// because the UMA sends it in the fence's sequence of reservation steps.
    case drain

    public var description: String {
        switch self {
        case .register(let key): "register \(key)"
        case .registerIgnoringExisting(let key): "register (ignore existing) \(key)"
        case .reserve(let key): "reserve \(key)"
        case .preempt(let key, let victim): "preempt \(victim) by \(key)"
        case .release(let key): "release \(key)"
        case .readKeys: "read keys"
        case .readReservation: "read reservation"
        case .drain: "drain"
        }
    }
}

/// What a ``ReservationRequest`` found: the device's PRgeneration and, for the reads, the keys
/// or the holder. The status travels beside it (``IOStatus/reservationConflict`` when the
/// device refused the service action).
public struct ReservationResult: Hashable, Sendable {
    /// PRGENERATION (READ KEYS, READ RESERVATION); 0 for the service actions.
    public var generation: UInt32
    /// READ KEYS: the registered keys, in the device's order.
    public var keys: [UInt64]
    /// READ RESERVATION: the holder's key, nil when no reservation is held (and for the others).
    public var holder: UInt64?

    public init(generation: UInt32 = 0, keys: [UInt64] = [], holder: UInt64? = nil) {
        self.generation = generation
        self.keys = keys
        self.holder = holder
    }
}
