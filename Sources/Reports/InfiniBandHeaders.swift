/// The header fields of an InfiniBand packet as plain integers, for the packet capture
/// (IBA 1.2.1 Vol 1 chapter 5 "Data packet format" and chapter 9; sizes as in
/// REFERENCE.md §C.2, from Linux `rxe_hdr.h`). Reports does not depend on the simulator:
/// the scenario layer maps its packets onto these.

/// The Local Route Header (8 bytes): VL, LVer, SL, LNH, DLID, PktLen, SLID.
/// The writer fills LNH (from the presence of a GRH) and PktLen (from the packet's size).
public struct LocalRouteHeader: Sendable, Equatable {
    /// Virtual lane, 0…15 (15 = management).
    public var virtualLane: UInt8
    /// Link version, 0 in IBA 1.x.
    public var linkVersion: UInt8
    /// Service level, 0…15.
    public var serviceLevel: UInt8
    public var destinationLID: UInt16
    public var sourceLID: UInt16

    /// Defaults: VL 0 and SL 0 (assumption: one data VL, the SM's default SL-to-VL mapping),
    /// LVer 0 (IBA 1.x).
    public init(virtualLane: UInt8 = 0, linkVersion: UInt8 = 0, serviceLevel: UInt8 = 0,
                destinationLID: UInt16, sourceLID: UInt16) {
        precondition(virtualLane < 16 && linkVersion < 16 && serviceLevel < 16)
        self.virtualLane = virtualLane
        self.linkVersion = linkVersion
        self.serviceLevel = serviceLevel
        self.destinationLID = destinationLID
        self.sourceLID = sourceLID
    }
}

/// The Global Route Header (40 bytes): IPVer 6, TClass, FlowLabel, PayLen, NxtHdr 0x1B
/// (IBA transport), HopLmt, SGID, DGID. The writer fills PayLen.
public struct GlobalRouteHeader: Sendable, Equatable {
    public var trafficClass: UInt8
    /// 20 bits.
    public var flowLabel: UInt32
    public var hopLimit: UInt8
    /// 16 bytes.
    public var sourceGID: [UInt8]
    /// 16 bytes.
    public var destinationGID: [UInt8]

    /// Defaults: TClass 0 and FlowLabel 0 (assumption: no QoS or flow hashing modelled),
    /// HopLmt 64 (assumption: any value > 1 crosses a subnet; 64 is the common IPv6 default).
    public init(trafficClass: UInt8 = 0, flowLabel: UInt32 = 0, hopLimit: UInt8 = 64,
                sourceGID: [UInt8], destinationGID: [UInt8]) {
        precondition(flowLabel < 1 << 20 && sourceGID.count == 16 && destinationGID.count == 16)
        self.trafficClass = trafficClass
        self.flowLabel = flowLabel
        self.hopLimit = hopLimit
        self.sourceGID = sourceGID
        self.destinationGID = destinationGID
    }
}

/// The Base Transport Header (12 bytes): OpCode; SE, M, PadCnt, TVer; P_Key; FECN, BECN,
/// DestQP; AckReq, PSN. The writer fills PadCnt from the payload length.
public struct BaseTransportHeader: Sendable, Equatable {
    public var opcode: InfiniBandOpcode
    public var solicitedEvent: Bool
    /// MigReq.
    public var migrationRequest: Bool
    /// Transport header version, 0 in IBA 1.x.
    public var transportVersion: UInt8
    /// Default 0xFFFF, the default full-membership P_Key (REFERENCE.md §C.2).
    public var partitionKey: UInt16
    public var forwardCongestion: Bool
    public var backwardCongestion: Bool
    /// 24 bits.
    public var destinationQP: UInt32
    public var ackRequest: Bool
    /// 24 bits.
    public var packetSequenceNumber: UInt32

