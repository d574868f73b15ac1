extension CDB {
    /// ATA PASS-THROUGH (16) (SAT-3 12.2.2): an ATA command carried in a SCSI CDB, for disks
    /// behind a SCSI-to-ATA translation layer.
    ///
    /// Layout:
    ///
    /// | byte | contents                                                                  |
    /// |------|---------------------------------------------------------------------------|
    /// | 0    | 85h                                                                       |
    /// | 1    | MULTIPLE_COUNT (7…5), PROTOCOL (4…1), EXTEND (0)                           |
    /// | 2    | OFF_LINE (7…6), CK_COND (5), T_TYPE (4), T_DIR (3), BYT_BLOK (2), T_LENGTH (1…0) |
    /// | 3–4  | FEATURES (15:8), (7:0)                                                    |
    /// | 5–6  | COUNT (15:8), (7:0)                                                       |
    /// | 7–12 | LBA (31:24), (7:0), (39:32), (15:8), (47:40), (23:16)                     |
    /// | 13   | DEVICE                                                                    |
    /// | 14   | COMMAND                                                                   |
    /// | 15   | CONTROL                                                                   |
    public struct ATAPassThrough16: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.ataPassThrough16
        public static let length = 16

        /// How the SATL runs the command.
        public var `protocol`: ATAProtocol
        /// MULTIPLE_COUNT (3 bits): log2 of sectors per DRQ block for READ/WRITE MULTIPLE.
        public var multipleCount: UInt8
        /// EXTEND: a 48-bit command (use the high bytes of the registers).
        public var extend: Bool
        /// OFF_LINE (2 bits): how long the device may be off line after the command.
        public var offline: UInt8
        /// CK_COND: return the ATA registers in sense data (ATA Status Return) even on success.
        public var checkCondition: Bool
        /// T_TYPE: with BYT_BLOK, the transfer is counted in logical sectors rather than 512-byte
        /// blocks.
        public var transferInLogicalSectors: Bool
        /// T_DIR: data moves from the device (true) or to it (false).
        public var transferFromDevice: Bool
        /// BYT_BLOK: the transfer length counts blocks (true) or bytes (false).
        public var transferInBlocks: Bool
        /// T_LENGTH: which register holds the transfer length.
        public var transferLengthLocation: ATATransferLengthLocation
        /// The ATA registers.
        public var taskFile: ATATaskFile
        /// The CONTROL byte.
        public var control: UInt8

        public init(
            protocol: ATAProtocol, taskFile: ATATaskFile, extend: Bool, transferFromDevice: Bool = false,
            transferInBlocks: Bool = false, transferLengthLocation: ATATransferLengthLocation = .noData,
            checkCondition: Bool = false, transferInLogicalSectors: Bool = false, multipleCount: UInt8 = 0,
            offline: UInt8 = 0, control: UInt8 = 0
        ) {
            self.protocol = `protocol`
            self.multipleCount = multipleCount
            self.extend = extend
            self.offline = offline
            self.checkCondition = checkCondition
            self.transferInLogicalSectors = transferInLogicalSectors
            self.transferFromDevice = transferFromDevice
            self.transferInBlocks = transferInBlocks
            self.transferLengthLocation = transferLengthLocation
            self.taskFile = taskFile
            self.control = control
        }

        /// IDENTIFY DEVICE: PIO data-in of one 512-byte block.
        public static func identifyDevice() -> ATAPassThrough16 {
            ATAPassThrough16(
                protocol: .pioDataIn, taskFile: ATATaskFile(count: 1, command: .identifyDevice), extend: false,
                transferFromDevice: true, transferInBlocks: true, transferLengthLocation: .count)
        }

        /// READ DMA EXT of `sectorCount` sectors from `lba` (0 sectors means 65 536).
        public static func readDMAExt(lba: UInt64, sectorCount: UInt16) -> ATAPassThrough16 {
            ATAPassThrough16(
                protocol: .dma,
                taskFile: ATATaskFile(count: sectorCount, lba: lba, device: ATATaskFile.lbaMode, command: .readDMAExt),
                extend: true, transferFromDevice: true, transferInBlocks: true, transferLengthLocation: .count)
        }

        /// WRITE DMA EXT of `sectorCount` sectors at `lba` (0 sectors means 65 536).
        public static func writeDMAExt(lba: UInt64, sectorCount: UInt16) -> ATAPassThrough16 {
            ATAPassThrough16(
                protocol: .dma,
                taskFile: ATATaskFile(count: sectorCount, lba: lba, device: ATATaskFile.lbaMode, command: .writeDMAExt),
                extend: true, transferFromDevice: false, transferInBlocks: true, transferLengthLocation: .count)
        }

        /// FLUSH CACHE EXT: non-data.
        public static func flushCacheExt() -> ATAPassThrough16 {
            ATAPassThrough16(protocol: .nonData, taskFile: ATATaskFile(command: .flushCacheExt), extend: true)
        }

        public var bytes: [UInt8] {
            var b = CDB.template(Self.self, control: control)
            b[1] = (multipleCount & 0x07) << 5 | `protocol`.rawValue << 1 | (extend ? 0x01 : 0)
            b[2] =
                (offline & 0x03) << 6 | (checkCondition ? 0x20 : 0) | (transferInLogicalSectors ? 0x10 : 0)
                | (transferFromDevice ? 0x08 : 0) | (transferInBlocks ? 0x04 : 0) | transferLengthLocation.rawValue
            BigEndianBytes.write(UInt64(taskFile.features), into: &b, at: 3, count: 2)
            BigEndianBytes.write(UInt64(taskFile.count), into: &b, at: 5, count: 2)
            let lba = ATALBA.encode(taskFile.lba)
            b[7] = lba.lowExt
            b[8] = lba.low
            b[9] = lba.midExt
            b[10] = lba.mid
            b[11] = lba.highExt
            b[12] = lba.high
            b[13] = taskFile.device
            b[14] = taskFile.command.rawValue
            return b
        }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            multipleCount = b[1] >> 5
            `protocol` = ATAProtocol(rawValue: (b[1] >> 1) & 0x0f)
            extend = b[1] & 0x01 != 0
            offline = b[2] >> 6
            checkCondition = b[2] & 0x20 != 0
            transferInLogicalSectors = b[2] & 0x10 != 0
            transferFromDevice = b[2] & 0x08 != 0
            transferInBlocks = b[2] & 0x04 != 0
            transferLengthLocation = ATATransferLengthLocation(rawValue: b[2] & 0x03)
            taskFile = ATATaskFile(
                features: UInt16(BigEndianBytes.read(b, at: 3, count: 2)),
                count: UInt16(BigEndianBytes.read(b, at: 5, count: 2)),
                lba: ATALBA.decode(low: b[8], mid: b[10], high: b[12], lowExt: b[7], midExt: b[9], highExt: b[11]),
                device: b[13],
                command: ATACommandCode(rawValue: b[14]))
            control = b[15]
        }
    }
}
