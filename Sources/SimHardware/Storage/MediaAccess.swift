/// What a command needs of a disk's mechanism: the only thing the command set
/// (``SCSITarget``) tells the timing model (``DiskMechanics``).
///
/// The command set knows bytes and no time; the mechanism knows time and no bytes. A disk
/// (``SimDisk``) asks its command set what each command needs, queues the accesses, lets the
/// mechanism time them, and hands the finished access back to the command set for its answer.
public enum MediaAccess: Hashable, Sendable {
    /// Read `blocks` logical blocks starting at `lba` (from the cache or the medium).
    case read(lba: UInt64, blocks: Int)
    /// Write `blocks` logical blocks starting at `lba`. With the write cache on and
    /// `forceUnitAccess` false, the write completes once it is in the cache.
    case write(lba: UInt64, blocks: Int, forceUnitAccess: Bool)
    /// Write every dirty cached block to the medium (SYNCHRONIZE CACHE, FLUSH CACHE EXT).
    case flush

    /// The first block touched, or nil for a flush.
    public var lba: UInt64? {
        switch self {
        case .read(let lba, _), .write(let lba, _, _): lba
        case .flush: nil
        }
    }

    /// The number of blocks moved to or from the host (0 for a flush).
    public var blocks: Int {
        switch self {
        case .read(_, let blocks), .write(_, let blocks, _): blocks
        case .flush: 0
        }
    }
}
