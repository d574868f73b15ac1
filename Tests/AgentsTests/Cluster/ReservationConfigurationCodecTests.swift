import Agents
import Hardware
import Testing

private let configurationSamples: [ClusterUnitConfiguration] = [
    ClusterUnitConfiguration(luns: []),
    ClusterUnitConfiguration(
        luns: [
            .init(lun: 2, worldWideName: 0x5000_C500_0002_0000, blockLength: 512, blockCount: 286_749_488),
            .init(lun: 3, worldWideName: 0x5000_C500_0002_0001, blockLength: 4096, blockCount: 1),
        ], lunMasks: [0x99: [3], 0x11: [], 0x55: [2, 3]], defaultLUNs: [2]),
    ClusterUnitConfiguration(luns: [.init(lun: .max, worldWideName: .max, blockLength: .max, blockCount: .max)], defaultLUNs: []),
]

@Suite("ClusterUnitConfiguration codec")
struct ReservationConfigurationCodecTests {
    @Test("every sample round-trips; the size is 3 + 2 + 22 per LUN + 1 (+ 2 + 2 per default LUN) + 2 + (8 + 2 + 2 per LUN) per mask")
    func roundTrip() throws {
        for sample in configurationSamples {
            let bytes = sample.encoded()
            #expect(try ClusterUnitConfiguration(decoding: bytes) == sample)
            let defaults = sample.defaultLUNs.map { 2 + 2 * $0.count } ?? 0
            let masks = sample.lunMasks.values.reduce(0) { $0 + 8 + 2 + 2 * $1.count }
            #expect(bytes.count == 3 + 2 + 22 * sample.luns.count + 1 + defaults + 2 + masks)
        }
    }

    @Test("masks are written in client order, whatever the dictionary's; a client listed twice is refused")
    func canonical() throws {
        let sample = configurationSamples[1]
        let bytes = sample.encoded()
        // After the header, the LUN list and the default list: 2 masks… the first client is 0x11.
        let masksAt = 3 + 2 + 22 * 2 + 1 + 2 + 2
        #expect(Array(bytes[(masksAt + 2)..<(masksAt + 10)]) == [0, 0, 0, 0, 0, 0, 0, 0x11])
        let once = ClusterUnitConfiguration(luns: [], lunMasks: [7: [1]]).encoded()
        // Header (3), no LUNs (2), no defaults (1), then the mask count and one mask (12 bytes).
        let mask = Array(once.suffix(12))
        #expect(once.count == 3 + 2 + 1 + 2 + 12)
        var other = mask
        other[7] = 8  // client 8: two different clients decode
        #expect(try ClusterUnitConfiguration(decoding: Array(once.prefix(6)) + [0, 2] + mask + other).lunMasks == [7: [1], 8: [1]])
        #expect(throws: MessageDecodingError.self) { try ClusterUnitConfiguration(decoding: Array(once.prefix(6)) + [0, 2] + mask + mask) }
    }

    @Test("fuzz: 10 000 inputs never trap and whatever is accepted re-encodes stably")
    func fuzzDecoder() {
        let outcome = fuzz(seed: 0xC1C1, count: 10_000, samples: configurationSamples, encode: { $0.encoded() },
                           decode: { try ClusterUnitConfiguration(decoding: $0) })
        #expect(outcome.inputs == 10_000)
        #expect(outcome.unstable == 0)
        #expect(outcome.rejected > 0)
        #expect(outcome.accepted > 0)
    }
}
