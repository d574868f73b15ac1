import Testing
import Timebase

@testable import SimCore

@Suite("EventQueue")
struct EventQueueTests {
    private func event(_ time: Int64, _ sequence: UInt64) -> Event {
        Event(time: Instant(picoseconds: time), sequence: sequence, target: ComponentID(index: 0), storedKind: 1, payload: sequence)
    }

    @Test("pops in (time, sequence) order like a sorted reference, under random pushes and pops",
        arguments: 0..<40)
    func matchesReferenceSort(seed: UInt64) {
        var random = RandomStream(seed: seed, name: "queue-test")
        var queue = EventQueue(capacity: 4)
        var reference: [Event] = []
        var sequence: UInt64 = 0
        let operations = 2_000
        for _ in 0..<operations {
            // Mostly pushes, with small time ranges so that ties are frequent.
            if reference.isEmpty || random.chance(3, outOf: 5) {
                let e = event(Int64(random.below(50)), sequence)
                sequence += 1
                queue.push(e)
                reference.append(e)
            } else {
                reference.sort { $0.runsBefore($1) }
                let expected = reference.removeFirst()
                let popped = queue.popMin()
                #expect(popped.time == expected.time && popped.sequence == expected.sequence, "seed \(seed)")
            }
            #expect(queue.count == reference.count)
        }
        #expect(queue.checkInvariant(), "heap invariant broken, seed \(seed)")
        reference.sort { $0.runsBefore($1) }
        for expected in reference {
            let popped = queue.popMin()
            #expect(popped.sequence == expected.sequence, "seed \(seed)")
        }
        #expect(queue.isEmpty)
    }

    @Test("removeAll keeps the heap order and the survivors")
    func removeAllRestoresHeap() {
        var random = RandomStream(seed: 7, name: "queue-remove")
        var queue = EventQueue()
        for sequence in 0..<1_000 as Range<UInt64> {
            queue.push(event(Int64(random.below(100)), sequence))
        }
        queue.removeAll { $0.sequence % 3 == 0 }
        #expect(queue.count == 666)
        #expect(queue.checkInvariant())
        var last: Event? = nil
        while !queue.isEmpty {
            let next = queue.popMin()
            #expect(next.sequence % 3 != 0)
            if let last { #expect(last.runsBefore(next)) }
            last = next
        }
    }
}
