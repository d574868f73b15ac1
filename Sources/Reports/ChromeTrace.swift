import Timebase

/// A trace in the Chrome Trace Event format (REFERENCE.md §E.1), which Perfetto and
/// chrome://tracing load: `{"displayTimeUnit":"ns","traceEvents":[…]}`.
///
/// Each component is one named track: a process (a node or device, `pid`) and a thread
/// (an agent, queue, port or disk, `tid`), announced by `ph:"M"` metadata events with sort
/// indexes in declaration order. Spans are complete events (`ph:"X"`), faults and state
/// changes instant events (`ph:"i"`), figures counter events (`ph:"C"`). Times are written
/// in microseconds as exact decimals of the virtual time's picoseconds (`ts:1.234567`).
///
/// Perfetto does not support partially overlapping X events on one thread (§E.2), while a
/// component with a queue (a disk, a loop) has overlapping requests. So spans are kept
/// until ``rendered()`` and laid out then: sorted by start (longer first on ties, then in
/// the order added), each goes on the first *lane* of its track where it is disjoint from
/// or nested inside what is open; lane 0 is the track's own thread, further lanes are
/// threads named `"<thread> #2"`, `"#3"`… The output depends only on what was appended.
public struct ChromeTrace: Sendable {
    /// One component's track: a (process, thread) pair declared with ``track(process:thread:)``.
    public struct Track: Hashable, Sendable {
        /// 1-based index of the process, in declaration order (the `pid`).
        public let process: Int
        /// 1-based index of the thread within its process.
        public let thread: Int
    }

    /// The scope of an instant event: the whole trace, its process, or its thread.
    public enum InstantScope: String, Sendable {
        case global = "g", process = "p", thread = "t"
    }

    /// Lanes per track: tids are `thread × lanesPerThread + lane`.
    static let lanesPerThread = 1_000

    private struct Span: Sendable {
        var track: Track
        var name: String
        var category: String
        var start: Int64
        var duration: Int64
        var args: [(String, JSONValue)]
        var sequence: Int
    }

    private var processNames: [String] = []
    private var threadNames: [[String]] = []
    private var processIndex: [String: Int] = [:]  // lookups only; order comes from the arrays
    private var threadIndex: [[String: Int]] = []
    private var spans: [Span] = []
    private var otherEvents: [String] = []

    public init() {}

    /// The track of `thread` in `process`, declared on first use.
    public mutating func track(process: String, thread: String) -> Track {
        let p: Int
        if let known = processIndex[process] {
            p = known
        } else {
            processNames.append(process)
            threadNames.append([])
            threadIndex.append([:])
            p = processNames.count
            processIndex[process] = p
        }
        if let t = threadIndex[p - 1][thread] { return Track(process: p, thread: t) }
        threadNames[p - 1].append(thread)
        let t = threadNames[p - 1].count
        threadIndex[p - 1][thread] = t
        return Track(process: p, thread: t)
    }

    /// Number of events appended so far (spans, instants, counters; metadata not counted).
    public var eventCount: Int { spans.count + otherEvents.count }

    /// A span of work: `name` from `start` for `duration` on `track` (a `ph:"X"` event).
    public mutating func complete(_ name: String, category: String, on track: Track, start: Instant,
                                  duration: TimeSpan, args: [(String, JSONValue)] = []) {
        precondition(start.picoseconds >= 0 && duration.picoseconds >= 0, "span \(name) has negative time")
        spans.append(Span(track: track, name: name, category: category, start: start.picoseconds,
                          duration: duration.picoseconds, args: args, sequence: spans.count))
    }

    /// A point event (a fault, a state change): a `ph:"i"` event on `track`.
    public mutating func instant(_ name: String, category: String, on track: Track, at time: Instant,
                                 scope: InstantScope = .thread, args: [(String, JSONValue)] = []) {
        precondition(time.picoseconds >= 0)
        var fields = Self.common(name: name, category: category, phase: "i", pid: track.process,
                                 tid: track.thread * Self.lanesPerThread, time: time.picoseconds)
        fields.append(("s", JSONValue.string(scope.rawValue).rendered()))
        if !args.isEmpty { fields.append(("args", JSONValue.object(args).rendered())) }
        otherEvents.append(Self.event(fields))
    }