    /// Defaults: MigReq 1 (assumption: a QP without automatic path migration is in the
    /// Migrated state, in which IBA §17.2.8 has senders set MigReq; Linux rxe sends 1 too),
    /// TVer 0 (IBA 1.x), P_Key 0xFFFF (REFERENCE.md §C.2), FECN/BECN clear (no congestion model).
    public init(opcode: InfiniBandOpcode, solicitedEvent: Bool = false, migrationRequest: Bool = true,
                transportVersion: UInt8 = 0, partitionKey: UInt16 = 0xFFFF,
                forwardCongestion: Bool = false, backwardCongestion: Bool = false,
                destinationQP: UInt32, ackRequest: Bool = false, packetSequenceNumber: UInt32) {
        precondition(destinationQP < 1 << 24 && packetSequenceNumber < 1 << 24 && transportVersion < 16)
        self.opcode = opcode
        self.solicitedEvent = solicitedEvent
        self.migrationRequest = migrationRequest
        self.transportVersion = transportVersion
        self.partitionKey = partitionKey
        self.forwardCongestion = forwardCongestion
        self.backwardCongestion = backwardCongestion
        self.destinationQP = destinationQP
        self.ackRequest = ackRequest
        self.packetSequenceNumber = packetSequenceNumber
    }
}

/// The RDMA Extended Transport Header (16 bytes): virtual address, R_Key, DMA length.
public struct RDMAExtendedTransportHeader: Sendable, Equatable {
    public var virtualAddress: UInt64
    public var remoteKey: UInt32
    public var dmaLength: UInt32

    public init(virtualAddress: UInt64, remoteKey: UInt32, dmaLength: UInt32) {
        self.virtualAddress = virtualAddress
        self.remoteKey = remoteKey
        self.dmaLength = dmaLength
    }
}

/// The ACK Extended Transport Header (4 bytes): syndrome (8 bits) and MSN (24 bits).
/// Syndrome 0x00…0x1F is an ACK with a credit count, 0x60… a NAK (0x60 = PSN sequence error).
public struct AckExtendedTransportHeader: Sendable, Equatable {
    public var syndrome: UInt8
    public var messageSequenceNumber: UInt32

    public init(syndrome: UInt8, messageSequenceNumber: UInt32) {
        precondition(messageSequenceNumber < 1 << 24)
        self.syndrome = syndrome
        self.messageSequenceNumber = messageSequenceNumber
    }
}

/// The Datagram Extended Transport Header (8 bytes): Q_Key and source QP (UD).
public struct DatagramExtendedTransportHeader: Sendable, Equatable {
    public var queueKey: UInt32
    /// 24 bits.
    public var sourceQP: UInt32

    public init(queueKey: UInt32, sourceQP: UInt32) {
        precondition(sourceQP < 1 << 24)
        self.queueKey = queueKey
        self.sourceQP = sourceQP
    }
}

/// A BTH opcode: transport (top 3 bits) and operation (low 5 bits), IBA 1.2.1 §9.2 table 38
/// (the same values as Linux `enum ib_opcode` / `rxe_opcode`).
public struct InfiniBandOpcode: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let rcSendFirst = Self(rawValue: 0x00)
    public static let rcSendMiddle = Self(rawValue: 0x01)
    public static let rcSendLast = Self(rawValue: 0x02)
    public static let rcSendOnly = Self(rawValue: 0x04)
    public static let rcRDMAWriteFirst = Self(rawValue: 0x06)
    public static let rcRDMAWriteMiddle = Self(rawValue: 0x07)
    public static let rcRDMAWriteLast = Self(rawValue: 0x08)
    public static let rcRDMAWriteOnly = Self(rawValue: 0x0A)
    public static let rcRDMAReadRequest = Self(rawValue: 0x0C)
    public static let rcRDMAReadResponseFirst = Self(rawValue: 0x0D)
    public static let rcRDMAReadResponseMiddle = Self(rawValue: 0x0E)
    public static let rcRDMAReadResponseLast = Self(rawValue: 0x0F)
    public static let rcRDMAReadResponseOnly = Self(rawValue: 0x10)
    public static let rcAcknowledge = Self(rawValue: 0x11)
    public static let udSendOnly = Self(rawValue: 0x64)
}
