import SimCore
import Testing
import Timebase

/// A component that records every event it handles, for tests.
final class Recorder: SimComponent {
    struct Entry: Equatable {
        var time: Instant
        var kind: UInt32
        var payload: UInt64
    }
    private(set) var entries: [Entry] = []
    /// Called after recording, to let a test react (schedule more, cancel timers).
    var onEvent: ((Event, Simulator) -> Void)?

    func handle(_ event: Event, in simulator: Simulator) {
        #expect(simulator.now == event.time)
        entries.append(Entry(time: event.time, kind: event.kind.rawValue, payload: event.payload))
        onEvent?(event, simulator)
    }
}
