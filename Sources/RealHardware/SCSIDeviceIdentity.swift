/// What a SCSI device says it is: the standard INQUIRY data, and the sg driver's version.
///
/// Returned by ``probeSCSIGenericDevice(path:timeoutMilliseconds:)``. For Linux's `scsi_debug`
/// disk: vendor `Linux`, product `scsi_debug`, peripheral device type 0 (direct access).
public struct SCSIDeviceIdentity: Hashable, Sendable, CustomStringConvertible {
    /// The device node that was probed, e.g. `/dev/sg0`.
    public var path: String

    /// The T10 vendor identification (INQUIRY bytes 8–15), trailing blanks removed.
    public var vendor: String

    /// The product identification (bytes 16–31), trailing blanks removed.
    public var product: String

    /// The product revision level (bytes 32–35), trailing blanks removed.
    public var revision: String

    /// The peripheral qualifier (byte 0, bits 7–5): 0 a device is connected to this logical
    /// unit, 1 it could be but is not, 3 the target cannot have one here.
    public var peripheralQualifier: UInt8

    /// The peripheral device type (byte 0, bits 4–0): 0x00 direct-access block device,
    /// 0x01 tape, 0x05 CD/DVD, 0x0d enclosure, 0x1f unknown, ...
    public var peripheralDeviceType: UInt8

    /// The SPC version the device claims (byte 2): 0x05 SPC-3, 0x06 SPC-4, 0x07 SPC-5, 0 none.
    public var version: UInt8

    /// The sg driver's version number (`SG_GET_VERSION_NUM`), e.g. 30536 for 3.5.36.
    public var sgVersion: Int

    /// The INQUIRY response bytes that were transferred (at least 36, at most 96).
    public var inquiryData: [UInt8]

    /// An identity from its parts; ``probeSCSIGenericDevice(path:timeoutMilliseconds:)`` builds
    /// these from the INQUIRY response.
    public init(
        path: String, vendor: String, product: String, revision: String, peripheralQualifier: UInt8,
        peripheralDeviceType: UInt8, version: UInt8, sgVersion: Int, inquiryData: [UInt8]
    ) {
        self.path = path
        self.vendor = vendor
        self.product = product
        self.revision = revision
        self.peripheralQualifier = peripheralQualifier
        self.peripheralDeviceType = peripheralDeviceType
        self.version = version
        self.sgVersion = sgVersion
        self.inquiryData = inquiryData
    }

    /// ``peripheralDeviceType`` named, e.g. `direct-access block device`.
    public var peripheralDeviceTypeName: String { SCSINames.peripheralDeviceType(peripheralDeviceType) }

    /// ``sgVersion`` the way the driver writes it, e.g. `3.5.36`.
    public var sgVersionText: String {
        "\(sgVersion / 10_000).\(sgVersion / 100 % 100).\(sgVersion % 100)"
    }

    /// One line, e.g. `/dev/sg0: Linux scsi_debug 0191, direct-access block device, sg 3.5.36`.
    public var description: String {
        let name = [vendor, product, revision].filter { !$0.isEmpty }.joined(separator: " ")
        return TextFormatting.singleLine("\(path): \(name), \(peripheralDeviceTypeName), sg \(sgVersionText)")
    }
}
