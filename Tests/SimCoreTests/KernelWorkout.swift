import SimCore
import Timebase

/// A small simulation that exercises every part of the kernel a model uses: many named
/// components with their own random streams, ties in time, zero delays, timers started and
/// cancelled at random, and run limits. The determinism tests run it in separate processes.
///
/// With `hashOrderLeak` one component deliberately lets `Set` iteration order pick a
/// destination: the bug the determinism test exists to catch, used to prove it can fail.
enum KernelWorkout {
    static let message = EventKind(rawValue: 1)
    static let timeout = EventKind(rawValue: 2)

    final class Node: SimComponent {
        var random: RandomStream
        var pendingTimers: [TimerID] = []
        let peers: Int
        let hashOrderLeak: Bool
        let names: Set<String>

        init(name: String, simulator: Simulator, peers: Int, hashOrderLeak: Bool) {
            random = simulator.randomStream(for: name)
            self.peers = peers
            self.hashOrderLeak = hashOrderLeak
            names = Set((0..<peers).map { "node\($0)" })
        }

        func handle(_ event: Event, in simulator: Simulator) {
            if event.kind == KernelWorkout.timeout, random.chance(1, outOf: 2) {
                return  // a timeout that did nothing
            }
            var destination = Int(random.below(UInt64(peers)))
            if hashOrderLeak, let first = names.first {
                destination = Int(first.dropFirst(4))!
            }
            // Coarse delays (including zero) make ties frequent.
            let delay = TimeSpan.nanoseconds(Int64(random.below(4)) * 250)
            simulator.schedule(KernelWorkout.message, for: ComponentID(index: UInt32(destination)), after: delay, payload: event.payload &+ 1)
            if random.chance(1, outOf: 3) {
                pendingTimers.append(simulator.startTimer(KernelWorkout.timeout, for: ComponentID(index: UInt32(destination)), after: .microseconds(Int64(random.below(5)) + 1)))
            }
            if !pendingTimers.isEmpty, random.chance(1, outOf: 4) {
                let victim = Int(random.below(UInt64(pendingTimers.count)))
                simulator.cancel(pendingTimers.remove(at: victim))
            }
        }
    }

    struct Outcome: Equatable {
        var digest: UInt64
        var executed: UInt64
        var finalTime: Instant

        /// One line, for a child process to print and a parent to compare.
        var line: String { "digest=\(digest) executed=\(executed) final=\(finalTime.picoseconds)" }
    }

    static func run(seed: UInt64, nodes: Int = 16, events: UInt64 = 20_000, hashOrderLeak: Bool = false) -> Outcome {
        let simulator = Simulator(seed: seed)
        for index in 0..<nodes {
            let name = "node\(index)"
            let leaks = hashOrderLeak && index == 0
            simulator.register(Node(name: name, simulator: simulator, peers: nodes, hashOrderLeak: leaks), name: name)
        }
        for index in 0..<nodes {
            simulator.schedule(message, for: ComponentID(index: UInt32(index)), at: .zero, payload: UInt64(index))
        }
        simulator.run(until: .zero + .milliseconds(50), eventBudget: events)
        return Outcome(digest: simulator.traceDigest.value, executed: simulator.executedEvents, finalTime: simulator.now)
    }
}
