/// The additional sense code and qualifier (ASC/ASCQ) of a CHECK CONDITION: what exactly
/// happened, within the category of the ``SenseKey``.
///
/// An open set of 65 536 pairs; the statics are the ones the storage agents and the simulated
/// disks use, named as in SPC-4's table of ASC and ASCQ assignments.
public struct AdditionalSenseCode: Hashable, Sendable, CustomStringConvertible {
    /// The additional sense code.
    public var asc: UInt8
    /// The additional sense code qualifier.
    public var ascq: UInt8

    public init(asc: UInt8, ascq: UInt8) {
        self.asc = asc
        self.ascq = ascq
    }

    /// 00/00 NO ADDITIONAL SENSE INFORMATION.
    public static let noAdditionalSenseInformation = AdditionalSenseCode(asc: 0x00, ascq: 0x00)
    /// 00/1D ATA PASS THROUGH INFORMATION AVAILABLE (SAT: the ATA registers are in the sense data).
    public static let ataPassThroughInformationAvailable = AdditionalSenseCode(asc: 0x00, ascq: 0x1D)
    /// 04/00 LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE.
    public static let logicalUnitNotReady = AdditionalSenseCode(asc: 0x04, ascq: 0x00)
    /// 04/01 LOGICAL UNIT IS IN PROCESS OF BECOMING READY.
    public static let logicalUnitBecomingReady = AdditionalSenseCode(asc: 0x04, ascq: 0x01)
    /// 04/02 LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED (needs START STOP UNIT).
    public static let logicalUnitNotReadyInitializingCommandRequired = AdditionalSenseCode(asc: 0x04, ascq: 0x02)
    /// 04/03 LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED.
    public static let logicalUnitNotReadyManualInterventionRequired = AdditionalSenseCode(asc: 0x04, ascq: 0x03)
    /// 04/04 LOGICAL UNIT NOT READY, FORMAT IN PROGRESS.
    public static let logicalUnitNotReadyFormatInProgress = AdditionalSenseCode(asc: 0x04, ascq: 0x04)
    /// 04/0B LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN STANDBY STATE.
    public static let logicalUnitNotAccessibleTargetPortInStandby = AdditionalSenseCode(asc: 0x04, ascq: 0x0B)
    /// 04/0C LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN UNAVAILABLE STATE.
    public static let logicalUnitNotAccessibleTargetPortUnavailable = AdditionalSenseCode(asc: 0x04, ascq: 0x0C)
    /// 0C/00 WRITE ERROR.
    public static let writeError = AdditionalSenseCode(asc: 0x0C, ascq: 0x00)
    /// 11/00 UNRECOVERED READ ERROR.
    public static let unrecoveredReadError = AdditionalSenseCode(asc: 0x11, ascq: 0x00)
    /// 1A/00 PARAMETER LIST LENGTH ERROR.
    public static let parameterListLengthError = AdditionalSenseCode(asc: 0x1A, ascq: 0x00)
    /// 1D/00 MISCOMPARE DURING VERIFY OPERATION.
    public static let miscompareDuringVerify = AdditionalSenseCode(asc: 0x1D, ascq: 0x00)
    /// 20/00 INVALID COMMAND OPERATION CODE.
    public static let invalidCommandOperationCode = AdditionalSenseCode(asc: 0x20, ascq: 0x00)
    /// 21/00 LOGICAL BLOCK ADDRESS OUT OF RANGE.
    public static let logicalBlockAddressOutOfRange = AdditionalSenseCode(asc: 0x21, ascq: 0x00)
    /// 24/00 INVALID FIELD IN CDB.
    public static let invalidFieldInCDB = AdditionalSenseCode(asc: 0x24, ascq: 0x00)
    /// 25/00 LOGICAL UNIT NOT SUPPORTED.
    public static let logicalUnitNotSupported = AdditionalSenseCode(asc: 0x25, ascq: 0x00)
    /// 26/00 INVALID FIELD IN PARAMETER LIST.
    public static let invalidFieldInParameterList = AdditionalSenseCode(asc: 0x26, ascq: 0x00)
    /// 27/00 WRITE PROTECTED.
    public static let writeProtected = AdditionalSenseCode(asc: 0x27, ascq: 0x00)
    /// 28/00 NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED.
    public static let notReadyToReadyChange = AdditionalSenseCode(asc: 0x28, ascq: 0x00)
    /// 29/00 POWER ON, RESET, OR BUS DEVICE RESET OCCURRED.
    public static let powerOnResetOccurred = AdditionalSenseCode(asc: 0x29, ascq: 0x00)
    /// 29/01 POWER ON OCCURRED.
    public static let powerOnOccurred = AdditionalSenseCode(asc: 0x29, ascq: 0x01)
    /// 2A/01 MODE PARAMETERS CHANGED.
    public static let modeParametersChanged = AdditionalSenseCode(asc: 0x2A, ascq: 0x01)
    /// 2A/03 RESERVATIONS PREEMPTED.
    public static let reservationsPreempted = AdditionalSenseCode(asc: 0x2A, ascq: 0x03)
    /// 2A/04 RESERVATIONS RELEASED.
    public static let reservationsReleased = AdditionalSenseCode(asc: 0x2A, ascq: 0x04)
    /// 2A/05 REGISTRATIONS PREEMPTED.
    public static let registrationsPreempted = AdditionalSenseCode(asc: 0x2A, ascq: 0x05)
    /// 2F/00 COMMANDS CLEARED BY ANOTHER INITIATOR.
    public static let commandsClearedByAnotherInitiator = AdditionalSenseCode(asc: 0x2F, ascq: 0x00)
    /// 3A/00 MEDIUM NOT PRESENT.
    public static let mediumNotPresent = AdditionalSenseCode(asc: 0x3A, ascq: 0x00)
    /// 3F/0E REPORTED LUNS DATA HAS CHANGED.
    public static let reportedLUNsDataHasChanged = AdditionalSenseCode(asc: 0x3F, ascq: 0x0E)
    /// 44/00 INTERNAL TARGET FAILURE.
    public static let internalTargetFailure = AdditionalSenseCode(asc: 0x44, ascq: 0x00)
    /// 47/00 SCSI PARITY ERROR.
    public static let scsiParityError = AdditionalSenseCode(asc: 0x47, ascq: 0x00)
    /// 4B/00 DATA PHASE ERROR.
    public static let dataPhaseError = AdditionalSenseCode(asc: 0x4B, ascq: 0x00)
    /// 4E/00 OVERLAPPED COMMANDS ATTEMPTED.
    public static let overlappedCommandsAttempted = AdditionalSenseCode(asc: 0x4E, ascq: 0x00)
    /// 55/04 INSUFFICIENT REGISTRATION RESOURCES.
    public static let insufficientRegistrationResources = AdditionalSenseCode(asc: 0x55, ascq: 0x04)
    /// 5D/00 FAILURE PREDICTION THRESHOLD EXCEEDED.
    public static let failurePredictionThresholdExceeded = AdditionalSenseCode(asc: 0x5D, ascq: 0x00)

