import Reports
import Testing

@Suite("Reports")
struct ReportsTests {
    @Test("JSON objects are written with sorted keys and exact numbers")
    func jsonIsCanonical() {
        let value = JSONValue.object([
            ("zeta", .integer(-3)), ("alpha", .number(1.5)), ("mid", .array([.bool(true), .null, .unsigned(18_446_744_073_709_551_615)])),
            ("text", .string("a\"b\\c\n\u{1}")), ("whole", .number(2e6)), ("nan", .number(.nan)),
        ])
        #expect(value.rendered() == #"{"alpha":1.5,"mid":[true,null,18446744073709551615],"nan":null,"text":"a\"b\\c\n\u0001","whole":2000000,"zeta":-3}"#)
        #expect(JSONValue.object([("b", .integer(1)), ("a", .object([]))]).rendered(pretty: true) == "{\n  \"a\": {},\n  \"b\": 1\n}")
    }

    @Test("tables align labels left and figures right")
    func table() {
        var table = TextTable(title: "T")
        table.append(["events", "20,000,000"])
        table.append(["wall time", "1.2 s"])
        #expect(table.rendered() == "T\n  events     20,000,000\n  wall time       1.2 s\n")
    }

    @Test("numbers format without locale")
    func format() {
        #expect(Format.grouped(20_000_000) == "20,000,000")
        #expect(Format.grouped(-1234) == "-1,234")
        #expect(Format.grouped(12) == "12")
        #expect(Format.fixed(3.14159, 2) == "3.14")
        #expect(Format.fixed(-0.0004, 3) == "0.000")
        #expect(Format.fixed(2.5, 0) == "3")
        #expect(Format.si(15_612_345) == "15.61 M")
        #expect(Format.si(980) == "980.00")
    }
}
