/// The outcome of one ``SCSIRequest``: the output half of `sg_io_hdr`.
///
/// Read it in this order: ``hostStatus`` (did the command reach the target and finish?), then
/// ``status`` (what did the target say?), then ``sense`` (why, when the status is CHECK
/// CONDITION). ``isGood`` does all three for the common case.
public struct SCSICompletion: Hashable, Sendable, CustomStringConvertible {
    /// The request's tag.
    public var tag: UInt64
    /// The target's status byte (`status`).
    public var status: SCSIStatus
    /// The host adapter's verdict (`host_status`).
    public var hostStatus: SCSIHostStatus
    /// The driver's verdict (`driver_status`).
    public var driverStatus: SCSIDriverStatus
    /// The sense bytes the target returned (`sbp`, `sb_len_wr` bytes), at most
    /// ``SCSIRequest/maxSenseLength``; empty when there are none. Decode with ``senseData``.
    public var sense: [UInt8]
    /// The requested transfer length minus what was actually transferred (`resid`).
    public var residual: Int
    /// For a ``SCSIDataTransfer/fromDevice(count:)`` request, the bytes the device returned:
    /// the transfer length minus ``residual`` bytes. Empty otherwise.
    public var dataIn: [UInt8]
    /// How long the command took, from submission to completion (`duration`; the real backend
    /// measures milliseconds).
    public var duration: TimeSpan

    public init(
        tag: UInt64, status: SCSIStatus, hostStatus: SCSIHostStatus = .ok, driverStatus: SCSIDriverStatus = .ok,
        sense: [UInt8] = [], residual: Int = 0, dataIn: [UInt8] = [], duration: TimeSpan
    ) {
        self.tag = tag
        self.status = status
        self.hostStatus = hostStatus
        self.driverStatus = driverStatus
        self.sense = sense
        self.residual = residual
        self.dataIn = dataIn
        self.duration = duration
    }

    /// Whether the command succeeded: the host reports no error, the driver reports nothing
    /// but possibly sense data, and the target returned GOOD.
    public var isGood: Bool {
        hostStatus == .ok && status == .good && (driverStatus.code == .ok || driverStatus.code == .sense)
    }

    /// The sense data decoded, or nil when there is none or it does not decode.
    public var senseData: SenseData? {
        sense.isEmpty ? nil : try? SenseData(decoding: sense)
    }

    /// E.g. `tag 5: CHECK CONDITION, ILLEGAL REQUEST 24/00 INVALID FIELD IN CDB`.
    public var description: String {
        var text = "tag \(tag): "
        if hostStatus != .ok { text += "\(hostStatus), " }
        if driverStatus.code != .ok && driverStatus.code != .sense { text += "\(driverStatus), " }
        text += "\(status)"
        if let senseData { text += ", \(senseData.senseKey) \(senseData.additionalSenseCode)" }
        if residual != 0 { text += ", residual \(residual)" }
        return text
    }
}
