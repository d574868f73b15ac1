import Glibc
import Hardware

extension SCSICompletion {
    /// The completion of `request` from what SG_IO returned, with the rules of the simulated
    /// sg device (`IOController`), so that agents cannot tell the backends apart:
    ///
    /// - The command ran and the host adapter reports no error: the target's status, its sense
    ///   data (at most ``Hardware/SCSIRequest/maxSenseLength`` bytes), driver status
    ///   ``Hardware/SCSIDriverStatus/sense`` when there is sense data and ``Hardware/SCSIDriverStatus/ok``
    ///   when not (another driver code, which recent kernels hardly give, passes through), the
    ///   residual clamped to 0...transfer length, and for a read the transfer length minus the
    ///   residual bytes of data.
    /// - The command timed out (`DID_TIME_OUT`, or `DRIVER_TIMEOUT` from older kernels):
    ///   ``Hardware/SCSIHostStatus/timeOut``; any other host error keeps its `DID_*` code.
    ///   Either way, as the simulated controller's failures: status GOOD, no sense data, no
    ///   data, the whole transfer as residual.
    /// - The ioctl itself failed (``SGIOResult/systemError``): the same shape, with the host
    ///   status ``hostStatus(forSystemError:)`` gives.
    ///
    /// `duration` is the caller's measure from submission to completion.
    public init(request: SCSIRequest, sgio result: SGIOResult, duration: TimeSpan) {
        let length = request.dataTransfer.byteCount
        let driver = SCSIDriverStatus(rawValue: result.driverStatus)
        let host: SCSIHostStatus
        if result.systemError != 0 {
            host = Self.hostStatus(forSystemError: result.systemError)
        } else if result.hostStatus == SCSIHostStatus.timeOut.rawValue || driver.code == .timeout {
            host = .timeOut
        } else {
            host = SCSIHostStatus(rawValue: result.hostStatus)
        }
        guard host == .ok else {
            self.init(tag: request.tag, status: .good, hostStatus: host, residual: length, duration: duration)
            return
        }
        let sense = Array(result.sense.prefix(SCSIRequest.maxSenseLength))
        let driverStatus: SCSIDriverStatus =
            driver.code == .ok || driver.code == .sense ? (sense.isEmpty ? .ok : .sense) : driver
        let residual = min(max(Int(result.residual), 0), length)
        var dataIn: [UInt8] = []
        if case .fromDevice = request.dataTransfer {
            dataIn = Array(result.dataIn.prefix(length - residual))
        }
        self.init(
            tag: request.tag, status: SCSIStatus(rawValue: result.status), hostStatus: .ok, driverStatus: driverStatus,
            sense: sense, residual: residual, dataIn: dataIn, duration: duration)
    }

    /// The host status a failed `ioctl(SG_IO)` is reported with: the device is gone (ENODEV,
    /// ENXIO, EBADF: the descriptor was closed; ECANCELED: the device was closed with the
    /// command still queued) → ``Hardware/SCSIHostStatus/noConnect``, as the
    /// ``Hardware/SCSIGenericDevice`` contract has it for a device that is gone; ETIMEDOUT →
    /// ``Hardware/SCSIHostStatus/timeOut``; EBUSY, EAGAIN (the sg queue is full) →
    /// ``Hardware/SCSIHostStatus/busBusy``, which drivers retry; anything else (EIO, ENOMEM,
    /// EINVAL, EPERM, ...) → ``Hardware/SCSIHostStatus/error``.
    public static func hostStatus(forSystemError code: Int32) -> SCSIHostStatus {
        switch code {
        case ENODEV, ENXIO, EBADF, ECANCELED: .noConnect
        case ETIMEDOUT: .timeOut
        case EBUSY, EAGAIN: .busBusy
        default: .error
        }
    }
}
