import Hardware

/// The device driver module for SCSI disks: INQUIRY (standard, VPD 80h and 83h) and READ
/// CAPACITY (16) to identify, READ (16) and WRITE (16) (FUA on request), SYNCHRONIZE CACHE (10).
///
/// Queueing, retries and completion rules are ``DeviceDriverModule``'s.
public final class SCSIDeviceDriver: DeviceDriverModule {
    /// A driver of `device` on `runtime`'s loop.
    public init(
        name: String, device: any SCSIGenericDevice, runtime: any NodeRuntime,
        configuration: DeviceDriverConfiguration = DeviceDriverConfiguration()
    ) {
        super.init(name: name, format: "scsi", device: device, runtime: runtime, configuration: configuration, commandSet: SCSICommandSet())
    }
}
