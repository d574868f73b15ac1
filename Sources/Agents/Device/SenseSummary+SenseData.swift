import Hardware

extension SenseSummary {
    /// The sense key, additional sense code and qualifier, and information field (when
    /// valid) of decoded sense data, fixed or descriptor format.
    public init(_ sense: SenseData) {
        self.init(
            senseKey: sense.senseKey, additionalSenseCode: sense.additionalSenseCode.asc,
            additionalSenseCodeQualifier: sense.additionalSenseCode.ascq, information: sense.information)
    }
}
