import Foundation
import Reports
import Testing
import Timebase

@Suite("Chrome trace")
struct ChromeTraceTests {
    static func parse(_ text: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(object?["displayTimeUnit"] as? String == "ns")
        return try #require(object?["traceEvents"] as? [[String: Any]])
    }

    @Test("valid Trace Event JSON: required fields per phase, one named track per component")
    func requiredFields() throws {
        let (_, trace) = ExampleRun.make()
        let events = try Self.parse(trace.rendered())
        #expect(events.count > 300)
        for event in events {
            let phase = try #require(event["ph"] as? String)
            #expect(event["name"] is String && event["pid"] is NSNumber && event["tid"] is NSNumber)
            switch phase {
            case "M": #expect((event["args"] as? [String: Any])?.isEmpty == false)
            case "X": #expect(event["ts"] is NSNumber && event["dur"] is NSNumber && event["cat"] is String)
            case "i": #expect(event["ts"] is NSNumber && ["g", "p", "t"].contains(event["s"] as? String ?? ""))
            case "C": #expect(event["ts"] is NSNumber && event["args"] is [String: Any])
            default: Issue.record("unexpected phase \(phase)")
            }
        }
        let threadNames = events.filter { $0["name"] as? String == "thread_name" }
            .compactMap { ($0["args"] as? [String: Any])?["name"] as? String }
        for stage in ["fabric", "CTA", "PCI", "RTA", "disk"] { #expect(threadNames.contains(stage)) }
    }

    @Test("ts and dur are exact microseconds of the picoseconds: 1 234 567 ps → 1.234567")
    func exactTimes() throws {
        var trace = ChromeTrace()
        let track = trace.track(process: "p", thread: "t")
        trace.complete("a", category: "c", on: track, start: Instant(picoseconds: 1_234_567), duration: .nanoseconds(1_500))
        let span = try #require(try Self.parse(trace.rendered()).first { $0["ph"] as? String == "X" })
        #expect(trace.rendered().contains("\"dur\":1.5,"))
        #expect(trace.rendered().contains("\"ts\":1.234567}"))
        #expect((span["ts"] as? NSNumber)?.doubleValue == 1.234567)
    }

    @Test("overlapping spans on one track go to extra lanes; nested spans share a lane")
    func lanes() throws {
        var trace = ChromeTrace()
        let disk = trace.track(process: "shelf", thread: "disk")
        let at = { (us: Int64) in Instant.zero + .microseconds(us) }
        trace.complete("outer", category: "d", on: disk, start: at(0), duration: .microseconds(100))
        trace.complete("inner", category: "d", on: disk, start: at(10), duration: .microseconds(20))
        trace.complete("overlap", category: "d", on: disk, start: at(50), duration: .microseconds(100))
        trace.complete("later", category: "d", on: disk, start: at(200), duration: .microseconds(10))
        let events = try Self.parse(trace.rendered())
        func tid(_ name: String) -> Int? {
            (events.first { $0["name"] as? String == name }?["tid"] as? NSNumber)?.intValue
        }
        #expect(tid("outer") == tid("inner") && tid("outer") == tid("later"))
        #expect(tid("overlap") != tid("outer"))
        // On every tid, any two spans are disjoint or nested (what Perfetto requires).
        let spans = events.filter { $0["ph"] as? String == "X" }.map {
            (tid: ($0["tid"] as! NSNumber).intValue, start: ($0["ts"] as! NSNumber).doubleValue,
             end: ($0["ts"] as! NSNumber).doubleValue + ($0["dur"] as! NSNumber).doubleValue)
        }
        for a in spans { for b in spans where a.tid == b.tid && a.start < b.start {
            #expect(b.start >= a.end || b.end <= a.end)
        } }
        #expect(events.contains { ($0["args"] as? [String: Any])?["name"] as? String == "disk #2" })
    }

    @Test("the same appends render the same bytes")
    func deterministic() {
        #expect(ExampleRun.make().trace.rendered() == ExampleRun.make().trace.rendered())
    }
}
