extension CDB {
    /// INQUIRY (SPC-4 6.6): the standard inquiry data (device type, vendor, product) or, with
    /// EVPD, a vital product data page. Data in.
    ///
    /// Layout: `12 evpd page allocation-length(2) control`.
    public struct Inquiry: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.inquiry
        public static let length = 6

        /// EVPD: return the vital product data page ``pageCode`` instead of standard data.
        public var vitalProductData: Bool
        /// The VPD page (must be 0 without EVPD; the device rejects anything else).
        public var pageCode: UInt8
        /// The most bytes to return.
        public var allocationLength: UInt16
        /// The CONTROL byte.
        public var control: UInt8

        public init(
            vitalProductData: Bool = false, pageCode: UInt8 = 0, allocationLength: UInt16 = 96, control: UInt8 = 0
        ) {
            self.vitalProductData = vitalProductData
            self.pageCode = pageCode
            self.allocationLength = allocationLength
            self.control = control
        }

        public var bytes: [UInt8] {
            var b = CDB.template(Self.self, control: control)
            b[1] = vitalProductData ? 0x01 : 0
            b[2] = pageCode
            BigEndianBytes.write(UInt64(allocationLength), into: &b, at: 3, count: 2)
            return b
        }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            vitalProductData = b[1] & 0x01 != 0
            pageCode = b[2]
            allocationLength = UInt16(BigEndianBytes.read(b, at: 3, count: 2))
            control = b[5]
        }
    }
}

/// The peripheral device type of a logical unit (INQUIRY byte 0, bits 4…0).
public struct PeripheralDeviceType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// A direct-access block device: a disk.
    ///
    /// The corresponding C constant is `TYPE_DISK`.
    public static let directAccessBlock = PeripheralDeviceType(rawValue: 0x00)

    /// An enclosure services device (a shelf's controller).
    ///
    /// The corresponding C constant is `TYPE_ENCLOSURE`.
    public static let enclosureServices = PeripheralDeviceType(rawValue: 0x0D)

    /// Unknown or no device type.
    public static let unknown = PeripheralDeviceType(rawValue: 0x1F)
}

/// The first 36 bytes of standard INQUIRY data (SPC-4 6.6.2).
public struct StandardInquiryData: Hashable, Sendable {
    /// PERIPHERAL QUALIFIER (0: a device is connected to this logical unit; 3: none can be).
    public var peripheralQualifier: UInt8
    /// PERIPHERAL DEVICE TYPE.
    public var deviceType: PeripheralDeviceType
    /// RMB: removable medium.
    public var removable: Bool
    /// VERSION: the SPC version claimed (6 = SPC-4).
    public var version: UInt8
    /// CMDQUE: the device queues commands.
    public var commandQueuing: Bool
    /// T10 VENDOR IDENTIFICATION, up to 8 ASCII characters, trailing spaces removed.
    public var vendor: String
    /// PRODUCT IDENTIFICATION, up to 16 ASCII characters, trailing spaces removed.
    public var product: String
    /// PRODUCT REVISION LEVEL, up to 4 ASCII characters, trailing spaces removed.
    public var revision: String

    /// The length of the encoding.
    public static let length = 36

    public init(
        peripheralQualifier: UInt8 = 0, deviceType: PeripheralDeviceType = .directAccessBlock, removable: Bool = false,
        version: UInt8 = 6, commandQueuing: Bool = true, vendor: String, product: String, revision: String
    ) {
        self.peripheralQualifier = peripheralQualifier
        self.deviceType = deviceType
        self.removable = removable
        self.version = version
        self.commandQueuing = commandQueuing
        self.vendor = vendor
        self.product = product
        self.revision = revision
    }

    /// Decodes the first 36 bytes of `input`; nil when there are fewer. Non-ASCII bytes in the
    /// strings become `?`.
    public init?(bytes input: some Collection<UInt8>) {
        let b = Array(input)
        guard b.count >= Self.length else { return nil }
        peripheralQualifier = b[0] >> 5
        deviceType = PeripheralDeviceType(rawValue: b[0] & 0x1f)
        removable = b[1] & 0x80 != 0
        version = b[2]
        commandQueuing = b[7] & 0x02 != 0
        vendor = Self.text(b[8..<16])
        product = Self.text(b[16..<32])
        revision = Self.text(b[32..<36])
    }

    /// The 36 bytes: response data format 2, ADDITIONAL LENGTH 31, the strings padded with
    /// spaces (and cut to their fields; non-ASCII characters written as `?`).
    public var bytes: [UInt8] {
        var b = [UInt8](repeating: 0, count: Self.length)
        b[0] = (peripheralQualifier & 0x07) << 5 | (deviceType.rawValue & 0x1f)
        b[1] = removable ? 0x80 : 0
        b[2] = version
        b[3] = 0x02
        b[4] = UInt8(Self.length - 5)
        b[7] = commandQueuing ? 0x02 : 0
        b.replaceSubrange(8..<16, with: Self.field(vendor, width: 8))
        b.replaceSubrange(16..<32, with: Self.field(product, width: 16))
        b.replaceSubrange(32..<36, with: Self.field(revision, width: 4))
        return b
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        let characters = bytes.map { (0x20..<0x7f).contains($0) ? Character(UnicodeScalar($0)) : "?" }
        var text = String(characters)
        while text.last == " " { text.removeLast() }
        return text
    }

    private static func field(_ text: String, width: Int) -> [UInt8] {
        let ascii = text.unicodeScalars.prefix(width).map {
            $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f ? UInt8($0.value) : 0x3f
        }
        return ascii + [UInt8](repeating: 0x20, count: width - ascii.count)
    }
}
