import Reports
import Timebase

/// A few RC and UD packets with distinctive field values, shared by the capture tests.
enum SamplePackets {
    static let sendPSN: UInt32 = 0x00_1234
    static let writeVA: UInt64 = 0x0000_7F00_DEAD_B000
    static let writeRKey: UInt32 = 0x0001_2345
    static let writeLength: UInt32 = 4096
    static let destinationQP: UInt32 = 0x00_0ABC

    static func route(_ dlid: UInt16 = 0x0002, _ slid: UInt16 = 0x0001) -> LocalRouteHeader {
        LocalRouteHeader(destinationLID: dlid, sourceLID: slid)
    }

    /// RC SEND Only (61 bytes: pad 3), RDMA WRITE First with RETH, RDMA WRITE Last, ACK with
    /// AETH, RDMA READ Request with RETH, and a UD SEND Only with GRH and DETH.
    static var packets: [InfiniBandPacket] {
        [
            InfiniBandPacket(
                localRoute: route(),
                baseTransport: BaseTransportHeader(opcode: .rcSendOnly, destinationQP: destinationQP,
                                                   ackRequest: true, packetSequenceNumber: sendPSN),
                payload: (0..<61).map { UInt8($0) }),
            InfiniBandPacket(
                localRoute: route(),
                baseTransport: BaseTransportHeader(opcode: .rcRDMAWriteFirst, destinationQP: destinationQP,
                                                   packetSequenceNumber: sendPSN + 1),
                rdma: RDMAExtendedTransportHeader(virtualAddress: writeVA, remoteKey: writeRKey, dmaLength: writeLength),
                payload: [UInt8](repeating: 0xA5, count: 2048)),
            InfiniBandPacket(
                localRoute: route(),
                baseTransport: BaseTransportHeader(opcode: .rcRDMAWriteLast, destinationQP: destinationQP,
                                                   ackRequest: true, packetSequenceNumber: sendPSN + 2),
                payload: [UInt8](repeating: 0x5A, count: 2048)),
            InfiniBandPacket(
                localRoute: route(0x0001, 0x0002),
                baseTransport: BaseTransportHeader(opcode: .rcAcknowledge, destinationQP: 0x00_0DEF,
                                                   packetSequenceNumber: sendPSN + 2),
                acknowledge: AckExtendedTransportHeader(syndrome: 0x1F, messageSequenceNumber: 2)),
            InfiniBandPacket(
                localRoute: route(),
                baseTransport: BaseTransportHeader(opcode: .rcRDMAReadRequest, destinationQP: destinationQP,
                                                   ackRequest: true, packetSequenceNumber: sendPSN + 3),
                rdma: RDMAExtendedTransportHeader(virtualAddress: writeVA, remoteKey: writeRKey, dmaLength: 512)),
            InfiniBandPacket(
                localRoute: route(0x0003, 0x0001),
                globalRoute: GlobalRouteHeader(sourceGID: [0xFE, 0x80] + [UInt8](repeating: 0, count: 13) + [1],
                                               destinationGID: [0xFE, 0x80] + [UInt8](repeating: 0, count: 13) + [3]),
                baseTransport: BaseTransportHeader(opcode: .udSendOnly, destinationQP: 0x00_0200,
                                                   packetSequenceNumber: 7),
                datagram: DatagramExtendedTransportHeader(queueKey: 0x0000_1234, sourceQP: 0x00_0001),
                payload: [UInt8](repeating: 0x11, count: 256)),
        ]
    }

    /// RoCE v2 addressing for a packet: fixed MACs and 10.0.0.x addresses from the LIDs.
    static func roce(_ packet: InfiniBandPacket) -> RoCEv2Frame {
        RoCEv2Frame(
            destinationMAC: [0x02, 0, 0, 0, 0, UInt8(packet.localRoute.destinationLID & 0xFF)],
            sourceMAC: [0x02, 0, 0, 0, 0, UInt8(packet.localRoute.sourceLID & 0xFF)],
            sourceIP: [10, 0, 0, UInt8(packet.localRoute.sourceLID & 0xFF)],
            destinationIP: [10, 0, 0, UInt8(packet.localRoute.destinationLID & 0xFF)],
            packet: packet)
    }

    /// A capture of ``packets`` one microsecond apart.
    static func capture(_ linkType: PcapWriter.LinkType) -> PcapWriter {
        var writer = PcapWriter(linkType: linkType)
        for (index, packet) in packets.enumerated() {
            writer.append(packet, at: Instant.zero + .microseconds(Int64(index)), roce: roce)
        }
        return writer
    }
}
