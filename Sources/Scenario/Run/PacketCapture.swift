import Hardware
import Reports
import SimHardware
import Timebase

/// `iofabric run --pcap`: records every packet the endpoints of one simulated fabric send, as a
/// pcap file Wireshark decodes: InfiniBand packets from the LRH (LINKTYPE_INFINIBAND, 247), or
/// RoCE v2 frames (Ethernet/IPv4/UDP 4791, LINKTYPE_ETHERNET, 1).
///
/// The tap watches only, so a captured run has the same trace digest as an uncaptured one.
/// Synthetic packets (benchmarks and traffic generators carry a length, not bytes) are written
/// with zero bytes of their length. A capture stops at ``byteLimit`` (it lives in memory until
/// the report is written) and says so in ``truncated``.
public final class PacketCapture: PacketTap {
    /// Assumption: 256 MiB, enough for every bundled scenario's whole run; a capture past it
    /// keeps its first packets and counts the rest.
    public static let byteLimit = 256 << 20

    /// The fabric captured.
    public let fabric: String
    public private(set) var writer: PcapWriter
    /// Packets sent after the capture reached ``byteLimit`` (not written).
    public private(set) var truncated = 0

    init(fabric: String, ethernet: Bool, linkType infiniBandLinkType: PcapWriter.LinkType = .infiniband) {
        self.fabric = fabric
        writer = PcapWriter(linkType: ethernet ? .ethernet : infiniBandLinkType)
    }

    public func packetSent(_ packet: TransportPacket, link: (source: MACAddress, destination: MACAddress)?, at time: Instant) {
        guard writer.bytes.count < Self.byteLimit else {
            truncated += 1
            return
        }
        let encoded = Self.infiniBandPacket(packet, roce: link != nil)
        if let link {
            let identification = UInt16(truncatingIfNeeded: writer.packetCount)
            writer.append(encoded, at: time) { packet in
                RoCEv2Frame(
                    destinationMAC: Self.bytes(link.destination), sourceMAC: Self.bytes(link.source),
                    sourceIP: Array(packet.globalRoute?.sourceGID.suffix(4) ?? [0, 0, 0, 0]),
                    destinationIP: Array(packet.globalRoute?.destinationGID.suffix(4) ?? [0, 0, 0, 0]),
                    identification: identification, packet: packet)
            }
        } else {
            writer.append(encoded, at: time)
        }
    }

    /// The headers of `packet` as IBA 1.4 lays them out: LRH, GRH when the packet carries one
    /// (on RoCE it always does here: its IPv4-mapped GIDs become the frame's IPv4 addresses),
    /// BTH, then the extension headers its opcode carries.
    static func infiniBandPacket(_ packet: TransportPacket, roce: Bool) -> InfiniBandPacket {
        let opcode = packet.opcode
        let base = BaseTransportHeader(
            opcode: InfiniBandOpcode(rawValue: opcode.rawValue), solicitedEvent: packet.solicited,
            destinationQP: packet.destinationQP, ackRequest: packet.ackRequest, packetSequenceNumber: packet.psn)
        let carriesGRH = roce || packet.hasGlobalRouteHeader
        return InfiniBandPacket(
            localRoute: LocalRouteHeader(
                virtualLane: packet.destinationQP == 0 ? 15 : 0, serviceLevel: packet.serviceLevel,
                destinationLID: packet.destinationLID, sourceLID: packet.sourceLID),
            globalRoute: carriesGRH
                ? GlobalRouteHeader(sourceGID: packet.sourceGID.bytes, destinationGID: packet.destinationGID.bytes) : nil,
            baseTransport: base,
            datagram: opcode.hasDETH ? DatagramExtendedTransportHeader(queueKey: packet.qkey, sourceQP: packet.sourceQP) : nil,
            rdma: opcode.hasRETH
                ? RDMAExtendedTransportHeader(virtualAddress: packet.virtualAddress, remoteKey: packet.rkey, dmaLength: packet.dmaLength)
                : nil,
            acknowledge: opcode.hasAETH
                ? AckExtendedTransportHeader(syndrome: packet.syndrome.rawValue, messageSequenceNumber: packet.messageSequenceNumber)
                : nil,
            immediateData: opcode.hasImmediate ? packet.immediate : nil,
            payload: packet.payload.isEmpty && packet.payloadLength > 0
                ? [UInt8](repeating: 0, count: packet.payloadLength) : packet.payload)
    }

    private static func bytes(_ mac: MACAddress) -> [UInt8] {
        (0..<6).map { UInt8(truncatingIfNeeded: mac.rawValue >> (40 - 8 * UInt64($0))) }
    }
}
