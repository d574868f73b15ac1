extension SenseData {
    /// The sense data in its ``format``.
    ///
    /// Fixed format is always 18 bytes (ADDITIONAL SENSE LENGTH 10). Its information and
    /// command-specific information fields hold 32 bits: a larger ``information`` is written
    /// with VALID clear and a zero field, a larger ``commandSpecificInformation`` as zero.
    /// ``additionalDescriptors`` have no place in fixed format and are dropped.
    ///
    /// Descriptor format writes the 8-byte header, then an Information, Command-specific
    /// information, Sense key specific, Field replaceable unit (when non-zero) and Stream
    /// commands (FILEMARK or EOM set) or Block commands (ILI alone) descriptor as the fields
    /// require, then ``additionalDescriptors``; descriptors that would take the total beyond
    /// SPC's 252 bytes are dropped.
    public func encoded() -> [UInt8] {
        switch format {
        case .fixed: encodedFixed()
        case .descriptor: encodedDescriptor()
        }
    }

    private var flagBits: UInt8 {
        (filemark ? 0x80 : 0) | (endOfMedium ? 0x40 : 0) | (incorrectLength ? 0x20 : 0)
    }

    private func encodedFixed() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 18)
        let information32 = information.flatMap { $0 <= UInt64(UInt32.max) ? $0 : nil }
        b[0] = (information32 != nil ? 0x80 : 0) | (isDeferred ? 0x71 : 0x70)
        b[2] = flagBits | (senseKey.rawValue & 0x0f)
        if let information32 { BigEndianBytes.write(information32, into: &b, at: 3, count: 4) }
        b[7] = 10
        if let commandSpecific = commandSpecificInformation, commandSpecific <= UInt64(UInt32.max) {
            BigEndianBytes.write(commandSpecific, into: &b, at: 8, count: 4)
        }
        b[12] = additionalSenseCode.asc
        b[13] = additionalSenseCode.ascq
        b[14] = fieldReplaceableUnitCode
        if let senseKeySpecific { b.replaceSubrange(15..<18, with: senseKeySpecific.bytes) }
        return b
    }

    private func encodedDescriptor() -> [UInt8] {
        var descriptors: [SenseDescriptor] = []
        func eightBytes(_ value: UInt64) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: 8)
            BigEndianBytes.write(value, into: &bytes, at: 0, count: 8)
            return bytes
        }
        if let information {
            descriptors.append(
                SenseDescriptor(type: SenseDescriptor.informationType, payload: [0x80, 0] + eightBytes(information)))
        }
        if let commandSpecificInformation {
            descriptors.append(
                SenseDescriptor(
                    type: SenseDescriptor.commandSpecificInformationType,
                    payload: [0, 0] + eightBytes(commandSpecificInformation)))
        }
        if let senseKeySpecific {
            descriptors.append(
                SenseDescriptor(
                    type: SenseDescriptor.senseKeySpecificType, payload: [0, 0] + senseKeySpecific.bytes + [0]))
        }
        if fieldReplaceableUnitCode != 0 {
            descriptors.append(
                SenseDescriptor(type: SenseDescriptor.fieldReplaceableUnitType, payload: [0, fieldReplaceableUnitCode]))
        }
        if filemark || endOfMedium {
            descriptors.append(SenseDescriptor(type: SenseDescriptor.streamCommandsType, payload: [0, flagBits]))
        } else if incorrectLength {
            descriptors.append(SenseDescriptor(type: SenseDescriptor.blockCommandsType, payload: [0, 0x20]))
        }
        descriptors += additionalDescriptors

        var b: [UInt8] = [
            isDeferred ? 0x73 : 0x72, senseKey.rawValue & 0x0f, additionalSenseCode.asc, additionalSenseCode.ascq,
            0, 0, 0, 0,
        ]
        for descriptor in descriptors {
            let bytes = descriptor.bytes
            guard b.count + bytes.count <= SCSIRequest.maxSenseLength else { break }
            b += bytes
        }
        b[7] = UInt8(b.count - 8)
        return b
    }
}
