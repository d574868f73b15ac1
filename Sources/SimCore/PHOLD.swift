#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Timebase

/// PHOLD (Fujimoto 1990), the standard discrete-event engine benchmark, run on this kernel:
/// the same queue, dispatch, time types and random streams the device models use.
///
/// N logical processes are N registered components. The exact recipe, shared with the peer
/// implementations it is compared to (ns-3's schedulers, C++), so the work is equal:
///
/// - one stream: splitmix64 seeded with 42;
/// - `delay()` = 0.1 + (−ln u) seconds, u = ((next() >> 11) + 1) · 2⁻⁵³, converted to
///   picoseconds by truncation;
/// - initially, for each process in order and each of its P events: schedule it at `delay()`;
/// - executing an event at t: draw `delay()`, then destination = next() % N, schedule it at
///   t + delay for the destination, and count the event for its process.
///
/// With N = 1024, P = 16 the time of the 2 000 000th event is 134 471 495 650 343 ps and of
/// the 20 000 000th 1 343 101 139 703 624 ps.
public enum PHOLD {
    /// The size of a PHOLD run.
    public struct Configuration: Sendable, Equatable {
        public var processes: Int
        public var initialEventsPerProcess: Int
        public var events: UInt64
        public var seed: UInt64

        public init(processes: Int = 1024, initialEventsPerProcess: Int = 16, events: UInt64 = 20_000_000, seed: UInt64 = 42) {
            self.processes = processes
            self.initialEventsPerProcess = initialEventsPerProcess
            self.events = events
            self.seed = seed
        }
    }

    /// What a PHOLD run did.
    public struct Result: Sendable, Equatable {
        /// Events executed (equals the configured count unless the queue ran dry).
        public var events: UInt64
        /// The time of the last executed event.
        public var finalTime: Instant
        /// The kernel's event-trace digest.
        public var traceDigest: StableDigest
        /// Events executed by each logical process; they sum to `events`.
        public var eventsPerProcess: [UInt64]
    }

    static let message = EventKind(rawValue: 1)

    /// Sets up and runs PHOLD on a fresh ``Simulator``.
    public static func run(_ configuration: Configuration) -> Result {
        precondition(configuration.processes > 0 && configuration.initialEventsPerProcess >= 0)
        let simulator = Simulator(seed: configuration.seed)
        let shared = Shared(processes: configuration.processes, seed: configuration.seed)
        var processes: [LogicalProcess] = []
        processes.reserveCapacity(configuration.processes)
        for index in 0..<configuration.processes {
            let process = LogicalProcess(shared: shared)
            let id = simulator.register(process, name: "phold.lp\(index)")
            precondition(id.index == UInt32(index), "PHOLD needs the first component ids")
            processes.append(process)
        }
        for index in 0..<configuration.processes {
            for _ in 0..<configuration.initialEventsPerProcess {
                simulator.schedule(message, for: ComponentID(index: UInt32(index)), at: .zero + shared.delay())
            }
        }
        simulator.run(eventBudget: configuration.events)
        return Result(
            events: simulator.executedEvents,
            finalTime: simulator.now,
            traceDigest: simulator.traceDigest,
            eventsPerProcess: processes.map(\.executed))
    }

    /// The state all processes share: the one random stream.
    final class Shared {
        var random: RandomStream
        let processCount: UInt64

        init(processes: Int, seed: UInt64) {
            random = RandomStream(rawSeed: seed)
            processCount = UInt64(processes)
        }

        /// 0.1 s plus an exponential with mean 1 s, truncated to picoseconds.
        @inline(__always)
        func delay() -> TimeSpan {
            let u = random.unitIntervalOpenClosed()
            return TimeSpan(picoseconds: Int64((0.1 - log(u)) * 1e12))
        }
    }

    final class LogicalProcess: SimComponent {
        let shared: Shared
        var executed: UInt64 = 0

        init(shared: Shared) {
            self.shared = shared
        }

        func handle(_ event: Event, in simulator: Simulator) {
            let delay = shared.delay()
            let destination = shared.random.next() % shared.processCount
            simulator.schedule(PHOLD.message, for: ComponentID(index: UInt32(destination)), at: event.time + delay)
            executed += 1
        }
    }
}
