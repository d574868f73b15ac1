/// The opcode of an IBA transport packet (the BTH `OpCode` byte), for the operations the
/// simulated HCA performs: RC SEND / RDMA WRITE / RDMA READ / ACKNOWLEDGE and UD SEND.
///
/// Values and the extension headers each opcode carries are IBA vol. 1 table 38, as
/// `enum rxe_hdr_type` / `rxe_opcode` in Linux's `drivers/infiniband/sw/rxe/rxe_opcode.c`
/// lay them out. The same opcodes travel in RoCE v2 (the IBA transport over UDP/IPv4).
public struct TransportOpcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    @inlinable
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let sendFirst = TransportOpcode(rawValue: 0x00)
    public static let sendMiddle = TransportOpcode(rawValue: 0x01)
    public static let sendLast = TransportOpcode(rawValue: 0x02)
    public static let sendLastWithImmediate = TransportOpcode(rawValue: 0x03)
    public static let sendOnly = TransportOpcode(rawValue: 0x04)
    public static let sendOnlyWithImmediate = TransportOpcode(rawValue: 0x05)
    public static let rdmaWriteFirst = TransportOpcode(rawValue: 0x06)
    public static let rdmaWriteMiddle = TransportOpcode(rawValue: 0x07)
    public static let rdmaWriteLast = TransportOpcode(rawValue: 0x08)
    public static let rdmaWriteLastWithImmediate = TransportOpcode(rawValue: 0x09)
    public static let rdmaWriteOnly = TransportOpcode(rawValue: 0x0a)
    public static let rdmaWriteOnlyWithImmediate = TransportOpcode(rawValue: 0x0b)
    public static let rdmaReadRequest = TransportOpcode(rawValue: 0x0c)
    public static let rdmaReadResponseFirst = TransportOpcode(rawValue: 0x0d)
    public static let rdmaReadResponseMiddle = TransportOpcode(rawValue: 0x0e)
    public static let rdmaReadResponseLast = TransportOpcode(rawValue: 0x0f)
    public static let rdmaReadResponseOnly = TransportOpcode(rawValue: 0x10)
    public static let acknowledge = TransportOpcode(rawValue: 0x11)
    /// UD SEND ONLY (transport class 011b).
    public static let datagramSendOnly = TransportOpcode(rawValue: 0x64)
    /// UD SEND ONLY with immediate.
    public static let datagramSendOnlyWithImmediate = TransportOpcode(rawValue: 0x65)

    /// RDMA Extended Transport Header (virtual address, R_Key, DMA length): 16 bytes.
    @inlinable public var hasRETH: Bool {
        self == .rdmaWriteFirst || self == .rdmaWriteOnly || self == .rdmaWriteOnlyWithImmediate
            || self == .rdmaReadRequest
    }

    /// ACK Extended Transport Header (syndrome, MSN): 4 bytes.
    @inlinable public var hasAETH: Bool {
        self == .acknowledge || self == .rdmaReadResponseFirst || self == .rdmaReadResponseLast
            || self == .rdmaReadResponseOnly
    }

    /// Datagram Extended Transport Header (Q_Key, source QP): 8 bytes.
    @inlinable public var hasDETH: Bool { rawValue >= 0x64 }

    /// Immediate data: 4 bytes.
    @inlinable public var hasImmediate: Bool {
        self == .sendLastWithImmediate || self == .sendOnlyWithImmediate || self == .rdmaWriteLastWithImmediate
            || self == .rdmaWriteOnlyWithImmediate || self == .datagramSendOnlyWithImmediate
    }

    /// Bytes of the transport headers: BTH (12) and the extension headers this opcode carries,
    /// plus the 4-byte ICRC. Network and link headers (LRH, GRH, VCRC; or Ethernet, IPv4, UDP,
    /// FCS) are the network's to add.
    @inlinable public var transportOverhead: Int {
        var bytes = TransportHeaderSize.bth + TransportHeaderSize.icrc
        if hasRETH { bytes += TransportHeaderSize.reth }
        if hasAETH { bytes += TransportHeaderSize.aeth }
        if hasDETH { bytes += TransportHeaderSize.deth }
        if hasImmediate { bytes += TransportHeaderSize.immediate }
        return bytes
    }

    /// The first packet of a multi-packet message (SEND, RDMA WRITE or READ response).
    @inlinable public var isFirst: Bool {
        self == .sendFirst || self == .rdmaWriteFirst || self == .rdmaReadResponseFirst
    }

    /// The last packet of a message (including the "only" packets).
    @inlinable public var isLast: Bool {
        switch rawValue {
        case 0x02, 0x03, 0x04, 0x05, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0f, 0x10, 0x11, 0x64, 0x65: true
        default: false
        }
    }

    /// A packet of a SEND message (RC or UD).
    @inlinable public var isSend: Bool { rawValue <= 0x05 || rawValue >= 0x64 }
    /// A packet of an RDMA WRITE message.
    @inlinable public var isRDMAWrite: Bool { rawValue >= 0x06 && rawValue <= 0x0b }
    /// A packet of an RDMA READ response.
    @inlinable public var isReadResponse: Bool { rawValue >= 0x0d && rawValue <= 0x10 }
    /// Sent by a requester (as opposed to a responder's ACK or READ response).
    @inlinable public var isRequest: Bool { rawValue <= 0x0c || rawValue >= 0x64 }

    public var description: String {
        switch rawValue {
        case 0x00: "SEND_FIRST"
        case 0x01: "SEND_MIDDLE"
        case 0x02: "SEND_LAST"
        case 0x03: "SEND_LAST_WITH_IMMEDIATE"
        case 0x04: "SEND_ONLY"
        case 0x05: "SEND_ONLY_WITH_IMMEDIATE"
        case 0x06: "RDMA_WRITE_FIRST"
        case 0x07: "RDMA_WRITE_MIDDLE"
        case 0x08: "RDMA_WRITE_LAST"
        case 0x09: "RDMA_WRITE_LAST_WITH_IMMEDIATE"
        case 0x0a: "RDMA_WRITE_ONLY"
        case 0x0b: "RDMA_WRITE_ONLY_WITH_IMMEDIATE"
        case 0x0c: "RDMA_READ_REQUEST"
        case 0x0d: "RDMA_READ_RESPONSE_FIRST"
        case 0x0e: "RDMA_READ_RESPONSE_MIDDLE"
        case 0x0f: "RDMA_READ_RESPONSE_LAST"
        case 0x10: "RDMA_READ_RESPONSE_ONLY"
        case 0x11: "ACKNOWLEDGE"
        case 0x64: "UD_SEND_ONLY"
        case 0x65: "UD_SEND_ONLY_WITH_IMMEDIATE"
        default: "opcode 0x\(String(rawValue, radix: 16))"
        }
    }
}

