import Hardware

/// The electrical and timing parameters of one PCI Local Bus 2.2 segment.
///
/// Defaults and their sources (see `../shared/REFERENCE.md` §C.1):
/// - 33.33 MHz × 32 bits = 133 MB/s peak; 66 MHz and 64-bit are the spec's options
///   (PCI SIG: "132 MB/s (32-bit at 33 MHz) to 528 MB/s (64-bit at 66 MHz)").
/// - Latency timer: 8 bits in config space, BIOSes offer 16–128 clocks in steps of 8; 32 is
///   the suggested default. When it has expired and another master wants the bus, the
///   master ends its burst at the next data phase.
/// - A target must complete the initial data phase within 16 clocks (spec rule, rev 2.1+);
///   2 wait clocks is a medium-decode target with no extra wait states.
/// - A burst costs: address phase + turnaround + target initial wait + one clock per data
///   phase ([derived] in REFERENCE §C.1: "an N-data-phase burst costs about N + 3–5 clocks").
/// - Master abort: no target claims the address (no DEVSEL#) within 5 clocks of FRAME#.
public struct PCIBusConfiguration: Sendable, Equatable {
    /// Bus clock in hertz.
    public var clockHz: Int64
    /// Bytes moved per data phase: 4 (32-bit) or 8 (64-bit).
    public var widthBytes: Int
    /// The latency timer, in clocks from FRAME#.
    public var latencyTimerClocks: Int
    /// Clocks of the address phase (2 with a 64-bit dual address cycle).
    public var addressClocks: Int
    /// Clocks of bus turnaround per burst.
    public var turnaroundClocks: Int
    /// Wait clocks before the target's first data phase (≤ 16 by the spec).
    public var targetInitialWaitClocks: Int
    /// Bytes after which the target disconnects a burst (nil: it never does).
    public var targetBurstLimitBytes: Int?
    /// How the arbiter chooses among requesting masters.
    public var arbitration: PCIArbitration

    public init(
        clockHz: Int64 = 33_333_333, widthBytes: Int = 4, latencyTimerClocks: Int = 32, addressClocks: Int = 1,
        turnaroundClocks: Int = 1, targetInitialWaitClocks: Int = 2, targetBurstLimitBytes: Int? = nil,
        arbitration: PCIArbitration = .roundRobin
    ) {
        self.clockHz = clockHz
        self.widthBytes = widthBytes
        self.latencyTimerClocks = latencyTimerClocks
        self.addressClocks = addressClocks
        self.turnaroundClocks = turnaroundClocks
        self.targetInitialWaitClocks = targetInitialWaitClocks
        self.targetBurstLimitBytes = targetBurstLimitBytes
        self.arbitration = arbitration
    }

    /// 32-bit, 33 MHz: the 2002 default (133 MB/s peak).
    public static let pci32at33 = PCIBusConfiguration()
    /// 64-bit, 66 MHz (533 MB/s peak).
    public static let pci64at66 = PCIBusConfiguration(clockHz: 66_666_667, widthBytes: 8)

    /// Clocks of overhead before the first data phase of a burst.
    public var burstOverheadClocks: Int { addressClocks + turnaroundClocks + targetInitialWaitClocks }

    /// Checks the parameters against the spec's limits; returns what is wrong, if anything.
    public func validationErrors() -> [String] {
        var errors: [String] = []
        if !(1_000_000...133_000_000).contains(clockHz) {
            errors.append("clockHz \(clockHz) is outside 1–133 MHz")
        }
        if widthBytes != 4 && widthBytes != 8 { errors.append("widthBytes must be 4 or 8, not \(widthBytes)") }
        if !(0...255).contains(latencyTimerClocks) { errors.append("latencyTimerClocks must fit in 8 bits") }
        if !(0...16).contains(targetInitialWaitClocks) {
            errors.append("targetInitialWaitClocks must be 0–16 (PCI 2.1+: initial data phase within 16 clocks)")
        }
        if addressClocks < 1 || turnaroundClocks < 0 { errors.append("addressClocks ≥ 1 and turnaroundClocks ≥ 0") }
        if let limit = targetBurstLimitBytes, limit < widthBytes { errors.append("targetBurstLimitBytes below one data phase") }
        return errors
    }

    /// The instant of clock edge `clock`, computed from the clock count (never accumulated,
    /// so a 66 MHz clock of 15 151.5 ps does not drift).
    public func instant(ofClock clock: Int64) -> Instant {
        Instant(picoseconds: Int64((Int128(clock) * 1_000_000_000_000 / Int128(clockHz))))
    }

    /// The first clock edge at or after `instant`.
    public func clock(atOrAfter instant: Instant) -> Int64 {
        let numerator = Int128(instant.picoseconds) * Int128(clockHz)
        let denominator: Int128 = 1_000_000_000_000
        return Int64((numerator + denominator - 1) / denominator)
    }

    /// Sustained throughput in bytes per second of back-to-back bursts of `burstBytes` by one
    /// master: `burstBytes / ((overhead + ⌈burstBytes / width⌉) clocks)`. The figure the
    /// model's tests hold it to.
    public func burstThroughput(burstBytes: Int) -> Double {
        let phases = (burstBytes + widthBytes - 1) / widthBytes
        return Double(burstBytes) * Double(clockHz) / Double(burstOverheadClocks + phases)
    }
}

/// How the arbiter grants the bus among requesting masters.
public enum PCIArbitration: String, Sendable, Equatable, Codable {
    /// Fair: the next requesting master after the last one granted.
    case roundRobin
    /// The requesting master attached first always wins.
    case fixedPriority
}
