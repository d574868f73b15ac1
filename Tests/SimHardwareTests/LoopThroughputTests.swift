import Hardware
import SimCore
import Testing
@testable import SimHardware

/// A loop with one reader (the highest-priority AL_PA, attached first) and `count` devices at
/// loop IDs 0…count−1.
struct LoopRig {
    let simulator = Simulator(seed: 7)
    let loop: FibreChannelLoop
    let reader: ClosedLoopReader
    var devicePorts: [LoopPortID] = []

    init(configuration: FibreChannelLoopConfiguration = FibreChannelLoopConfiguration(), readBytes: Int = 65_536) {
        loop = FibreChannelLoop(name: "shelf0.A", configuration: configuration, simulator: simulator)
        let simulator = simulator
        reader = ClosedLoopReader(
            loop: loop, initiator: InitiatorID(rawValue: 0x5000_0000_0000_0001), readBytes: readBytes,
            now: { simulator.now })
    }

    mutating func attach(_ device: any LoopDevice) {
        let loopID = devicePorts.count
        devicePorts.append(
            loop.attachDevice(device, port: .a, address: ArbitratedLoopPhysicalAddress(loopID: loopID), label: "bay\(loopID)"))
    }

    /// Payload bytes per second between the first arrival after `from` and the last one.
    func measuredThroughput(from: Instant) -> Double {
        let window = reader.arrivals.filter { $0.time > from }
        guard let first = window.first, let last = window.last, window.count > 1 else { return 0 }
        let bytes = window.dropFirst().reduce(0) { $0 + $1.bytes }
        return Double(bytes) / (last.time - first.time).seconds
    }
}

/// The loop's payload rate for back-to-back 64 KiB reads, from the configuration's constants:
///
///     R        = ports × portLatencyWords × 4                       (one trip round the loop)
///     frame(p) = p + 36 + 6 × 4                                     (SOF+header+CRC+EOF, idles)
///     command  = OPN 4 + frame(32) + CLS 2 × 4 + R
///     response = OPN 4 + (bytes / 2048) × frame(2048) + frame(24) + CLS 2 × 4 + R
///     rate     = baud / 10 × bytes / (command + response + arbitrations × R)
///
/// `arbitrationsPerRead` is 2 when every circuit pays its own arbitration (the lower bound) and
/// 0 when arbitration is free (the upper bound).
func loopReadFormula(_ c: FibreChannelLoopConfiguration, ports: Int, bytes: Int, arbitrationsPerRead: Double) -> Double {
    let word = 4
    let roundTrip = ports * c.portLatencyWords * word
    func frame(_ payload: Int) -> Int { (payload + 3) / 4 * 4 + c.frameOverheadBytes + c.interFrameIdleWords * word }
    precondition(bytes % c.maxFramePayload == 0)
    let command = word + frame(c.commandPayloadBytes) + 2 * word + roundTrip
    let response = word + bytes / c.maxFramePayload * frame(c.maxFramePayload) + frame(c.responsePayloadBytes) + 2 * word + roundTrip
    let perRead = Double(command + response) + arbitrationsPerRead * Double(roundTrip)
    return c.speed.bytesPerSecond * Double(bytes) / perRead
}

@Suite("FC-AL loop throughput")
struct LoopThroughputTests {
    @Test("8 streaming devices saturate a 2GFC loop within 2 % of rate × payload / (frames + idles + ARB/OPN/CLS)",
        arguments: [FibreChannelSpeed.twoGFC, .oneGFC])
    func saturation(speed: FibreChannelSpeed) {
        var rig = LoopRig(configuration: FibreChannelLoopConfiguration(speed: speed))
        // Each device streams 40 MB/s + 100 µs per command: ≈ 37.7 MB/s, more than 1/8 of the loop.
        let sources = (0..<8).map {
            StreamingSource(name: "bay\($0)", accessTime: .microseconds(100), bytesPerSecond: 40_000_000, simulator: rig.simulator)
        }
        for source in sources { rig.attach(source) }
        #expect(Double(sources.count) * 37.7e6 > speed.bytesPerSecond)
        rig.reader.stopAfter = Instant.zero + .milliseconds(600)
        // 16 reads queued per device keep every medium busy while its answers wait for the loop.
        rig.reader.start(devices: rig.devicePorts, depth: 16)
        rig.simulator.run(until: Instant.zero + .milliseconds(100))
        let busyBefore = rig.loop.statistics.busyTime
        rig.simulator.run(until: Instant.zero + .milliseconds(600))
        let windowUtilisation = (rig.loop.statistics.busyTime - busyBefore).seconds / 0.5

        let measured = rig.measuredThroughput(from: Instant.zero + .milliseconds(100))
        let c = rig.loop.configuration
        let worst = loopReadFormula(c, ports: 9, bytes: 65_536, arbitrationsPerRead: 2)
        let best = loopReadFormula(c, ports: 9, bytes: 65_536, arbitrationsPerRead: 0)
        #expect(abs(measured / worst - 1) < 0.02, "\(speed): measured \(measured / 1e6) MB/s vs formula \(worst / 1e6) MB/s")
        #expect(measured <= best * 1.001, "no faster than with free arbitration: \(best / 1e6) MB/s")
        #expect(windowUtilisation > 0.98, "utilisation from 100 to 600 ms: \(windowUtilisation)")
        print("FC-AL \(speed) 8 × 64 KiB streams: \(measured / 1e6) MB/s; formula \(worst / 1e6) (one ARB per circuit) … \(best / 1e6) (free ARB); line \(speed.bytesPerSecond / 1e6) MB/s; utilisation \(windowUtilisation)")
    }

    @Test("one device alone is limited by the device: bytes / (access + bytes / media rate)")
    func oneDeviceIsDeviceLimited() {
        var rig = LoopRig()
        let source = StreamingSource(name: "bay0", accessTime: .microseconds(100), bytesPerSecond: 40_000_000, simulator: rig.simulator)
        rig.attach(source)
        rig.reader.stopAfter = Instant.zero + .milliseconds(300)
        rig.reader.start(devices: rig.devicePorts, depth: 4)
        rig.simulator.run(until: Instant.zero + .milliseconds(300))

        let measured = rig.measuredThroughput(from: Instant.zero + .milliseconds(20))
        let device = 65_536 / (source.accessTime.seconds + 65_536 / Double(source.bytesPerSecond))
        let loop = loopReadFormula(rig.loop.configuration, ports: 2, bytes: 65_536, arbitrationsPerRead: 2)
        #expect(abs(measured / device - 1) < 0.02, "measured \(measured / 1e6) MB/s vs device \(device / 1e6) MB/s")
        #expect(measured < loop / 4, "far below the loop's \(loop / 1e6) MB/s")
        #expect(rig.loop.utilisation < 0.25)
    }
}
