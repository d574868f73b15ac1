import Hardware

/// A block operation a client asks of a remote LUN through a ``ClientInitiator``.
///
/// Any number of blocks: the initiator splits it into pieces no larger than the connection's
/// granted ``ConnectionGrant/maxTransferBytes`` and completes it once.
public struct BlockRequest: Hashable, Sendable {
    public var lun: UInt16
    public var operation: BlockOperation
    public var lba: UInt64
    /// Blocks to move: at least 1 for a read or write, 0 for a flush.
    public var blocks: UInt32
    /// Where in the initiator's buffer the data goes (read) or comes from (write): any byte
    /// offset, the data taking `blocks` × the LUN's block length bytes from there.
    public var bufferOffset: Int

    public init(lun: UInt16, operation: BlockOperation, lba: UInt64, blocks: UInt32, bufferOffset: Int) {
        self.lun = lun
        self.operation = operation
        self.lba = lba
        self.blocks = blocks
        self.bufferOffset = bufferOffset
    }
}
