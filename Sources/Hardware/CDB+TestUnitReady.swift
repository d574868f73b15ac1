extension CDB {
    /// TEST UNIT READY (SPC-4 6.47): GOOD when the logical unit can accept media-access
    /// commands, CHECK CONDITION with NOT READY (or UNIT ATTENTION) otherwise. No data.
    ///
    /// Layout: `00 00 00 00 00 control`.
    public struct TestUnitReady: CommandDescriptorBlock {
        public static let operationCode = SCSIOperationCode.testUnitReady
        public static let length = 6

        /// The CONTROL byte.
        public var control: UInt8

        public init(control: UInt8 = 0) {
            self.control = control
        }

        public var bytes: [UInt8] { CDB.template(Self.self, control: control) }

        public init?(bytes input: some Collection<UInt8>) {
            guard let b = CDB.validated(input, as: Self.self) else { return nil }
            control = b[5]
        }
    }
}
