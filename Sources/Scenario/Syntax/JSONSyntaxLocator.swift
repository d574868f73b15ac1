/// Finds where a JSON text first stops being JSON (RFC 8259), so a scenario with a stray
/// comma gets "line 12, column 7: expected a value, found ','" instead of Foundation's
/// "The given data was not valid JSON".
///
/// It only locates: the document that passes it is parsed by `JSONDecoder`.
enum JSONSyntaxLocator {
    struct Located: Equatable {
        var line: Int
        var column: Int
        var message: String
    }

    private struct Failure: Error {
        var offset: Int
        var message: String
    }

    /// The first syntax error in `bytes`, or nil when they are one valid JSON value.
    static func firstError(in bytes: [UInt8]) -> Located? {
        var scanner = Scanner(bytes: bytes)
        do throws(Failure) {
            scanner.skipWhitespace()
            try scanner.value(depth: 0)
            scanner.skipWhitespace()
            if scanner.offset < bytes.count { throw Failure(offset: scanner.offset, message: "unexpected text after the document") }
            return nil
        } catch {
            var line = 1
            var column = 1
            for byte in bytes[..<min(error.offset, bytes.count)] {
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {  // count characters, not UTF-8 continuation bytes
                    column += 1
                }
            }
            return Located(line: line, column: column, message: error.message)
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var offset = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

        func found() -> String {
            guard let byte = current else { return "the end of the file" }
            return byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + String(byte, radix: 16)
        }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { offset += 1 }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
            guard current == byte else { throw Failure(offset: offset, message: "expected \(what), found \(found())") }
            offset += 1
        }

        mutating func value(depth: Int) throws(Failure) {
            guard depth < 512 else { throw Failure(offset: offset, message: "nested more than 512 deep") }
            switch current {
            case UInt8(ascii: "{"):
                offset += 1
                skipWhitespace()
                if current == UInt8(ascii: "}") { offset += 1; return }
                while true {
                    skipWhitespace()
                    guard current == UInt8(ascii: "\"") else {
                        throw Failure(offset: offset, message: "expected a member name in double quotes, found \(found())")
                    }
                    try string()
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"), "':' after the member name")
                    skipWhitespace()
                    try value(depth: depth + 1)
                    skipWhitespace()
                    if current == UInt8(ascii: ",") { offset += 1; continue }
                    try expect(UInt8(ascii: "}"), "',' or '}'")
                    return
                }
            case UInt8(ascii: "["):
                offset += 1
                skipWhitespace()
                if current == UInt8(ascii: "]") { offset += 1; return }
                while true {
                    skipWhitespace()
                    try value(depth: depth + 1)
                    skipWhitespace()
                    if current == UInt8(ascii: ",") { offset += 1; continue }
                    try expect(UInt8(ascii: "]"), "',' or ']'")
                    return
                }
            case UInt8(ascii: "\""):
                try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case let byte? where byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")):
                try number()
            default:
                throw Failure(offset: offset, message: "expected a value, found \(found())")
            }
        }

        mutating func literal(_ word: String) throws(Failure) {
            let start = offset
            for byte in word.utf8 {
                guard current == byte else {
                    offset = start
                    throw Failure(offset: start, message: "expected a value, found \(found())")
                }
                offset += 1
            }
        }

        mutating func string() throws(Failure) {
            offset += 1  // the opening quote
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""):
                    offset += 1
                    return
                case UInt8(ascii: "\\"):
                    offset += 1
                    guard let escaped = current, Array("\"\\/bfnrtu".utf8).contains(escaped) else {
                        throw Failure(offset: offset, message: "invalid escape in a string")
                    }
                    offset += 1
                case 0..<0x20:
                    throw Failure(offset: offset, message: "a control character (a line break?) inside a string")
                default:
                    offset += 1
                }
            }
            throw Failure(offset: offset, message: "a string that is never closed")
        }

        mutating func number() throws(Failure) {
            let start = offset
            if current == UInt8(ascii: "-") { offset += 1 }
            var digits = 0
            while let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                offset += 1
                digits += 1
            }
            guard digits > 0 else { throw Failure(offset: start, message: "expected a number, found \(found())") }
            if current == UInt8(ascii: ".") {
                offset += 1
                guard let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else {
                    throw Failure(offset: offset, message: "expected a digit after the decimal point")
                }
                while let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { offset += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                offset += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
                guard let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else {
                    throw Failure(offset: offset, message: "expected a digit in the exponent")
                }
                while let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { offset += 1 }
            }
        }
    }
}
