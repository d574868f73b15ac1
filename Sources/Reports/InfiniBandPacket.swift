/// One InfiniBand packet from fields, encoded either as it crosses an InfiniBand link
/// (LRH first, the bytes of a LINKTYPE_INFINIBAND record) or inside a RoCE v2 frame.
///
/// The writer derives what follows from the rest: LRH LNH (0b10 IBA local, 0b11 with a
/// GRH) and PktLen (LRH through ICRC, in 4-byte words, IBA §7.7.8), GRH PayLen, BTH PadCnt
/// (payload padded to a multiple of 4), the ICRC and the VCRC. Extension headers follow
/// the BTH in the order IBA §9.2 gives: DETH, RETH, AETH, ImmDt. Whether they suit the
/// opcode is the caller's business (e.g. RETH with RDMA WRITE First/Only and READ Request).
public struct InfiniBandPacket: Sendable, Equatable {
    public var localRoute: LocalRouteHeader
    public var globalRoute: GlobalRouteHeader?
    public var baseTransport: BaseTransportHeader
    public var datagram: DatagramExtendedTransportHeader?
    public var rdma: RDMAExtendedTransportHeader?
    public var acknowledge: AckExtendedTransportHeader?
    public var immediateData: UInt32?
    public var payload: [UInt8]

    public init(localRoute: LocalRouteHeader, globalRoute: GlobalRouteHeader? = nil,
                baseTransport: BaseTransportHeader, datagram: DatagramExtendedTransportHeader? = nil,
                rdma: RDMAExtendedTransportHeader? = nil, acknowledge: AckExtendedTransportHeader? = nil,
                immediateData: UInt32? = nil, payload: [UInt8] = []) {
        self.localRoute = localRoute
        self.globalRoute = globalRoute
        self.baseTransport = baseTransport
        self.datagram = datagram
        self.rdma = rdma
        self.acknowledge = acknowledge
        self.immediateData = immediateData
        self.payload = payload
    }

    /// Pad bytes after the payload so the transport part is a multiple of 4 bytes.
    public var padCount: Int { (4 - payload.count % 4) % 4 }

    /// The bytes on an InfiniBand link: LRH, GRH?, BTH, extension headers, payload, pad,
    /// ICRC (4), VCRC (2). The record of a LINKTYPE_INFINIBAND (247) or USER0 capture.
    public func linkBytes() -> [UInt8] {
        let transport = transportHeadersAndPayload()
        let grhLength = globalRoute == nil ? 0 : 40
        let words = (8 + grhLength + transport.count + 4) / 4
        precondition(words < 1 << 11, "InfiniBand packet too long for PktLen: \(words) words")

        var bytes: [UInt8] = []
        bytes.reserveCapacity(words * 4 + 2)
        let lrh = localRoute
        bytes.append(lrh.virtualLane << 4 | lrh.linkVersion)
        bytes.append(lrh.serviceLevel << 4 | (globalRoute == nil ? 0b10 : 0b11))
        bytes.appendBigEndian(lrh.destinationLID)
        bytes.appendBigEndian(UInt16(words))
        bytes.appendBigEndian(lrh.sourceLID)
        if let grh = globalRoute {
            Self.appendGlobalRoute(grh, payloadLength: transport.count + 4, to: &bytes)
        }
        bytes += transport

        // ICRC (IBA §7.8.1): CRC-32 over LRH..pad with the variant fields set to ones:
        // LRH VL; GRH TClass, FlowLabel, HopLmt; BTH byte 4 (FECN, BECN, reserved).
        var masked = bytes
        masked[0] |= 0xF0
        let bth = 8 + grhLength
        if globalRoute != nil {
            masked[8] |= 0x0F; masked[9] = 0xFF; masked[10] = 0xFF; masked[11] = 0xFF
            masked[15] = 0xFF
        }
        masked[bth + 4] = 0xFF
        bytes.appendLittleEndian(Checksums.crc32(masked))
        // VCRC (IBA §7.8.2): CRC-16 over every byte from the LRH through the ICRC.
        bytes.appendLittleEndian(Checksums.vcrc16(bytes))
        return bytes
    }

    /// BTH, extension headers, payload and pad: the part a RoCE v2 frame carries too.
    func transportHeadersAndPayload() -> [UInt8] {
        var bytes: [UInt8] = []
        let bth = baseTransport
        bytes.append(bth.opcode.rawValue)
        bytes.append((bth.solicitedEvent ? 0x80 : 0) | (bth.migrationRequest ? 0x40 : 0)
            | UInt8(padCount) << 4 | bth.transportVersion)
        bytes.appendBigEndian(bth.partitionKey)
        bytes.append((bth.forwardCongestion ? 0x80 : 0) | (bth.backwardCongestion ? 0x40 : 0))
        bytes.appendBigEndian24(bth.destinationQP)
        bytes.append(bth.ackRequest ? 0x80 : 0)
        bytes.appendBigEndian24(bth.packetSequenceNumber)
        if let deth = datagram {
            bytes.appendBigEndian(deth.queueKey)
            bytes.append(0)
            bytes.appendBigEndian24(deth.sourceQP)
        }
        if let reth = rdma {
            bytes.appendBigEndian(reth.virtualAddress)
            bytes.appendBigEndian(reth.remoteKey)
            bytes.appendBigEndian(reth.dmaLength)
        }
        if let aeth = acknowledge {
            bytes.append(aeth.syndrome)
            bytes.appendBigEndian24(aeth.messageSequenceNumber)
        }
        if let immediate = immediateData { bytes.appendBigEndian(immediate) }
        bytes += payload
        bytes += repeatElement(0, count: padCount)
        return bytes
    }

    static func appendGlobalRoute(_ grh: GlobalRouteHeader, payloadLength: Int, to bytes: inout [UInt8]) {
        bytes.appendBigEndian(UInt32(6) << 28 | UInt32(grh.trafficClass) << 20 | grh.flowLabel)
        bytes.appendBigEndian(UInt16(payloadLength))
        bytes.append(0x1B)  // NxtHdr: IBA transport (IBA §8.3.1)
        bytes.append(grh.hopLimit)
        bytes += grh.sourceGID
        bytes += grh.destinationGID
    }
}
