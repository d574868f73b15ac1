import Glibc

/// Turning C values into the text of this module's descriptions (no Foundation here).
enum TextFormatting {
    /// `strerror`'s text for a system error number, e.g. `No such file or directory`.
    static func errnoText(_ code: CInt) -> String {
        String(cString: strerror(code))
    }

    /// `text` with line breaks and other control characters turned into spaces, so that a
    /// message built from outside text (dlerror(), device and file names) stays one line.
    static func singleLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(isControl(scalar) ? " " : scalar)
        }
        return String(scalars)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control
    }

    /// The NUL-terminated string in a fixed-size C `char` array, which Swift imports as a
    /// tuple (e.g. `char name[64]`). Stops at the array's end if there is no NUL; invalid
    /// UTF-8 becomes U+FFFD.
    static func string<CharArray>(fromCArray array: CharArray) -> String {
        withUnsafeBytes(of: array) { bytes in
            String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    /// `value` as `0x` and at least `digits` lower-case hexadecimal digits, e.g. `0x05`.
    static func hex<Value: BinaryInteger>(_ value: Value, digits: Int) -> String {
        "0x" + hexDigits(value, digits: digits)
    }

    /// `value` as at least `digits` lower-case hexadecimal digits, zero-padded on the left.
    static func hexDigits<Value: BinaryInteger>(_ value: Value, digits: Int) -> String {
        let text = String(value, radix: 16)
        return text.count >= digits ? text : String(repeating: "0", count: digits - text.count) + text
    }

    /// A 64-bit GUID the way `ibv_devinfo` prints it: four groups of four hexadecimal digits,
    /// e.g. `0200:5eff:fe12:3456`.
    static func guid(_ value: UInt64) -> String {
        stride(from: 48, through: 0, by: -16)
            .map { hexDigits((value >> UInt64($0)) & 0xffff, digits: 4) }
            .joined(separator: ":")
    }
}
