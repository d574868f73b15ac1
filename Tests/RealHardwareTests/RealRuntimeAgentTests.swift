import AgentTestDoubles
import Agents
import Hardware
import RealHardware
import Testing

/// Real agent code, unchanged, on the real backend's runtime and bus: an RTA with a fake device
/// driver on one endpoint of an ``InProcessBus``, the host's side on another, both on one
/// ``RealNodeRuntime`` (one loop per process), in real time.
@Suite("Agents on the real runtime")
struct RealRuntimeAgentTests {
    @Test("an RTA on RealNodeRuntime + InProcessBus: discover, a write then a read of it, end to end, each executed once")
    func rtaWriteThenRead() throws {
        // 2 ms per operation (assumption: a fast disk's order of magnitude); only the order of events
        // and a lower bound on the elapsed time are checked.
        let connection = ConnectionID(rawValue: 7)
        let bed = try RealRTATestbed(serviceTime: .milliseconds(2), windowLength: 64 * 4096, connection: connection)
        let (runtime, driver, rta, host, deadline) = (bed.runtime, bed.driver, bed.rta, bed.host, bed.deadline)
        let blockLength = Int(driver.identity.blockLength)
        #expect(host.resources?.map(\.identity) == [driver.identity])

        // A write of 9 blocks at LBA 40 (4608 bytes: a 4 KiB and a 512-byte segment), then a read
        // of 16 blocks from LBA 36 that covers it and 7 never-written blocks around it.
        let payload = (0..<9 * blockLength).map { UInt8(truncatingIfNeeded: $0 / 3 &+ 17) }
        let started = runtime.now
        host.write(1, connection: connection, lba: 40, data: payload, blockLength: blockLength)
        runtime.run(until: { host.outcomes[1] != nil }, deadline: deadline)
        #expect(host.outcomes[1] == .good)
        #expect((40..<49).flatMap { driver.blocks[UInt64($0)] ?? [] } == payload)

        host.send(.ioRequest(RTARequest(transaction: 2, connection: connection, device: 0, operation: .read, lba: 36,
                                        blocks: 16)))
        runtime.run(until: { host.outcomes[2] != nil && rta.activeTransactions == 0 }, deadline: deadline)
        #expect(host.outcomes[2] == .good)
        var expected: [UInt8] = []
        for lba in 36..<52 {
            if (40..<49).contains(lba) {
                let start = (lba - 40) * blockLength
                expected += payload[start..<(start + blockLength)]
            } else {
                expected += RTAFakeDriver.pattern(lba: UInt64(lba), blockLength: blockLength)
            }
        }
        #expect(host.readData[2] == expected)

        // Each executed exactly once, buffers all returned, nothing lost on the bus.
        #expect(driver.log.map(\.operation) == ["identify", "write", "read"])
        #expect(rta.statistics.executed == 2)
        #expect(rta.statistics.buffersInUse == 0)
        #expect(host.duplicates == 0 && host.unreachable == 0)
        #expect(bed.bus.statistics(of: bed.hostChannel.localEndpoint).messagesLost == 0)
        // Real time passed: at least the two device operations' service times, back to back.
        #expect(runtime.now - started >= driver.serviceTime * 2)
        #expect(host.times[1]?.disk == driver.serviceTime)
    }
}
