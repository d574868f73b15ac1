import SimCore
import Testing

@Suite("PHOLD")
struct PHOLDTests {
    @Test("N=1024, P=16, E=2,000,000 ends at exactly 134471495650343 ps (the peers' figure)")
    func publishedFinalTime() {
        let result = PHOLD.run(.init(processes: 1024, initialEventsPerProcess: 16, events: 2_000_000, seed: 42))
        #expect(result.events == 2_000_000)
        #expect(result.finalTime.picoseconds == 134_471_495_650_343)
        #expect(result.eventsPerProcess.reduce(0, +) == 2_000_000)
        #expect(result.eventsPerProcess.count == 1024)
    }

    @Test("another seed gives another run")
    func seedMatters() {
        let a = PHOLD.run(.init(processes: 64, initialEventsPerProcess: 4, events: 10_000, seed: 42))
        let b = PHOLD.run(.init(processes: 64, initialEventsPerProcess: 4, events: 10_000, seed: 43))
        #expect(a.finalTime != b.finalTime)
        #expect(a.traceDigest != b.traceDigest)
    }
}
