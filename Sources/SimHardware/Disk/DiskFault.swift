/// A fault (or repair) a ``SimDisk`` can be given now or at a scheduled time.
public enum DiskFault: Hashable, Sendable {
    /// Mechanical times (seeks, rotation, media transfer) multiplied by `factor`.
    case slow(factor: Double)
    /// Dead: accepts commands, answers nothing, until the end of the run.
    case kill
    /// Pulled from its bay: not present, outstanding commands vanish, power (and the write
    /// cache) lost.
    case pull
    /// Put back: present again; it spins up before it answers.
    case insert
    /// Power gone: the queue and the write cache are lost; nothing is answered.
    case losePower
    /// Power back: the drive spins up (the model's spin-up time), then answers.
    case restorePower
    /// Reads of these blocks fail with MEDIUM ERROR, UNRECOVERED READ ERROR until a write
    /// reassigns them (the command set's ``SCSITarget/injectMediaError(lbas:)``).
    case mediaError(lbas: Range<UInt64>)
    /// Every injected media error is repaired.
    case clearMediaErrors
}

/// A drive's power and health.
public enum DiskState: Hashable, Sendable {
    /// Spinning and answering.
    case ready
    /// Power is back; commands wait until the spindle is up to speed.
    case spinningUp
    /// No power: commands are dropped.
    case unpowered
    /// Failed for good: commands are dropped.
    case dead
}
