import Agents
import Testing
import Timebase

/// What a fuzz run of one decoder saw.
struct FuzzOutcome {
    var inputs = 0
    var rejected = 0
    var accepted = 0
    /// Accepted inputs whose re-encoding did not decode to the same message (must stay 0).
    var unstable = 0
}

/// Feeds a decoder `count` inputs from a seeded stream: half purely random byte strings, half
/// mutations of valid messages (bit flips, byte replacements, truncations, extensions, splices,
/// corrupted length and count fields). The decoder must never trap; whatever it accepts must
/// re-encode to bytes that decode to the same message.
///
/// - Parameters:
///   - samples: valid messages, covering every opcode.
///   - encode / decode: the codec under test.
func fuzz<Message: Equatable>(
    seed: UInt64, count: Int = 10_000, samples: [Message], encode: (Message) -> [UInt8],
    decode: ([UInt8]) throws -> Message
) -> FuzzOutcome {
    precondition(!samples.isEmpty, "fuzzing needs valid samples")
    var random = RandomStream(rawSeed: seed)
    var outcome = FuzzOutcome()
    let encodedSamples = samples.map(encode)
    for index in 0..<count {
        var bytes: [UInt8]
        if index % 2 == 0 {
            let length = Int(random.below(index % 10 == 0 ? 2048 : 96))
            bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        } else {
            bytes = encodedSamples[Int(random.below(UInt64(encodedSamples.count)))]
            let mutations = 1 + Int(random.below(4))
            for _ in 0..<mutations { mutate(&bytes, &random, donors: encodedSamples) }
        }
        outcome.inputs += 1
        do {
            let message = try decode(bytes)
            outcome.accepted += 1
            if (try? decode(encode(message))) != message { outcome.unstable += 1 }
        } catch {
            outcome.rejected += 1
        }
    }
    return outcome
}

private func mutate(_ bytes: inout [UInt8], _ random: inout RandomStream, donors: [[UInt8]]) {
    switch random.below(7) {
    case 0 where !bytes.isEmpty:  // flip one bit
        let at = Int(random.below(UInt64(bytes.count)))
        bytes[at] ^= 1 << UInt8(random.below(8))
    case 1 where !bytes.isEmpty:  // replace a byte with an extreme value
        let at = Int(random.below(UInt64(bytes.count)))
        bytes[at] = [0x00, 0xff, 0x7f, 0x80, 0x01][Int(random.below(5))]
    case 2:  // truncate
        bytes.removeLast(Int(random.below(UInt64(bytes.count) + 1)))
    case 3:  // extend with junk
        for _ in 0..<(1 + random.below(16)) { bytes.append(UInt8(truncatingIfNeeded: random.next())) }
    case 4 where bytes.count >= 2:  // a big-endian 16-bit field (a length or count) set to an extreme
        let at = Int(random.below(UInt64(bytes.count - 1)))
        let value: UInt16 = [0, 1, 0xffff, 0x8000, UInt16(bytes.count)][Int(random.below(5))]
        bytes[at] = UInt8(value >> 8)
        bytes[at + 1] = UInt8(value & 0xff)
    case 5:  // splice the tail of another valid message
        let donor = donors[Int(random.below(UInt64(donors.count)))]
        let cut = Int(random.below(UInt64(bytes.count) + 1))
        let from = Int(random.below(UInt64(donor.count) + 1))
        bytes = Array(bytes[..<cut]) + donor[from...]
    default:  // duplicate a run of bytes
        guard !bytes.isEmpty else { return }
        let at = Int(random.below(UInt64(bytes.count)))
        let run = bytes[at..<min(bytes.count, at + 1 + Int(random.below(8)))]
        bytes.insert(contentsOf: run, at: at)
    }
}
