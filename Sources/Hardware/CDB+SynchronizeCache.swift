extension CDB {
    /// SYNCHRONIZE CACHE (10) (SBC-3 5.22): write `blockCount` cached blocks from `lba` to the
    /// medium (0 blocks: to the end of the medium). No data.
    ///
    /// Layout: `35 immed lba(4) group number-of-blocks(2) control`; IMMED is bit 1 of byte 1.
    public struct SynchronizeCache10: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.synchronizeCache10
        public static let length = 10

        /// IMMED: complete as soon as the command is validated, before the cache is written.
        public var immediate: Bool
        /// The first block to synchronise.
        public var lba: UInt32
        /// NUMBER OF LOGICAL BLOCKS; 0 means every block from ``lba`` to the end.
        public var blockCount: UInt16
        /// GROUP NUMBER (6 bits).
        public var groupNumber: UInt8
        /// The CONTROL byte.
        public var control: UInt8

        public init(
            immediate: Bool = false, lba: UInt32 = 0, blockCount: UInt16 = 0, groupNumber: UInt8 = 0, control: UInt8 = 0
        ) {
            self.immediate = immediate
            self.lba = lba
            self.blockCount = blockCount
            self.groupNumber = groupNumber
            self.control = control
        }

        public var bytes: [UInt8] {
            var b = CDB.template(Self.self, control: control)
            b[1] = immediate ? 0x02 : 0
            BigEndianBytes.write(UInt64(lba), into: &b, at: 2, count: 4)
            b[6] = groupNumber & 0x3f
            BigEndianBytes.write(UInt64(blockCount), into: &b, at: 7, count: 2)
            return b
        }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            immediate = b[1] & 0x02 != 0
            lba = UInt32(BigEndianBytes.read(b, at: 2, count: 4))
            groupNumber = b[6] & 0x3f
            blockCount = UInt16(BigEndianBytes.read(b, at: 7, count: 2))
            control = b[9]
        }
    }
}