/// Header sizes in bytes, from IBA vol. 1 ch. 9 as Linux's `rxe_hdr.h` and iPXE's
/// `ib_packet.h` lay them out (REFERENCE.md C.2), and from IEEE 802.3 / RFC 791 / RFC 768 for
/// RoCE v2's encapsulation (IBTA RoCE v2 annex A17).
public enum TransportHeaderSize {
    /// Local Route Header.
    public static let lrh = 8
    /// Global Route Header (IPv6-shaped), present when routed.
    public static let grh = 40
    /// Base Transport Header.
    public static let bth = 12
    /// RDMA Extended Transport Header.
    public static let reth = 16
    /// ACK Extended Transport Header.
    public static let aeth = 4
    /// Datagram Extended Transport Header.
    public static let deth = 8
    /// Immediate data.
    public static let immediate = 4
    /// Invariant CRC, end to end.
    public static let icrc = 4
    /// Variant CRC, recomputed per hop.
    public static let vcrc = 2
    /// Ethernet II header (destination MAC, source MAC, EtherType).
    public static let ethernet = 14
    /// Ethernet frame check sequence.
    public static let ethernetFCS = 4
    /// Preamble (7) + start-of-frame delimiter (1) + minimum inter-frame gap (12): wire time an
    /// Ethernet frame costs beyond its bytes.
    public static let ethernetPreambleAndGap = 20
    /// Minimum Ethernet frame (header + payload + FCS) before padding.
    public static let ethernetMinimumFrame = 64
    /// IPv4 header without options.
    public static let ipv4 = 20
    /// UDP header (RoCE v2 uses destination port 4791).
    public static let udp = 8
}
