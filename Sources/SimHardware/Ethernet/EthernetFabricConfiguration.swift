import Hardware
import Timebase

/// The parameters of an ``EthernetFabric``: link defaults, buffer sizes, switch latency, and
/// priority flow control.
///
/// Defaults and their sources:
/// - Link rate 10 Gb/s (10GBASE-R); 1 Gb/s (1000BASE-X) per link on request.
/// - Propagation delay 500 ns: 100 m of cable at about 5 ns/m (signals travel at roughly
///   two-thirds of c in fibre and twisted pair). 100 m is the longest segment IEEE 802.3 allows
///   for 1000BASE-T and 10GBASE-T (clauses 40, 55), so PFC headroom sized for it covers every
///   shorter in-rack cable. Assumption as to the cable actually used.
/// - Switch latency 500 ns port to port, beyond store-and-forward's own frame time. Assumption,
///   in the 0.3–1 µs range 10GbE data-centre switch datasheets quote.
/// - Switch output buffer 128 KiB per port. Assumption, in the range of 10GbE merchant silicon
///   (a shared buffer of a few MB over 48–64 ports).
/// - NIC receive buffer 256 KiB. Assumption (RoCE NICs keep a packet buffer of a few hundred KB).
/// - Transmit queue 64 packets per priority. Assumption.
/// - Maximum MTU 4096: RoCE's active MTU on a jumbo-frame (9000-byte) Ethernet MTU, as RoCE
///   deployments configure it; with the standard 1500-byte MTU verbs would report 1024.
/// - MAC ageing 300 s: the default ageing time of IEEE 802.1Q §8.8.3 (table 8-6).
/// - PFC off: ``priorityFlowControl`` is nil, so congestion drops (an ordinary lossy LAN).
public struct EthernetFabricConfiguration: Sendable, Equatable {
    /// The rate of links connected without an explicit rate.
    public var linkRate: EthernetLinkRate
    /// The one-way propagation delay of links connected without an explicit delay.
    public var propagationDelay: TimeSpan
    /// Time from a frame's last bit arriving at a switch to it being eligible at the egress port.
    public var switchLatency: TimeSpan
    /// Bytes of frames one switch output port may hold (lossy traffic); a frame that does not
    /// fit is tail-dropped.
    public var switchOutputBufferBytes: Int
    /// Bytes of delivered, not yet released frames a NIC holds; a frame that does not fit is
    /// dropped (or, with PFC, the NIC pauses its link partner first).
    public var nicReceiveBufferBytes: Int
    /// Packets a NIC's transmit queue accepts per priority.
    public var transmitQueueCapacity: Int
    /// The largest RoCE payload (path MTU) a packet may carry.
    public var maxMTU: MTU
    /// How long a learned MAC address stays in a switch's table without being seen again; nil:
    /// for ever.
    public var macAgeingTime: TimeSpan?
    /// IEEE 802.1Qbb priority flow control; nil (the default) turns it off.
    public var priorityFlowControl: PriorityFlowControl?

    public init(
        linkRate: EthernetLinkRate = .tenGigabit, propagationDelay: TimeSpan = .nanoseconds(500),
        switchLatency: TimeSpan = .nanoseconds(500), switchOutputBufferBytes: Int = 128 * 1024,
        nicReceiveBufferBytes: Int = 256 * 1024, transmitQueueCapacity: Int = 64, maxMTU: MTU = .mtu4096,
        macAgeingTime: TimeSpan? = .seconds(300), priorityFlowControl: PriorityFlowControl? = nil
    ) {
        self.linkRate = linkRate
        self.propagationDelay = propagationDelay
        self.switchLatency = switchLatency
        self.switchOutputBufferBytes = switchOutputBufferBytes
        self.nicReceiveBufferBytes = nicReceiveBufferBytes
        self.transmitQueueCapacity = transmitQueueCapacity
        self.maxMTU = maxMTU
        self.macAgeingTime = macAgeingTime
        self.priorityFlowControl = priorityFlowControl
    }

    /// The largest frame a RoCE v2 packet makes here: Ethernet 14 + IPv4 20 + UDP 8 + the
    /// largest transport overhead (BTH 12 + RETH 16 + immediate 4 + ICRC 4 = 36) + the MTU's
    /// payload + FCS 4.
    public var maximumFrameBytes: Int {
        TransportHeaderSize.ethernet + TransportHeaderSize.ipv4 + TransportHeaderSize.udp
            + TransportHeaderSize.bth + TransportHeaderSize.reth + TransportHeaderSize.immediate
            + TransportHeaderSize.icrc + (maxMTU.byteCount ?? 4096) + TransportHeaderSize.ethernetFCS
    }

