import Hardware

/// The one-line texts of SCSI completions that did not go well (``RealSCSIGenericDevice/describe(_:of:)``).
enum SGIOFailureText {
    /// `<device>: <command> tag <n>: <what happened>`. The status, sense and host/driver parts
    /// are ``SGIOStatus``'s description (sense key and ASC/ASCQ in words and numbers); a timeout
    /// says so with the request's timeout; a good completion says `GOOD`.
    static func line(device: String, completion: SCSICompletion, request: SCSIRequest?) -> String {
        var subject = "\(device): "
        if let request { subject += "\(request.operationCode) " }
        subject += "tag \(completion.tag): "
        let what: String
        switch completion.hostStatus {
        case .timeOut:
            if let request {
                what = "timed out after \(SGIOCommand.milliseconds(roundingUp: request.timeout)) ms (DID_TIME_OUT)"
            } else {
                what = "timed out (DID_TIME_OUT)"
            }
        case .noConnect:
            what = "device gone (DID_NO_CONNECT)"
        default:
            what =
                SGIOStatus(
                    status: completion.status.rawValue, hostStatus: completion.hostStatus.rawValue,
                    driverStatus: completion.driverStatus.rawValue, sense: completion.sense
                ).description
        }
        var text = subject + what
        if completion.residual != 0 && completion.hostStatus == .ok { text += ", residual \(completion.residual)" }
        return TextFormatting.singleLine(text)
    }
}
