extension SenseData {
    /// Decodes fixed-format (70h/71h) or descriptor-format (72h/73h) sense data.
    ///
    /// Never traps, whatever the bytes. Devices often return fewer bytes than the full format,
    /// or an ADDITIONAL SENSE LENGTH that disagrees with the bytes present; decoding reads the
    /// bytes that are both present and inside the additional length, and treats the rest as
    /// absent (zero, nil or false). A descriptor that runs past the end is dropped, with the
    /// ones after it. Fixed-format bytes beyond byte 17 are ignored.
    ///
    /// - Throws: ``SenseDecodingError/empty``; ``SenseDecodingError/unsupportedResponseCode(_:)``
    ///   when byte 0 is not 70h–73h (with or without the VALID bit);
    ///   ``SenseDecodingError/truncated(format:length:)`` when the sense key is missing (fewer
    ///   than 3 bytes of fixed format, or 2 of descriptor format).
    public init(decoding input: some Collection<UInt8>) throws(SenseDecodingError) {
        let bytes = Array(input)
        guard let first = bytes.first else { throw .empty }
        switch first & 0x7f {
        case 0x70, 0x71: self = try SenseData.decodeFixed(bytes)
        case 0x72, 0x73: self = try SenseData.decodeDescriptor(bytes)
        default: throw .unsupportedResponseCode(first & 0x7f)
        }
    }

    /// The end of the meaningful bytes: the bytes present, cut at 8 + ADDITIONAL SENSE LENGTH.
    private static func end(of bytes: [UInt8]) -> Int {
        bytes.count >= 8 ? min(bytes.count, 8 + Int(bytes[7])) : bytes.count
    }

    private static func decodeFixed(_ b: [UInt8]) throws(SenseDecodingError) -> SenseData {
        guard b.count >= 3 else { throw .truncated(format: .fixed, length: b.count) }
        let end = end(of: b)
        // `end >= n` means bytes 0..<n are present.
        let informationValid = b[0] & 0x80 != 0
        let information = informationValid && end >= 7 ? BigEndianBytes.read(b, at: 3, count: 4) : nil
        let commandSpecific = end >= 12 ? BigEndianBytes.read(b, at: 8, count: 4) : 0
        let specific: SenseKeySpecific? =
            end >= 18 && b[15] & 0x80 != 0
            ? SenseKeySpecific(rawValue: UInt32(BigEndianBytes.read(b, at: 15, count: 3))) : nil
        return SenseData(
            format: .fixed,
            isDeferred: b[0] & 0x7f == 0x71,
            senseKey: SenseKey(rawValue: b[2] & 0x0f),
            additionalSenseCode: AdditionalSenseCode(asc: end >= 13 ? b[12] : 0, ascq: end >= 14 ? b[13] : 0),
            information: information,
            commandSpecificInformation: commandSpecific == 0 ? nil : commandSpecific,
            fieldReplaceableUnitCode: end >= 15 ? b[14] : 0,
            senseKeySpecific: specific,
            filemark: b[2] & 0x80 != 0,
            endOfMedium: b[2] & 0x40 != 0,
            incorrectLength: b[2] & 0x20 != 0)
    }

    private static func decodeDescriptor(_ b: [UInt8]) throws(SenseDecodingError) -> SenseData {
        guard b.count >= 2 else { throw .truncated(format: .descriptor, length: b.count) }
        var sense = SenseData(
            format: .descriptor,
            isDeferred: b[0] & 0x7f == 0x73,
            senseKey: SenseKey(rawValue: b[1] & 0x0f),
            additionalSenseCode: AdditionalSenseCode(asc: b.count > 2 ? b[2] : 0, ascq: b.count > 3 ? b[3] : 0))
        let end = end(of: b)
        var offset = 8
        while offset + 2 <= end {
            let next = offset + 2 + Int(b[offset + 1])
            guard next <= end else { break }
            sense.absorb(SenseDescriptor(type: b[offset], payload: Array(b[(offset + 2)..<next])))
            offset = next
        }
        return sense
    }

    /// Takes a descriptor's contents into the fields it maps to, or keeps it as an additional
    /// descriptor when its type has no field or its payload is too short to decode.
    private mutating func absorb(_ descriptor: SenseDescriptor) {
        let p = descriptor.payload
        switch descriptor.type {
        case SenseDescriptor.informationType where p.count >= 10:
            if p[0] & 0x80 != 0 { information = BigEndianBytes.read(p, at: 2, count: 8) }
        case SenseDescriptor.commandSpecificInformationType where p.count >= 10:
            commandSpecificInformation = BigEndianBytes.read(p, at: 2, count: 8)
        case SenseDescriptor.senseKeySpecificType where p.count >= 5:
            if p[2] & 0x80 != 0 {
                senseKeySpecific = SenseKeySpecific(rawValue: UInt32(BigEndianBytes.read(p, at: 2, count: 3)))
            }
        case SenseDescriptor.fieldReplaceableUnitType where p.count >= 2:
            fieldReplaceableUnitCode = p[1]
        case SenseDescriptor.streamCommandsType where p.count >= 2:
            filemark = p[1] & 0x80 != 0
            endOfMedium = p[1] & 0x40 != 0
            incorrectLength = incorrectLength || p[1] & 0x20 != 0
        case SenseDescriptor.blockCommandsType where p.count >= 2:
            incorrectLength = incorrectLength || p[1] & 0x20 != 0
        default:
            additionalDescriptors.append(descriptor)
        }
    }
}