    /// What is wrong with these parameters, if anything.
    public func validationErrors() -> [String] {
        var errors: [String] = []
        if propagationDelay < .zero || switchLatency < .zero { errors.append("delays must not be negative") }
        if switchOutputBufferBytes < maximumFrameBytes {
            errors.append("switchOutputBufferBytes \(switchOutputBufferBytes) cannot hold one \(maximumFrameBytes)-byte frame")
        }
        if nicReceiveBufferBytes < maximumFrameBytes {
            errors.append("nicReceiveBufferBytes \(nicReceiveBufferBytes) cannot hold one \(maximumFrameBytes)-byte frame")
        }
        if transmitQueueCapacity < 1 { errors.append("transmitQueueCapacity must be at least 1") }
        if maxMTU.byteCount == nil { errors.append("maxMTU \(maxMTU) is not a verbs MTU") }
        if let pfc = priorityFlowControl {
            if pfc.switchXoffBytes < maximumFrameBytes { errors.append("PFC switchXoffBytes below one frame") }
            if pfc.hysteresisBytes < 1 || pfc.hysteresisBytes > pfc.switchXoffBytes {
                errors.append("PFC hysteresisBytes must be in 1…switchXoffBytes")
            }
        }
        return errors
    }
}

/// IEEE 802.1Qbb priority-based flow control: a receiver whose buffer for a priority passes
/// XOFF sends its link partner a PFC frame pausing that priority, and one resuming it once the
/// buffer drains to XON.
///
/// **Thresholds.** A switch accounts each (ingress port, priority) separately: XOFF at
/// ``switchXoffBytes``, XON at XOFF − ``hysteresisBytes``. A NIC pauses at its receive buffer
/// size minus headroom, and resumes at that minus ``hysteresisBytes``.
///
/// **Headroom** (``headroomBytes(rate:propagationDelay:maximumFrameBytes:)``): after deciding
/// to pause, a receiver must still absorb the frame that crossed XOFF, the frame its own port is
/// sending (the PFC frame waits for it), the PFC frame's own wire time, the round trip of the
/// cable (2 × propagation × rate), and the frame the partner is sending when the pause arrives
/// (IEEE 802.1Qbb annex N's delay budget, simplified). A lossless buffer holds XOFF + headroom,
/// so with PFC nothing is dropped for congestion.
///
/// **Simplifications.** A PFC frame's pause time (quanta of 512 bit times) is modelled as
/// "until XON", as if the receiver refreshed it while congested; PFC frames preempt nothing and
/// take no data bandwidth (84 bytes of wire time each).
public struct PriorityFlowControl: Sendable, Equatable {
    /// The lossless priorities, one bit per 802.1p priority (bit p: priority p). A packet's
    /// priority is its service level modulo 8.
    public var priorities: UInt8
    /// A switch pauses an ingress port's priority when the bytes it received there on that
    /// priority and has not yet sent reach this. Assumption: 20 KiB, about five maximum frames.
    public var switchXoffBytes: Int
    /// XON lies this far below XOFF. Assumption: 8 KiB, two maximum frames.
    public var hysteresisBytes: Int

    public init(priorities: UInt8 = 0xff, switchXoffBytes: Int = 20 * 1024, hysteresisBytes: Int = 8 * 1024) {
        self.priorities = priorities
        self.switchXoffBytes = switchXoffBytes
        self.hysteresisBytes = hysteresisBytes
    }

    /// Bytes of a PFC frame (a minimum-size MAC control frame, IEEE 802.1Qbb §36.1.3).
    public static let pauseFrameBytes = TransportHeaderSize.ethernetMinimumFrame

    /// Bytes a receiver must still absorb after it decides to pause its link partner:
    /// 2 × propagation × rate + 3 maximum frames with their preamble and gap + one PFC frame's
    /// wire bytes (see the type's documentation).
    public static func headroomBytes(rate: EthernetLinkRate, propagationDelay: TimeSpan, maximumFrameBytes: Int) -> Int {
        let roundTripBits = Int128(2 * propagationDelay.picoseconds) * Int128(rate.bitsPerSecond)
        let roundTripBytes = Int((roundTripBits + 8_000_000_000_000 - 1) / 8_000_000_000_000)
        let gap = TransportHeaderSize.ethernetPreambleAndGap
        return roundTripBytes + 3 * (maximumFrameBytes + gap) + pauseFrameBytes + gap
    }
}
