extension CDB {
    /// READ CAPACITY (10) (SBC-3 5.15): the last LBA and block length, as ``ReadCapacity10Data``.
    /// Data in, 8 bytes.
    ///
    /// Layout: `25 00 00 00 00 00 00 00 00 control` (the obsolete LBA and PMI fields are zero).
    public struct ReadCapacity10: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.readCapacity10
        public static let length = 10

        /// The CONTROL byte.
        public var control: UInt8

        public init(control: UInt8 = 0) {
            self.control = control
        }

        public var bytes: [UInt8] { CDB.template(Self.self, control: control) }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            control = b[9]
        }
    }

    /// READ CAPACITY (16) (SBC-3 5.16): SERVICE ACTION IN (16) with service action 10h; the
    /// 64-bit last LBA, block length and physical block layout, as ``ReadCapacity16Data``.
    /// Data in, up to 32 bytes.
    ///
    /// Layout: `9E 10 lba(8)=0 allocation-length(4) 00 control`.
    public struct ReadCapacity16: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.serviceActionIn16
        public static let length = 16
        /// The SERVICE ACTION of READ CAPACITY (16).
        public static let serviceAction: UInt8 = 0x10

        /// The most bytes to return (32 for the whole parameter data).
        public var allocationLength: UInt32
        /// The CONTROL byte.
        public var control: UInt8

        public init(allocationLength: UInt32 = 32, control: UInt8 = 0) {
            self.allocationLength = allocationLength
            self.control = control
        }

        public var bytes: [UInt8] {
            var b = CDB.template(Self.self, control: control)
            b[1] = Self.serviceAction
            BigEndianBytes.write(UInt64(allocationLength), into: &b, at: 10, count: 4)
            return b
        }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self), b[1] & 0x1f == Self.serviceAction else { return nil }
            allocationLength = UInt32(BigEndianBytes.read(b, at: 10, count: 4))
            control = b[15]
        }
    }
}

/// The parameter data of READ CAPACITY (10): 8 bytes.
public struct ReadCapacity10Data: Hashable, Sendable {
    /// RETURNED LOGICAL BLOCK ADDRESS: the last LBA; 0xFFFF_FFFF means "too large, use
    /// READ CAPACITY (16)".
    public var lastLBA: UInt32
    /// LOGICAL BLOCK LENGTH IN BYTES.
    public var blockLength: UInt32

    /// The length of the encoding.
    public static let length = 8

    public init(lastLBA: UInt32, blockLength: UInt32) {
        self.lastLBA = lastLBA
        self.blockLength = blockLength
    }

    /// Decodes the first 8 bytes; nil when there are fewer.
    public init?(bytes input: some Collection<UInt8>) {
        let b = Array(input)
        guard b.count >= Self.length else { return nil }
        lastLBA = UInt32(BigEndianBytes.read(b, at: 0, count: 4))
        blockLength = UInt32(BigEndianBytes.read(b, at: 4, count: 4))
    }

    public var bytes: [UInt8] {
        var b = [UInt8](repeating: 0, count: Self.length)
        BigEndianBytes.write(UInt64(lastLBA), into: &b, at: 0, count: 4)
        BigEndianBytes.write(UInt64(blockLength), into: &b, at: 4, count: 4)
        return b
    }
}

/// The parameter data of READ CAPACITY (16): 32 bytes (the fields this system uses).
public struct ReadCapacity16Data: Hashable, Sendable {
    /// RETURNED LOGICAL BLOCK ADDRESS: the last LBA.
    public var lastLBA: UInt64
    /// LOGICAL BLOCK LENGTH IN BYTES.
    public var blockLength: UInt32
    /// LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT (e.g. 3 for 512-byte blocks on 4 KiB sectors).
    public var logicalBlocksPerPhysicalBlockExponent: UInt8
    /// LOWEST ALIGNED LOGICAL BLOCK ADDRESS (14 bits).
    public var lowestAlignedLBA: UInt16

    /// The length of the encoding.
    public static let length = 32

    public init(
        lastLBA: UInt64, blockLength: UInt32, logicalBlocksPerPhysicalBlockExponent: UInt8 = 0,
        lowestAlignedLBA: UInt16 = 0
    ) {
        self.lastLBA = lastLBA
        self.blockLength = blockLength
        self.logicalBlocksPerPhysicalBlockExponent = logicalBlocksPerPhysicalBlockExponent
        self.lowestAlignedLBA = lowestAlignedLBA
    }

    /// Decodes the data; nil with fewer than 12 bytes (last LBA and block length). Fields past
    /// the bytes given (a short allocation length) read as zero.
    public init?(bytes input: some Collection<UInt8>) {
        let b = Array(input)
        guard b.count >= 12 else { return nil }
        lastLBA = BigEndianBytes.read(b, at: 0, count: 8)
        blockLength = UInt32(BigEndianBytes.read(b, at: 8, count: 4))
        logicalBlocksPerPhysicalBlockExponent = b.count > 13 ? b[13] & 0x0f : 0
        lowestAlignedLBA = b.count > 15 ? UInt16(BigEndianBytes.read(b, at: 14, count: 2)) & 0x3fff : 0
    }

    public var bytes: [UInt8] {
        var b = [UInt8](repeating: 0, count: Self.length)
        BigEndianBytes.write(lastLBA, into: &b, at: 0, count: 8)
        BigEndianBytes.write(UInt64(blockLength), into: &b, at: 8, count: 4)
        b[13] = logicalBlocksPerPhysicalBlockExponent & 0x0f
        BigEndianBytes.write(UInt64(lowestAlignedLBA & 0x3fff), into: &b, at: 14, count: 2)
        return b
    }
}