    /// Counter values of `process` at `time` (a `ph:"C"` event): one series per value name.
    public mutating func counter(_ name: String, process: String, at time: Instant, values: [(String, Double)]) {
        let p = track(process: process, thread: "counters").process
        var fields = Self.common(name: name, category: "counter", phase: "C", pid: p, tid: 0, time: time.picoseconds)
        fields.append(("args", JSONValue.object(values.map { ($0.0, .number($0.1)) }).rendered()))
        otherEvents.append(Self.event(fields))
    }

    /// The whole trace as JSON text, one event per line (valid JSON, easy to diff).
    public func rendered() -> String {
        var lines: [String] = []
        let (placed, lanes) = layOut()
        for (p, process) in processNames.enumerated() {
            let pid = p + 1
            lines.append(Self.metadata("process_name", pid: pid, tid: 0, value: .string(process)))
            lines.append(Self.metadata("process_sort_index", pid: pid, tid: 0, value: .integer(Int64(pid)), key: "sort_index"))
            for (t, thread) in threadNames[p].enumerated() {
                let laneCount = lanes[Track(process: pid, thread: t + 1)] ?? 1
                for lane in 0..<laneCount {
                    let tid = (t + 1) * Self.lanesPerThread + lane
                    let name = lane == 0 ? thread : thread + " #\(lane + 1)"
                    lines.append(Self.metadata("thread_name", pid: pid, tid: tid, value: .string(name)))
                    lines.append(Self.metadata("thread_sort_index", pid: pid, tid: tid, value: .integer(Int64(tid)), key: "sort_index"))
                }
            }
        }
        for (span, lane) in placed {
            var fields = Self.common(name: span.name, category: span.category, phase: "X", pid: span.track.process,
                                     tid: span.track.thread * Self.lanesPerThread + lane, time: span.start)
            fields.append(("dur", Self.microseconds(span.duration)))
            if !span.args.isEmpty { fields.append(("args", JSONValue.object(span.args).rendered())) }
            lines.append(Self.event(fields))
        }
        lines += otherEvents
        return "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n" + lines.joined(separator: ",\n") + "\n]}\n"
    }

    /// Spans in start order with their lane, and the number of lanes each track needed.
    private func layOut() -> (placed: [(Span, Int)], lanes: [Track: Int]) {
        let ordered = spans.sorted {
            ($0.start, -$0.duration, $0.sequence) < ($1.start, -$1.duration, $1.sequence)
        }
        var open: [Track: [[Int64]]] = [:]  // per track, per lane: the stack of open span ends
        var placed: [(Span, Int)] = []
        placed.reserveCapacity(ordered.count)
        for span in ordered {
            var stacks = open[span.track] ?? []
            let end = span.start + span.duration
            var chosen = stacks.count
            for lane in stacks.indices {
                while let top = stacks[lane].last, top <= span.start { stacks[lane].removeLast() }
                if stacks[lane].last.map({ end <= $0 }) ?? true {
                    chosen = lane
                    break
                }
            }
            if chosen == stacks.count {
                precondition(chosen < Self.lanesPerThread, "more than \(Self.lanesPerThread) overlapping spans")
                stacks.append([])
            }
            stacks[chosen].append(end)
            open[span.track] = stacks
            placed.append((span, chosen))
        }
        return (placed, open.mapValues(\.count))
    }

    // MARK: Writing events

    /// `ps` picoseconds as microseconds, an exact decimal: `1234567` → `"1.234567"`.
    static func microseconds(_ ps: Int64) -> String {
        let whole = ps / 1_000_000
        var fraction = ps % 1_000_000
        guard fraction != 0 else { return String(whole) }
        var digits = 6
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = String(fraction)
        return String(whole) + "." + String(repeating: "0", count: digits - text.count) + text
    }

    private static func common(name: String, category: String, phase: String, pid: Int, tid: Int,
                               time: Int64) -> [(String, String)] {
        [("name", JSONValue.string(name).rendered()), ("cat", JSONValue.string(category).rendered()),
         ("ph", "\"" + phase + "\""), ("pid", String(pid)), ("tid", String(tid)), ("ts", microseconds(time))]
    }

    private static func metadata(_ name: String, pid: Int, tid: Int, value: JSONValue, key: String = "name") -> String {
        event([("name", "\"" + name + "\""), ("ph", "\"M\""), ("pid", String(pid)), ("tid", String(tid)),
               ("args", JSONValue.object([(key, value)]).rendered())])
    }

    /// One event object with its members in key order (as ``JSONValue`` writes objects).
    private static func event(_ fields: [(String, String)]) -> String {
        "{" + fields.sorted { $0.0 < $1.0 }.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}
