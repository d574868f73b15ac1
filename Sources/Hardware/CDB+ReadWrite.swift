/// The fields READ and WRITE (10) and (16) share (SBC-3 5.11–5.12, 5.29–5.30).
///
/// Byte 1 holds RDPROTECT/WRPROTECT (bits 7…5), DPO (bit 4) and FUA (bit 3); the GROUP NUMBER
/// is the low 6 bits of byte 6 (10-byte) or byte 14 (16-byte).
public struct BlockTransferOptions: Hashable, Sendable {
    /// RDPROTECT or WRPROTECT (3 bits): protection information checking; 0 for none.
    public var protect: UInt8
    /// DPO: disable page out (do not keep the data in the device's cache).
    public var disablePageOut: Bool
    /// FUA: force unit access (read from, or write through to, the medium).
    public var forceUnitAccess: Bool
    /// GROUP NUMBER (6 bits).
    public var groupNumber: UInt8

    public init(protect: UInt8 = 0, disablePageOut: Bool = false, forceUnitAccess: Bool = false, groupNumber: UInt8 = 0)
    {
        self.protect = protect
        self.disablePageOut = disablePageOut
        self.forceUnitAccess = forceUnitAccess
        self.groupNumber = groupNumber
    }

    /// No options.
    public static let none = BlockTransferOptions()

    var byte1: UInt8 {
        (protect & 0x07) << 5 | (disablePageOut ? 0x10 : 0) | (forceUnitAccess ? 0x08 : 0)
    }

    init(byte1: UInt8, group: UInt8) {
        self.init(
            protect: byte1 >> 5, disablePageOut: byte1 & 0x10 != 0, forceUnitAccess: byte1 & 0x08 != 0,
            groupNumber: group & 0x3f)
    }
}

extension CDB {
    /// READ (10): `transferLength` blocks from `lba`. Data in.
    ///
    /// Layout: `28 flags lba(4) group transfer-length(2) control`.
    public struct Read10: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.read10
        public static let length = 10

        /// The first logical block.
        public var lba: UInt32
        /// The number of blocks; 0 transfers nothing.
        public var transferLength: UInt16
        /// DPO, FUA, RDPROTECT, group.
        public var options: BlockTransferOptions
        /// The CONTROL byte.
        public var control: UInt8

        public init(lba: UInt32, transferLength: UInt16, options: BlockTransferOptions = .none, control: UInt8 = 0) {
            self.lba = lba
            self.transferLength = transferLength
            self.options = options
            self.control = control
        }

        public var bytes: [UInt8] {
            CDB.encode10(Self.self, lba: lba, length: transferLength, options: options, control: control)
        }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            (lba, transferLength, options, control) = CDB.decode10(b)
        }
    }

    /// WRITE (10): `transferLength` blocks at `lba`. Data out.
    ///
    /// Layout: `2A flags lba(4) group transfer-length(2) control`.
    public struct Write10: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.write10
        public static let length = 10

        /// The first logical block.
        public var lba: UInt32
        /// The number of blocks; 0 transfers nothing.
        public var transferLength: UInt16
        /// DPO, FUA, WRPROTECT, group.
        public var options: BlockTransferOptions
        /// The CONTROL byte.
        public var control: UInt8

        public init(lba: UInt32, transferLength: UInt16, options: BlockTransferOptions = .none, control: UInt8 = 0) {
            self.lba = lba
            self.transferLength = transferLength
            self.options = options
            self.control = control
        }

        public var bytes: [UInt8] {
            CDB.encode10(Self.self, lba: lba, length: transferLength, options: options, control: control)
        }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            (lba, transferLength, options, control) = CDB.decode10(b)
        }
    }

    /// READ (16): `transferLength` blocks from a 64-bit `lba`. Data in.
    ///
    /// Layout: `88 flags lba(8) transfer-length(4) group control`.
    public struct Read16: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.read16
        public static let length = 16

        /// The first logical block.
        public var lba: UInt64
        /// The number of blocks; 0 transfers nothing.
        public var transferLength: UInt32
        /// DPO, FUA, RDPROTECT, group.
        public var options: BlockTransferOptions
        /// The CONTROL byte.
        public var control: UInt8

        public init(lba: UInt64, transferLength: UInt32, options: BlockTransferOptions = .none, control: UInt8 = 0) {
            self.lba = lba
            self.transferLength = transferLength
            self.options = options
            self.control = control
        }

        public var bytes: [UInt8] {
            CDB.encode16(Self.self, lba: lba, length: transferLength, options: options, control: control)
        }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            (lba, transferLength, options, control) = CDB.decode16(b)
        }
    }

    /// WRITE (16): `transferLength` blocks at a 64-bit `lba`. Data out.
    ///
    /// Layout: `8A flags lba(8) transfer-length(4) group control`.
    public struct Write16: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.write16
        public static let length = 16

        /// The first logical block.
        public var lba: UInt64
        /// The number of blocks; 0 transfers nothing.
        public var transferLength: UInt32
        /// DPO, FUA, WRPROTECT, group.
        public var options: BlockTransferOptions
        /// The CONTROL byte.
        public var control: UInt8

        public init(lba: UInt64, transferLength: UInt32, options: BlockTransferOptions = .none, control: UInt8 = 0) {
            self.lba = lba
            self.transferLength = transferLength
            self.options = options
            self.control = control
        }

        public var bytes: [UInt8] {
            CDB.encode16(Self.self, lba: lba, length: transferLength, options: options, control: control)
        }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            (lba, transferLength, options, control) = CDB.decode16(b)
        }
    }

    static func encode10<C: CommandDescriptorBlock>(
        _ type: C.Type, lba: UInt32, length: UInt16, options: BlockTransferOptions, control: UInt8
    ) -> [UInt8] {
        var b = template(type, control: control)
        b[1] = options.byte1
        BigEndianBytes.write(UInt64(lba), into: &b, at: 2, count: 4)
        b[6] = options.groupNumber & 0x3f
        BigEndianBytes.write(UInt64(length), into: &b, at: 7, count: 2)
        return b
    }

    static func decode10(_ b: [UInt8]) -> (UInt32, UInt16, BlockTransferOptions, UInt8) {
        (
            UInt32(BigEndianBytes.read(b, at: 2, count: 4)), UInt16(BigEndianBytes.read(b, at: 7, count: 2)),
            BlockTransferOptions(byte1: b[1], group: b[6]), b[9]
        )
    }

    static func encode16<C: CommandDescriptorBlock>(
        _ type: C.Type, lba: UInt64, length: UInt32, options: BlockTransferOptions, control: UInt8
    ) -> [UInt8] {
        var b = template(type, control: control)
        b[1] = options.byte1
        BigEndianBytes.write(lba, into: &b, at: 2, count: 8)
        BigEndianBytes.write(UInt64(length), into: &b, at: 10, count: 4)
        b[14] = options.groupNumber & 0x3f
        return b
    }

    static func decode16(_ b: [UInt8]) -> (UInt64, UInt32, BlockTransferOptions, UInt8) {
        (
            BigEndianBytes.read(b, at: 2, count: 8), UInt32(BigEndianBytes.read(b, at: 10, count: 4)),
            BlockTransferOptions(byte1: b[1], group: b[14]), b[15]
        )
    }
}
