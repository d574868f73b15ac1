import Hardware

/// Unit attention conditions (SAM-4 5.9.7) and REQUEST SENSE (SPC-4 6.39).
extension SCSITarget {
    /// CHECK CONDITION, UNIT ATTENTION for `command`'s initiator if one is waiting, taking it;
    /// nil for INQUIRY, REPORT LUNS and REQUEST SENSE, which never report one (SAM-4 5.9.7;
    /// REQUEST SENSE returns it as data instead).
    mutating func reportUnitAttention(_ command: DriveCommand, _ decoded: CDB.Command) -> DriveResponse? {
        switch decoded {
        case .inquiry, .reportLUNs, .requestSense: return nil
        default: break
        }
        guard let code = attentions.take(for: command.initiator) else { return nil }
        return checkCondition(command, .unitAttention, code)
    }

    /// REQUEST SENSE: the waiting unit attention (taken), or NO SENSE; fixed format only, so
    /// DESC set is INVALID FIELD IN CDB (SPC-4 6.39).
    mutating func answerRequestSense(_ command: DriveCommand, _ requestSense: CDB.RequestSense) -> DriveResponse {
        if requestSense.descriptorFormat { return invalidField(command, byte: 1, bit: 0) }
        let sense: SenseData
        if let code = attentions.take(for: command.initiator) {
            sense = .fixed(.unitAttention, code)
        } else {
            sense = .fixed(.noSense, .noAdditionalSenseInformation)
        }
        return dataIn(command, sense.encoded(), allocationLength: Int(requestSense.allocationLength))
    }
}

/// The unit attention conditions waiting, per initiator.
///
/// POWER ON OCCURRED is kept as one flag plus the initiators already told, so an initiator
/// never seen before still hears of it; the others queue per initiator.
struct UnitAttentions {
    private var powerOnPending = false
    private var powerOnReported: Set<InitiatorID> = []
    private var queued: [InitiatorID: [AdditionalSenseCode]] = [:]

    /// Power on: every initiator is to hear POWER ON OCCURRED, which supersedes anything
    /// established before it.
    mutating func establishPowerOn() {
        powerOnPending = true
        powerOnReported = []
        queued = [:]
    }

    /// `code` waits for `initiator`.
    mutating func establish(_ code: AdditionalSenseCode, for initiator: InitiatorID) {
        queued[initiator, default: []].append(code)
    }

    /// The oldest condition waiting for `initiator`, now reported.
    mutating func take(for initiator: InitiatorID) -> AdditionalSenseCode? {
        if powerOnPending && !powerOnReported.contains(initiator) {
            powerOnReported.insert(initiator)
            return .powerOnOccurred
        }
        guard var waiting = queued[initiator], !waiting.isEmpty else { return nil }
        let code = waiting.removeFirst()
        queued[initiator] = waiting.isEmpty ? nil : waiting
        return code
    }

    /// Forgets everything (power lost).
    mutating func removeAll() {
        powerOnPending = false
        powerOnReported = []
        queued = [:]
    }
}
