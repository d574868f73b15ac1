import Hardware

/// How the ATA DDM turns the answer to an ATA PASS-THROUGH command into the sense the agents
/// see, as a SAT layer does (SAT-4 11.7, after Linux libata's `ata_to_sense_error`).
public enum ATASenseTranslation {
    /// ATA STATUS bits (ACS-3 6.2.11): ERR and DF (device fault).
    public static let errorBit: UInt8 = 0x01
    public static let deviceFaultBit: UInt8 = 0x20
    /// ATA ERROR bits (ACS-3 6.2.2): ABRT, IDNF, UNC.
    public static let abortedBit: UInt8 = 0x04
    public static let idNotFoundBit: UInt8 = 0x10
    public static let uncorrectableBit: UInt8 = 0x40

    /// The summary of `sense`: translated from the ATA Status Return descriptor's registers
    /// when they report an error (ERR or DF), else the sense key, code and information as the
    /// device gave them.
    ///
    /// ERR with UNC → MEDIUM ERROR, UNRECOVERED READ ERROR (11/00), the LBA registers in the
    /// information field; IDNF → ILLEGAL REQUEST, LOGICAL BLOCK ADDRESS OUT OF RANGE (21/00);
    /// ABRT → ABORTED COMMAND 00/00 (libata checks them in that order of the bits it knows);
    /// DF → HARDWARE ERROR, INTERNAL TARGET FAILURE (44/00). Other error bits keep the
    /// device's own sense.
    public static func summary(of sense: SenseData) -> SenseSummary {
        guard let registers = sense.ataStatusReturn, registers.status & (errorBit | deviceFaultBit) != 0 else {
            return SenseSummary(sense)
        }
        if registers.status & errorBit != 0 {
            if registers.error & uncorrectableBit != 0 {
                return SenseSummary(
                    senseKey: .mediumError, additionalSenseCode: 0x11, additionalSenseCodeQualifier: 0x00,
                    information: registers.lba)
            }
            if registers.error & idNotFoundBit != 0 {
                return SenseSummary(senseKey: .illegalRequest, additionalSenseCode: 0x21, additionalSenseCodeQualifier: 0)
            }
            if registers.error & abortedBit != 0 {
                return SenseSummary(senseKey: .abortedCommand, additionalSenseCode: 0, additionalSenseCodeQualifier: 0)
            }
        }
        if registers.status & deviceFaultBit != 0 {
            return SenseSummary(senseKey: .hardwareError, additionalSenseCode: 0x44, additionalSenseCodeQualifier: 0)
        }
        return SenseSummary(sense)
    }
}
