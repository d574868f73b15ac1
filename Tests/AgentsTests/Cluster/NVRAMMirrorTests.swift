import Agents
import Hardware
import SimHardware
import Testing
import Timebase

@Suite("NVRAM mirror")
struct NVRAMMirrorTests {
    static let recordBytes = NVRAMLogFormat.recordSize(dataLength: 4096)

    func append(_ pair: MirrorPair, _ count: Int, from first: Int = 0) -> [NVRAMLog.Record] {
        (first..<(first + count)).map { index in
            let data = testPayload(UInt64(index), bytes: 4096)
            let sequence = pair.red.append(lun: 2, lba: UInt64(index) * 8, blocks: 8, data: data)!
            return NVRAMLog.Record(sequence: sequence, lun: 2, lba: UInt64(index) * 8, blocks: 8, data: data)
        }
    }

    @Test("mirrored: records are durable in order, record k at t0 + k × writeTime(record) (writes serialised on the connection)")
    func orderingAndLatency() {
        let pair = MirrorPair()
        let connection = pair.connect(interconnect: 0)
        pair.run(for: .milliseconds(1))  // the first re-send (header only) is done
        #expect(pair.red.mode == .mirrored(interconnect: 0))
        let start = pair.simulator.now
        let records = append(pair, 5)
        pair.run(for: .milliseconds(1))
        #expect(pair.recorder.durable.map(\.sequence) == [1, 2, 3, 4, 5])
        for (index, entry) in pair.recorder.durable.enumerated() {
            #expect(entry.at == start + connection.writeTime(Self.recordBytes) * Int64(index + 1))
        }
        #expect(pair.blueCopy == records)
        // Trims move the tail; the header follows to the partner.
        for record in records { pair.red.trim(record.sequence) }
        pair.run(for: .milliseconds(1))
        #expect(pair.blueCopy.isEmpty)
        #expect(pair.recorder.spaceAvailable >= 1)
    }

    @Test("suspended holds durability; partnerFenced releases it in order; alone, a record is durable at its append")
    func suspendedThenAlone() {
        let pair = MirrorPair()
        _ = append(pair, 3)
        pair.run(for: .milliseconds(5))
        #expect(pair.red.mode == .suspended)
        #expect(pair.recorder.durable.isEmpty && pair.red.heldRecords == 3)
        let fenced = pair.simulator.now
        pair.red.partnerFenced()
        #expect(pair.red.mode == .alone)
        #expect(pair.recorder.durable.map(\.sequence) == [1, 2, 3])
        #expect(pair.recorder.durable.allSatisfy { $0.at == fenced })
        let appended = pair.simulator.now
        _ = append(pair, 1, from: 3)
        #expect(pair.recorder.durable.count == 3)  // never from inside append
        pair.run(for: .microseconds(1))
        #expect(pair.recorder.durable.last?.sequence == 4 && pair.recorder.durable.last?.at == appended)
    }

    @Test("reconnect: held records are released only when the header and the whole live log were re-sent")
    func reconnectResends() {
        let pair = MirrorPair()
        let first = pair.connect(interconnect: 0)
        pair.run(for: .milliseconds(1))
        var records = append(pair, 2)
        pair.run(for: .milliseconds(1))
        #expect(pair.recorder.durable.count == 2)
        records += append(pair, 2, from: 2)
        first.fail()  // before their writes complete
        #expect(pair.red.mode == .suspended)
        pair.run(for: .milliseconds(1))
        #expect(pair.recorder.durable.count == 2 && pair.red.heldRecords == 2)
        let again = pair.connect(interconnect: 0)
        let reconnected = pair.simulator.now
        pair.run(for: .milliseconds(1))
        // Header, then one span of 4 records: released when the span's write completes.
        let expected = reconnected + again.writeTime(NVRAMLogFormat.headerLength) + again.writeTime(4 * Self.recordBytes)
        #expect(pair.recorder.durable.map(\.sequence) == [1, 2, 3, 4])
        #expect(pair.recorder.durable[2].at == expected && pair.recorder.durable[3].at == expected)
        #expect(pair.blueCopy == records)
        #expect(pair.red.statistics.resyncs == 2)
    }

    @Test("two interconnects: the lowest up carries the mirror; when it fails the mirror re-sends on the other and continues")
    func switchToSecondConnection() {
        let pair = MirrorPair()
        let zero = pair.connect(interconnect: 0)
        let one = pair.connect(interconnect: 1)
        pair.run(for: .milliseconds(1))
        #expect(pair.red.mode == .mirrored(interconnect: 0))
        #expect(one.writesPosted == 0)
        var records = append(pair, 3)
        zero.fail()
        #expect(pair.red.mode == .mirrored(interconnect: 1))
        pair.run(for: .milliseconds(1))
        #expect(pair.recorder.durable.map(\.sequence) == [1, 2, 3])
        records += append(pair, 2, from: 3)
        pair.run(for: .milliseconds(1))
        #expect(pair.recorder.durable.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(one.writesLanded == 2 + 2)  // header + live span, then two records
        #expect(zero.writesLanded == 1)  // its first header only
        #expect(pair.blueCopy == records)
        // Interconnect 1 failing too leaves the mirror suspended.
        one.fail()
        #expect(pair.red.mode == .suspended)
    }

    @Test("backpressure through the mirror: a full log refuses, a trim at the tail frees room and tells the delegate")
    func logFullBackpressure() {
        let pair = MirrorPair(capacity: 2 * (NVRAMLogFormat.headerLength + 4 * Self.recordBytes))
        pair.connect(interconnect: 0)
        let records = append(pair, 4)
        #expect(pair.red.append(lun: 0, lba: 0, blocks: 8, data: testPayload(9, bytes: 4096)) == nil)
        pair.red.trim(records[0].sequence)
        #expect(pair.recorder.spaceAvailable == 0)  // told later, on the loop
        pair.run(for: .milliseconds(1))
        #expect(pair.recorder.spaceAvailable == 1)
        #expect(pair.red.append(lun: 0, lba: 0, blocks: 8, data: testPayload(9, bytes: 4096)) == 5)
    }
}