    private static let names: [AdditionalSenseCode: String] = [
        .noAdditionalSenseInformation: "NO ADDITIONAL SENSE INFORMATION",
        .ataPassThroughInformationAvailable: "ATA PASS THROUGH INFORMATION AVAILABLE",
        .logicalUnitNotReady: "LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE",
        .logicalUnitBecomingReady: "LOGICAL UNIT IS IN PROCESS OF BECOMING READY",
        .logicalUnitNotReadyInitializingCommandRequired: "LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED",
        .logicalUnitNotReadyManualInterventionRequired: "LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED",
        .logicalUnitNotReadyFormatInProgress: "LOGICAL UNIT NOT READY, FORMAT IN PROGRESS",
        .logicalUnitNotAccessibleTargetPortInStandby: "LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN STANDBY STATE",
        .logicalUnitNotAccessibleTargetPortUnavailable: "LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN UNAVAILABLE STATE",
        .writeError: "WRITE ERROR",
        .unrecoveredReadError: "UNRECOVERED READ ERROR",
        .parameterListLengthError: "PARAMETER LIST LENGTH ERROR",
        .miscompareDuringVerify: "MISCOMPARE DURING VERIFY OPERATION",
        .invalidCommandOperationCode: "INVALID COMMAND OPERATION CODE",
        .logicalBlockAddressOutOfRange: "LOGICAL BLOCK ADDRESS OUT OF RANGE",
        .invalidFieldInCDB: "INVALID FIELD IN CDB",
        .logicalUnitNotSupported: "LOGICAL UNIT NOT SUPPORTED",
        .invalidFieldInParameterList: "INVALID FIELD IN PARAMETER LIST",
        .writeProtected: "WRITE PROTECTED",
        .notReadyToReadyChange: "NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED",
        .powerOnResetOccurred: "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED",
        .powerOnOccurred: "POWER ON OCCURRED",
        .modeParametersChanged: "MODE PARAMETERS CHANGED",
        .reservationsPreempted: "RESERVATIONS PREEMPTED",
        .reservationsReleased: "RESERVATIONS RELEASED",
        .registrationsPreempted: "REGISTRATIONS PREEMPTED",
        .commandsClearedByAnotherInitiator: "COMMANDS CLEARED BY ANOTHER INITIATOR",
        .mediumNotPresent: "MEDIUM NOT PRESENT",
        .reportedLUNsDataHasChanged: "REPORTED LUNS DATA HAS CHANGED",
        .internalTargetFailure: "INTERNAL TARGET FAILURE",
        .scsiParityError: "SCSI PARITY ERROR",
        .dataPhaseError: "DATA PHASE ERROR",
        .overlappedCommandsAttempted: "OVERLAPPED COMMANDS ATTEMPTED",
        .insufficientRegistrationResources: "INSUFFICIENT REGISTRATION RESOURCES",
        .failurePredictionThresholdExceeded: "FAILURE PREDICTION THRESHOLD EXCEEDED",
    ]

    /// The SPC name, if this module's table has it. Any ASC 04h pair it does not list is named
    /// `LOGICAL UNIT NOT READY` with its qualifier, since every 04h code is a not-ready cause.
    public var name: String? {
        if let name = Self.names[self] { return name }
        if asc == 0x04 { return "LOGICAL UNIT NOT READY (ASCQ 0x" + HexFormatting.hex(ascq, digits: 2) + ")" }
        return nil
    }

    /// The pair in hexadecimal and its name when known, e.g. `24/00 INVALID FIELD IN CDB`.
    public var description: String {
        let code =
            HexFormatting.hex(asc, digits: 2).uppercased() + "/" + HexFormatting.hex(ascq, digits: 2).uppercased()
        return name.map { code + " " + $0 } ?? code
    }
}
