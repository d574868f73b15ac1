import CIOFabric
import Glibc

/// Identifies the SCSI device at `path` with a standard INQUIRY through SG_IO.
///
/// Opens `path` (a `/dev/sgN` node, or a SCSI block device such as `/dev/sda`) with
/// `O_RDWR | O_NONBLOCK`, checks it is a SCSI generic device with `SG_GET_VERSION_NUM`, sends
/// INQUIRY (CDB `12 00 00 00 60 00`, 96 bytes) with ioctl `SG_IO`, synchronously, and closes
/// it again. The call blocks for as long as the device takes, at most about the timeout.
///
/// The corresponding C calls are `open` and `ioctl(SG_GET_VERSION_NUM)` / `ioctl(SG_IO)`,
/// through `CIOFabric_sg_inquiry`.
///
/// - Parameters:
///   - path: the device node.
///   - timeoutMilliseconds: the command timeout handed to the SCSI layer.
/// - Returns: the device's vendor, product, revision and type, and the sg driver's version.
/// - Throws: ``RealDeviceError/openFailed(path:errno:)`` (e.g. ENOENT),
///   ``RealDeviceError/permissionDenied(path:)``, ``RealDeviceError/notSCSIGeneric(path:)``,
///   ``RealDeviceError/ioctlFailed(path:request:errno:)``,
///   ``RealDeviceError/inquiryFailed(path:status:)`` when the device answered with an error,
///   ``RealDeviceError/inquiryTooShort(path:length:)``.
public func probeSCSIGenericDevice(path: String, timeoutMilliseconds: UInt32 = 5_000)
    throws(RealDeviceError) -> SCSIDeviceIdentity
{
    var result = CIOFabric_sg_inquiry_result()
    let code = CIOFabric_sg_inquiry(path, timeoutMilliseconds, &result)
    if code != 0 { throw RealDeviceError.scsiGeneric(path: path, stage: result.failed_stage, errno: code) }

    let senseLength = min(Int(result.sense_length), Int(CIOFabric_SG_SENSE_CAPACITY))
    let sense = withUnsafeBytes(of: result.sense) { Array($0.prefix(senseLength)) }
    let status = SGIOStatus(
        status: result.scsi_status, hostStatus: result.host_status, driverStatus: result.driver_status,
        sense: sense)
    guard status.succeeded else {
        throw .inquiryFailed(path: path, status: status)
    }

    let length = min(Int(result.data_length), Int(CIOFabric_SG_INQUIRY_LENGTH))
    // SPC-4 6.6.2: a standard INQUIRY response has at least 36 bytes (through the revision).
    guard length >= 36 else {
        throw .inquiryTooShort(path: path, length: length)
    }
    let data = withUnsafeBytes(of: result.data) { Array($0.prefix(length)) }
    return SCSIDeviceIdentity(
        path: path,
        vendor: TextFormatting.string(fromCArray: result.vendor),
        product: TextFormatting.string(fromCArray: result.product),
        revision: TextFormatting.string(fromCArray: result.revision),
        peripheralQualifier: data[0] >> 5,
        peripheralDeviceType: data[0] & 0x1f,
        version: data[2],
        sgVersion: Int(result.sg_version),
        inquiryData: data)
}
