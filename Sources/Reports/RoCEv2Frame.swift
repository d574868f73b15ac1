/// A RoCE v2 frame (InfiniBand transport over UDP/IPv4, IBTA Annex A17): Ethernet II,
/// IPv4 (with a correct header checksum), UDP to port 4791, then the packet's BTH,
/// extension headers, payload, pad and ICRC. The packet's LRH and GRH are not sent: their
/// roles are the Ethernet and IP headers'. Wireshark decodes it with no setting.
public struct RoCEv2Frame: Sendable, Equatable {
    /// The IANA-registered RoCE v2 UDP port.
    public static let udpPort: UInt16 = 4791

    /// 6 bytes each.
    public var destinationMAC: [UInt8]
    public var sourceMAC: [UInt8]
    /// 4 bytes each.
    public var sourceIP: [UInt8]
    public var destinationIP: [UInt8]
    /// RoCE v2 uses the UDP source port for flow entropy; assumption: callers derive it
    /// from the QP pair. 0xC000 is the start of the IANA dynamic range.
    public var udpSourcePort: UInt16
    /// Assumption: 64, the common Linux default TTL.
    public var timeToLive: UInt8
    /// The IPv4 identification field (callers may count packets in it).
    public var identification: UInt16
    public var packet: InfiniBandPacket

    public init(destinationMAC: [UInt8], sourceMAC: [UInt8], sourceIP: [UInt8], destinationIP: [UInt8],
                udpSourcePort: UInt16 = 0xC000, timeToLive: UInt8 = 64, identification: UInt16 = 0,
                packet: InfiniBandPacket) {
        precondition(destinationMAC.count == 6 && sourceMAC.count == 6 && sourceIP.count == 4 && destinationIP.count == 4)
        self.destinationMAC = destinationMAC
        self.sourceMAC = sourceMAC
        self.sourceIP = sourceIP
        self.destinationIP = destinationIP
        self.udpSourcePort = udpSourcePort
        self.timeToLive = timeToLive
        self.identification = identification
        self.packet = packet
    }

    /// The frame without preamble or FCS (what a LINKTYPE_ETHERNET record holds).
    public func bytes() -> [UInt8] {
        let transport = packet.transportHeadersAndPayload()
        let udpLength = 8 + transport.count + 4
        let ipLength = 20 + udpLength

        var ip: [UInt8] = [0x45, 0]  // version 4, IHL 5; DSCP/ECN 0
        ip.appendBigEndian(UInt16(ipLength))
        ip.appendBigEndian(identification)
        ip.appendBigEndian(UInt16(0x4000))  // flags: don't fragment
        ip.append(timeToLive)
        ip.append(17)  // UDP
        ip.appendBigEndian(UInt16(0))
        ip += sourceIP
        ip += destinationIP
        let checksum = Checksums.internet(ip)
        ip[10] = UInt8(checksum >> 8)
        ip[11] = UInt8(checksum & 0xFF)

        var udp: [UInt8] = []
        udp.appendBigEndian(udpSourcePort)
        udp.appendBigEndian(Self.udpPort)
        udp.appendBigEndian(UInt16(udpLength))
        udp.appendBigEndian(UInt16(0))  // no UDP checksum: RoCE v2 senders leave it 0 (the ICRC covers it)

        // ICRC (Annex A17.3.3, as Linux rxe computes it): CRC-32 over 8 bytes of ones (the
        // absent LRH), the IPv4 header with TOS, TTL and checksum set to ones, the UDP header
        // with its checksum set to ones, the BTH with byte 4 set to ones, and the rest.
        var maskedIP = ip
        maskedIP[1] = 0xFF; maskedIP[8] = 0xFF; maskedIP[10] = 0xFF; maskedIP[11] = 0xFF
        var maskedUDP = udp
        maskedUDP[6] = 0xFF; maskedUDP[7] = 0xFF
        var maskedTransport = transport
        maskedTransport[4] = 0xFF
        let icrc = Checksums.crc32([UInt8](repeating: 0xFF, count: 8) + maskedIP + maskedUDP + maskedTransport)

        var frame = destinationMAC + sourceMAC
        frame.appendBigEndian(UInt16(0x0800))  // EtherType IPv4
        frame += ip
        frame += udp
        frame += transport
        frame.appendLittleEndian(icrc)
        return frame
    }
}
