extension CDB {
    /// REQUEST SENSE (SPC-4 6.39): the sense data of the last error, or the device's current
    /// condition. Data in.
    ///
    /// Layout: `03 desc 00 00 allocation-length control`; DESC is bit 0 of byte 1.
    public struct RequestSense: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.requestSense
        public static let length = 6

        /// DESC: ask for descriptor-format sense data.
        public var descriptorFormat: Bool
        /// The most bytes to return (252 for all SPC allows).
        public var allocationLength: UInt8
        /// The CONTROL byte.
        public var control: UInt8

        public init(descriptorFormat: Bool = false, allocationLength: UInt8 = 252, control: UInt8 = 0) {
            self.descriptorFormat = descriptorFormat
            self.allocationLength = allocationLength
            self.control = control
        }

        public var bytes: [UInt8] {
            var b = CDB.template(Self.self, control: control)
            b[1] = descriptorFormat ? 0x01 : 0
            b[4] = allocationLength
            return b
        }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            descriptorFormat = b[1] & 0x01 != 0
            allocationLength = b[4]
            control = b[5]
        }
    }
}
