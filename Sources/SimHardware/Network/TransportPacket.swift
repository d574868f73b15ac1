import Hardware

/// One packet of the IBA transport as it crosses a simulated network: the fields of the
/// headers an HCA and a network act on, and the payload bytes.
///
/// The transport part (BTH and its extension headers) is the same on InfiniBand and on RoCE v2;
/// each network adds its own routing and link headers when it computes the packet's size on
/// the wire (``transportBytes`` plus LRH/GRH/VCRC, or Ethernet/IPv4/UDP/FCS).
///
/// A packet is a value: a network may copy it, queue it, corrupt it or drop it; the sender's
/// copy is its own (an RC requester keeps what it needs to retransmit, as an HCA does).
public struct TransportPacket: Sendable {
    // MARK: Routing (LRH, GRH)

    /// Destination LID (InfiniBand); ignored by an Ethernet network.
    public var destinationLID: UInt16 = 0
    /// Source LID (InfiniBand).
    public var sourceLID: UInt16 = 0
    /// Service level (0…15): selects the virtual lane through each port's SL→VL table, or the
    /// Ethernet priority (PCP) on RoCE.
    public var serviceLevel: UInt8 = 0
    /// Destination GID: the address on RoCE (an IPv4-mapped GID) and in a GRH on InfiniBand.
    public var destinationGID: GID = .zero
    /// Source GID.
    public var sourceGID: GID = .zero
    /// Whether an InfiniBand packet carries a GRH (40 bytes). RoCE v2 always carries IPv4 instead.
    public var hasGlobalRouteHeader = false

    // MARK: BTH

    public var opcode: TransportOpcode
    /// Destination QP (24 bits).
    public var destinationQP: UInt32
    /// Packet sequence number (24 bits).
    public var psn: UInt32
    /// AckReq: the responder must acknowledge this packet.
    public var ackRequest = false
    /// Solicited event.
    public var solicited = false

    // MARK: Extension headers (meaningful only when the opcode carries them)

    /// DETH Q_Key (UD).
    public var qkey: UInt32 = 0
    /// DETH source QP (UD).
    public var sourceQP: UInt32 = 0
    /// RETH virtual address.
    public var virtualAddress: UInt64 = 0
    /// RETH R_Key.
    public var rkey: UInt32 = 0
    /// RETH DMA length: the whole message's length.
    public var dmaLength: UInt32 = 0
    /// AETH syndrome.
    public var syndrome: AckSyndrome = .ack
    /// AETH message sequence number (24 bits).
    public var messageSequenceNumber: UInt32 = 0
    /// Immediate data (host order here; the wire order is the real backend's business).
    public var immediate: UInt32 = 0

    // MARK: Payload

    /// Payload bytes carried (0…path MTU).
    public var payloadLength: Int = 0
    /// The payload itself. Empty for synthetic traffic (benchmarks, generators), which carries
    /// only a ``payloadLength``; an HCA always carries the bytes.
    public var payload: [UInt8] = []

    // MARK: Faults

    /// Set by a network fault: the next CRC check (VCRC at the next hop, or the FCS) fails and
    /// the packet is discarded there.
    public var corrupted = false

    public init(opcode: TransportOpcode, destinationQP: UInt32, psn: UInt32) {
        self.opcode = opcode
        self.destinationQP = destinationQP
        self.psn = psn
    }

    /// Pad bytes (BTH PadCnt) that round the payload up to a multiple of 4.
    @inlinable public var padBytes: Int { (4 - payloadLength & 3) & 3 }

    /// Bytes from the BTH through the ICRC: transport headers, payload and pad.
    @inlinable public var transportBytes: Int { opcode.transportOverhead + payloadLength + padBytes }

    /// Bytes on an InfiniBand link: LRH, optional GRH, transport bytes, VCRC.
    @inlinable public var infiniBandWireBytes: Int {
        TransportHeaderSize.lrh + (hasGlobalRouteHeader ? TransportHeaderSize.grh : 0) + transportBytes
            + TransportHeaderSize.vcrc
    }

    /// Bytes of the Ethernet frame carrying this packet as RoCE v2 (Ethernet header, IPv4, UDP,
    /// transport bytes, FCS), padded to the 64-byte minimum frame; preamble and gap excluded.
    @inlinable public var roceFrameBytes: Int {
        max(
            TransportHeaderSize.ethernet + TransportHeaderSize.ipv4 + TransportHeaderSize.udp + transportBytes
                + TransportHeaderSize.ethernetFCS,
            TransportHeaderSize.ethernetMinimumFrame)
    }
}

/// The AETH syndrome: an ACK, a receiver-not-ready NAK with the delay it asks for, or a NAK
/// with its code (IBA vol. 1 §9.7.5.1, table 42).
public struct AckSyndrome: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// ACK (0b000, credit field 0b11111: no end-to-end credits advertised).
    public static let ack = AckSyndrome(rawValue: 0b000_11111)
    /// RNR NAK asking the requester to wait the delay of `timerCode` (see
    /// ``Hardware/QueuePairAttributes/minRNRTimerDelay(code:)``).
    @inlinable public static func receiverNotReady(timerCode: UInt8) -> AckSyndrome {
        AckSyndrome(rawValue: 0b001_00000 | (timerCode & 0x1f))
    }
    /// NAK: PSN sequence error (a packet was lost; resend from the expected PSN).
    public static let psnSequenceError = AckSyndrome(rawValue: 0b011_00000)
    /// NAK: invalid request (an opcode the responder does not accept, a message too long).
    public static let invalidRequest = AckSyndrome(rawValue: 0b011_00001)
    /// NAK: remote access error (bad R_Key, out-of-bounds address, access not granted).
    public static let remoteAccessError = AckSyndrome(rawValue: 0b011_00010)
    /// NAK: remote operational error (the responder could not complete the request).
    public static let remoteOperationalError = AckSyndrome(rawValue: 0b011_00011)

    @inlinable public var isAck: Bool { rawValue >> 5 == 0b000 }
    @inlinable public var isReceiverNotReady: Bool { rawValue >> 5 == 0b001 }
    @inlinable public var isNAK: Bool { rawValue >> 5 == 0b011 }
    /// The RNR timer code of an RNR NAK.
    @inlinable public var rnrTimerCode: UInt8 { rawValue & 0x1f }

    public var description: String {
        if isAck { return "ACK" }
        if isReceiverNotReady { return "RNR NAK (timer \(rnrTimerCode))" }
        switch self {
        case .psnSequenceError: return "NAK PSN sequence error"
        case .invalidRequest: return "NAK invalid request"
        case .remoteAccessError: return "NAK remote access error"
        case .remoteOperationalError: return "NAK remote operational error"
        default: return "AETH syndrome 0b\(String(rawValue, radix: 2))"
        }
    }
}
