import Agents
import Hardware
import RealHardware
import Timebase

/// Reads a disk's world wide name (the NAA designator of VPD page 83h, as the DDM's identify
/// reads it) before the agents exist: a cluster system needs the mailbox disk's WWN in its
/// UMA's configuration (``ClusterRole/mailboxWorldWideName``), and on real disks it is not
/// known in advance. One INQUIRY through the already-open device, on the process's loop.
enum RealWorldWideNameProbe {
    /// The WWN of `device`, running `runtime` until the answer (at most `timeout`).
    ///
    /// - Throws: one line naming the device and what went wrong.
    static func worldWideName(of device: RealSCSIGenericDevice, runtime: RealNodeRuntime, timeout: TimeSpan = .seconds(10))
        throws(RealModeError) -> UInt64
    {
        let handler = Handler()
        // [SPC-4 7.8.6: the Device Identification page; 255 bytes hold the designators of any disk here]
        do {
            let request = try SCSIRequest(
                cdb: CDB.Inquiry(vitalProductData: true, pageCode: 0x83, allocationLength: 255).bytes, dataTransfer: .fromDevice(count: 255),
                timeout: timeout, tag: 1)
            try device.submit(request, handler: handler)
        } catch {
            throw RealModeError("\(device.name): INQUIRY (VPD page 83h) for the world wide name: \(error)")
        }
        _ = runtime.run(until: { handler.completion != nil }, deadline: runtime.now + timeout + .seconds(1))
        guard let completion = handler.completion else {
            throw RealModeError("\(device.name): INQUIRY (VPD page 83h) for the world wide name: no answer after \(Quantity.text(timeout))")
        }
        guard completion.isGood else {
            throw RealModeError("\(device.name): INQUIRY (VPD page 83h) for the world wide name: \(completion)")
        }
        do {
            return try VitalProductData.logicalUnitNAAName(completion.dataIn)
        } catch {
            throw RealModeError("\(device.name): no NAA world wide name in VPD page 83h (\(error)); the cluster's mailbox disk needs one")
        }
    }

    private final class Handler: SCSICompletionHandler {
        var completion: SCSICompletion?
        func scsiRequestCompleted(_ completion: SCSICompletion) { self.completion = completion }
    }
}

