import Agents
import Hardware
import SimHardware
import Testing
import Timebase

@Suite("NVRAM log")
struct NVRAMLogTests {
    /// A half with room for `records` records of `dataBytes` each (plus the header).
    static func half(records: Int, dataBytes: Int) -> SimMemory {
        SimMemory(name: "half", length: NVRAMLogFormat.headerLength + records * NVRAMLogFormat.recordSize(dataLength: dataBytes))
    }

    @Test("append returns consecutive sequences; out-of-order trims advance the tail over the completed prefix only")
    func appendAndTrim() {
        let log = NVRAMLog(memory: Self.half(records: 8, dataBytes: 4096))
        let sequences = (0..<3).map { log.append(lun: 1, lba: UInt64($0) * 8, blocks: 8, data: testPayload(UInt64($0), bytes: 4096))! }
        #expect(sequences == [1, 2, 3])
        let size = UInt64(NVRAMLogFormat.recordSize(dataLength: 4096))
        #expect(log.head == 3 * size)
        #expect(log.trim(2) == false)  // record 1 is not on disk yet
        #expect(log.tail == 0 && log.liveRecords == 3)
        #expect(log.trim(1) == true)  // passes 1 and the completed 2
        #expect(log.tail == 2 * size && log.tailSequence == 3 && log.liveRecords == 1)
        #expect(log.trim(1) == false)  // twice: ignored
        #expect(log.trim(3) == true)
        #expect(log.isEmpty && log.tailSequence == 4)
    }

