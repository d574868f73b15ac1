import SimCore
import Testing

/// Same set-up + same seed ⇒ the same executed events, byte for byte, in any process.
///
/// Each child process has its own randomly seeded `Hasher`, so a model that let `Set` or
/// `Dictionary` order, addresses or the clock decide anything would diverge between them.
@Suite("Determinism")
struct DeterminismTests {
    @Test("the same seed gives the same trace digest in two separate processes")
    func sameDigestAcrossProcesses() async throws {
        let first = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            print(KernelWorkout.run(seed: 2026).line)
        }
        let second = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            print(KernelWorkout.run(seed: 2026).line)
        }
        let a = String(decoding: try #require(first).standardOutputContent, as: UTF8.self)
        let b = String(decoding: try #require(second).standardOutputContent, as: UTF8.self)
        #expect(a.contains("digest="))
        #expect(a == b, "two processes diverged:\n\(a)\(b)")
        // And the parent process agrees with both.
        #expect(a == KernelWorkout.run(seed: 2026).line + "\n")
    }

    @Test("the digest notices a different seed")
    func seedChangesDigest() {
        #expect(KernelWorkout.run(seed: 1) != KernelWorkout.run(seed: 2))
    }

    @Test("the cross-process check catches a model that lets Set order decide (the test can fail)")
    func catchesHashOrderLeak() async throws {
        // Two processes run a workout whose node0 picks destinations by `Set` iteration
        // order. Swift seeds hashing per process, so with 16 names the orders differ with
        // probability 15/16 per pair; 4 pairs make a false pass a 1-in-65,536 event.
        var diverged = false
        for _ in 0..<4 where !diverged {
            let first = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
                print(KernelWorkout.run(seed: 2026, hashOrderLeak: true).line)
            }
            let second = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
                print(KernelWorkout.run(seed: 2026, hashOrderLeak: true).line)
            }
            diverged = try #require(first).standardOutputContent != (try #require(second)).standardOutputContent
        }
        #expect(diverged, "a hash-order-dependent model was not detected")
    }
}
