import AgentTestDoubles
import Agents
import Hardware
import RealHardware
import Testing

/// The RTA's one-transfer fast path (a request no longer than one buffer segment moves in one
/// DMA: the read's data is sent as it is, the write's data is the DMA's bytes as they came),
/// end to end on the real runtime and bus, every byte compared.
@Suite("RTA: a request in one DMA transfer")
struct RealRTASingleTransferTests {
    @Test("a write and a read of exactly one 4 KiB segment move the bytes unchanged, each in one DMA")
    func oneSegment() throws {
        let connection = ConnectionID(rawValue: 3)
        let bed = try RealRTATestbed(serviceTime: .milliseconds(1), windowLength: 16 * 4096, connection: connection)
        let (runtime, driver, rta, host, deadline) = (bed.runtime, bed.driver, bed.rta, bed.host, bed.deadline)
        let blockLength = Int(driver.identity.blockLength)

        // 4096 bytes = one segment = one DMA transfer each way.
        let blocks = 4096 / blockLength
        let payload = (0..<4096).map { UInt8(truncatingIfNeeded: $0 * 13 &+ 5) }
        host.write(1, connection: connection, lba: 8, data: payload, blockLength: blockLength)
        runtime.run(until: { host.outcomes[1] != nil }, deadline: deadline)
        #expect(host.outcomes[1] == .good)
        #expect((8..<(8 + blocks)).flatMap { driver.blocks[UInt64($0)] ?? [] } == payload)

        host.send(.ioRequest(RTARequest(transaction: 2, connection: connection, device: 0, operation: .read, lba: 8,
                                        blocks: UInt32(blocks))))
        runtime.run(until: { host.outcomes[2] != nil && rta.activeTransactions == 0 }, deadline: deadline)
        #expect(host.outcomes[2] == .good)
        #expect(host.readData[2] == payload)
        let rtaBus = bed.bus.statistics(of: bed.rtaChannel.localEndpoint)
        // One DMA read (the write's data) and one DMA write (the read's), 4096 bytes each.
        #expect(rtaBus.dmaBytesRead == 4096 && rtaBus.dmaBytesWritten == 4096)
        #expect(rta.statistics.dmaRetries == 0 && rta.statistics.buffersInUse == 0)
    }
}