    @Test("backpressure: a full ring refuses the append until a trim frees the tail")
    func backpressure() {
        let log = NVRAMLog(memory: Self.half(records: 4, dataBytes: 4096))
        for index in 0..<4 { #expect(log.append(lun: 0, lba: UInt64(index), blocks: 8, data: testPayload(1, bytes: 4096)) != nil) }
        #expect(log.append(lun: 0, lba: 9, blocks: 8, data: testPayload(1, bytes: 4096)) == nil)
        #expect(log.appendsRefused == 1)
        log.trim(2)  // not the tail: no room yet
        #expect(log.append(lun: 0, lba: 9, blocks: 8, data: testPayload(1, bytes: 4096)) == nil)
        log.trim(1)
        #expect(log.append(lun: 0, lba: 9, blocks: 8, data: testPayload(1, bytes: 4096)) == 5)
    }

    @Test("wrap: mixed sizes over many laps; the scanner reads back exactly the live records, in order")
    func wrapAndScan() {
        let memory = Self.half(records: 5, dataBytes: 4096)
        let log = NVRAMLog(memory: memory)
        var random = RandomStream(rawSeed: 11)
        var live: [NVRAMLog.Record] = []
        for round in 0..<400 {
            let blocks = UInt32(1 + random.below(8))
            let data = testPayload(UInt64(round), bytes: Int(blocks) * 512)
            if let sequence = log.append(lun: UInt16(round % 3), lba: UInt64(round), blocks: blocks, data: data) {
                live.append(NVRAMLog.Record(sequence: sequence, lun: UInt16(round % 3), lba: UInt64(round), blocks: blocks, data: data))
            }
            // Complete a random live record (out of order), more often than not.
            if !live.isEmpty, random.below(3) != 0 {
                let index = Int(random.below(UInt64(min(3, live.count))))
                log.trim(live[index].sequence)
                live.remove(at: index)
            }
            let scanned = NVRAMLog.records(in: memory)
            // The scanner starts at the tail: completed records behind a live one come back too.
            #expect(scanned.first?.sequence ?? log.nextSequence == log.tailSequence)
            #expect(scanned.count == Int(log.nextSequence - log.tailSequence))
            let expected = live.filter { $0.sequence >= log.tailSequence }
            #expect(expected.allSatisfy { scanned.contains($0) })
            if scanned.count != Int(log.nextSequence - log.tailSequence) { break }
        }
        #expect(log.head > UInt64(3 * log.ringLength))  // several laps
    }

    /// A log image with `count` records of 1–8 blocks; returns the image and the records.
    static func goodImage(seed: UInt64, count: Int, maxBlocks: UInt64 = 8) -> (SimMemory, [NVRAMLog.Record]) {
        let memory = half(records: Int(maxBlocks) * 3 / 2 + 8, dataBytes: Int(maxBlocks) * 512)
        let log = NVRAMLog(memory: memory)
        var random = RandomStream(rawSeed: seed)
        var records: [NVRAMLog.Record] = []
        // Advance the ring a random amount first, so that images wrap.
        for _ in 0..<random.below(20) {
            let sequence = log.append(lun: 0, lba: 0, blocks: UInt32(maxBlocks), data: testPayload(seed, bytes: Int(maxBlocks) * 512))!
            log.trim(sequence)
        }
        for index in 0..<count {
            let blocks = UInt32(1 + random.below(maxBlocks))
            let data = testPayload(seed &+ UInt64(index), bytes: Int(blocks) * 512)
            let lun = UInt16(random.below(4))
            let lba = random.below(1 << 20)
            let sequence = log.append(lun: lun, lba: lba, blocks: blocks, data: data)!
            records.append(NVRAMLog.Record(sequence: sequence, lun: lun, lba: lba, blocks: blocks, data: data))
        }
        return (memory, records)
    }

    @Test("scanner: a torn record (data partly written) ends the scan just before it")
    func tornRecord() {
        for seed in UInt64(1)...20 {
            let (memory, records) = Self.goodImage(seed: seed, count: 6)
            #expect(NVRAMLog.records(in: memory) == records)
            // Record 4 torn: the end of its data never reached NVRAM (zeros there).
            let log = NVRAMLog.records(in: memory)
            _ = log
            let torn = records[3]
            let scanned = Self.locate(torn, in: memory)
            memory.fill(0, offset: scanned.offset + scanned.count - 16, count: 16)
            #expect(NVRAMLog.records(in: memory) == Array(records.prefix(3)))
        }
    }

    /// Where a record lies in an image (found by its sequence field at a record magic).
    static func locate(_ record: NVRAMLog.Record, in memory: SimMemory) -> (offset: Int, count: Int) {
        let bytes = memory.readAll()
        var offset = NVRAMLogFormat.headerLength
        while offset + NVRAMLogFormat.recordHeaderLength <= bytes.count {
            let magic = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
            var sequence: UInt64 = 0
            for index in (0..<8).reversed() { sequence = sequence << 8 | UInt64(bytes[offset + 8 + index]) }
            if magic == NVRAMLogFormat.recordMagic, sequence == record.sequence {
                return (offset, NVRAMLogFormat.recordHeaderLength + record.data.count)
            }
            offset += NVRAMLogFormat.alignment
        }
        Issue.record("record \(record.sequence) not found")
        return (0, 0)
    }

    @Test("scanner: a truncated image (cut inside the ring) yields no record past the cut, and never traps")
    func truncatedImage() {
        let (memory, records) = Self.goodImage(seed: 3, count: 8)
        let whole = NVRAMLog.records(in: memory)
        #expect(whole == records)
        for cut in stride(from: 0, through: memory.length, by: 97) {
            let slice = MemorySlice(memory, offset: 0, length: cut)
            let scanned = NVRAMLog.records(in: slice)
            // The header names a ring longer than what is left: the image is refused whole.
            #expect(scanned.isEmpty || cut == memory.length)
        }
    }

    /// `count` random bytes, eight per draw.
    static func junk(_ count: Int, _ random: inout RandomStream) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = random.next()
            for _ in 0..<8 where index < count {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return bytes
    }

    @Test("fuzz: 10 000 random and mutated images never trap; a mutated good image yields a prefix of its records")
    func fuzzScanner() {
        var random = RandomStream(rawSeed: 2024)
        var prefixViolations = 0
        var nonEmpty = 0
        let bases = (0..<50).map { seed in
            let (memory, records) = Self.goodImage(seed: UInt64(seed), count: 1 + seed % 7, maxBlocks: 2)
            return (memory.readAll(), records)
        }
        for index in 0..<10_000 {
            let (bytes, records) = bases[index % bases.count]
            let memory = SimMemory(name: "image", length: bytes.count)
            memory.write(bytes, at: 0)
            switch index % 4 {
            case 0:  // random bytes everywhere but a valid header: the scanner must wade through junk
                let header = memory.read(offset: 0, count: NVRAMLogFormat.headerLength)
                memory.write(Self.junk(memory.length, &random), at: 0)
                memory.write(header, at: 0)
                _ = NVRAMLog.records(in: memory)
                continue
            case 1:  // random bytes, header included
                memory.write(Self.junk(memory.length, &random), at: 0)
                #expect(NVRAMLog.records(in: memory).isEmpty)
                continue
            default:  // a few bit flips or torn spans over a good image
                for _ in 0..<(1 + random.below(4)) {
                    let at = Int(random.below(UInt64(memory.length)))
                    if random.below(2) == 0 {
                        var byte = memory.read(offset: at, count: 1)
                        byte[0] ^= 1 << UInt8(random.below(8))
                        memory.write(byte, at: at)
                    } else {
                        memory.fill(0, offset: at, count: min(memory.length - at, Int(random.below(256))))
                    }
                }
            }
            let scanned = NVRAMLog.records(in: memory)
            if !scanned.isEmpty { nonEmpty += 1 }
            if scanned != Array(records.prefix(scanned.count)) { prefixViolations += 1 }
        }
        #expect(prefixViolations == 0)
        #expect(nonEmpty > 1_000)  // the mutations leave many images partly readable
    }
}
