/// Lower-case hexadecimal text for the `description`s of this module (no Foundation here).
enum HexFormatting {
    /// `value` as exactly `digits` lower-case hexadecimal digits, zero-padded on the left.
    static func hex<Value: BinaryInteger>(_ value: Value, digits: Int) -> String {
        let text = String(value, radix: 16)
        return text.count >= digits ? text : String(repeating: "0", count: digits - text.count) + text
    }

    /// `bytes` as space-separated two-digit hexadecimal, e.g. `28 00 12 34`.
    static func bytes(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { hex($0, digits: 2) }.joined(separator: " ")
    }
}
