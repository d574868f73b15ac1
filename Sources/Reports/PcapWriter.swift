import Timebase

/// A classic libpcap capture file (not pcapng) with nanosecond timestamps, built in memory.
///
/// File header: magic 0xA1B23C4D (the nanosecond-resolution variant), version 2.4, zone 0,
/// snap length 262 144, the link type; then per packet a 16-byte record header (seconds,
/// nanoseconds, captured length, original length) and the bytes. Everything little-endian
/// (readers detect the byte order from the magic). Timestamps are virtual time since the
/// start of the run, so they read as 1970-01-01: deterministic, like the rest of a report.
///
/// Reading the InfiniBand captures with Wireshark/tshark 4.0 (Debian 12's 4.0.17, measured):
/// a LINKTYPE_INFINIBAND (247) file is refused ("pcap: network type 247 unknown or
/// unsupported") and no preference changes that, so write ``LinkType/user0`` and map USER0
/// to the InfiniBand dissector with this one setting:
///
///     tshark -o 'uat:user_dlts:"User 0 (DLT=147)","infiniband","0","","0",""' -r capture.pcap -V
///
/// (in the GUI: Preferences › Protocols › DLT_USER › Edit, DLT 147, payload protocol
/// `infiniband`). RoCE v2 captures (``LinkType/ethernet``) decode with no setting.
public struct PcapWriter: Sendable {
    /// The link types the report writers produce.
    public enum LinkType: UInt32, Sendable {
        /// LINKTYPE_ETHERNET: RoCE v2 frames (``RoCEv2Frame``).
        case ethernet = 1
        /// LINKTYPE_USER0: the same bytes as ``infiniband``, for Wireshark versions that do
        /// not map 247 (4.0 and older; see REFERENCE.md §D.4 and the Reports README).
        case user0 = 147
        /// LINKTYPE_INFINIBAND: raw InfiniBand packets starting at the LRH.
        case infiniband = 247
    }

    public static let magicNanoseconds: UInt32 = 0xA1B2_3C4D
    /// Assumption: 262 144, libpcap's default maximum snapshot length; packets are never cut.
    public static let snapLength: UInt32 = 262_144

    public let linkType: LinkType
    /// The file so far: header plus every appended record.
    public private(set) var bytes: [UInt8] = []
    /// Packets appended.
    public private(set) var packetCount = 0

    public init(linkType: LinkType) {
        self.linkType = linkType
        bytes.appendLittleEndian(Self.magicNanoseconds)
        bytes.appendLittleEndian(UInt16(2))
        bytes.appendLittleEndian(UInt16(4))
        bytes.appendLittleEndian(UInt32(0))  // thiszone
        bytes.appendLittleEndian(UInt32(0))  // sigfigs
        bytes.appendLittleEndian(Self.snapLength)
        bytes.appendLittleEndian(linkType.rawValue)
    }

    /// Appends one packet seen at `time` (virtual time, truncated to the nanosecond).
    public mutating func append(_ packet: [UInt8], at time: Instant) {
        precondition(time.picoseconds >= 0 && packet.count <= Int(Self.snapLength))
        let nanoseconds = time.picoseconds / 1_000
        bytes.appendLittleEndian(UInt32(truncatingIfNeeded: nanoseconds / 1_000_000_000))
        bytes.appendLittleEndian(UInt32(truncatingIfNeeded: nanoseconds % 1_000_000_000))
        bytes.appendLittleEndian(UInt32(packet.count))
        bytes.appendLittleEndian(UInt32(packet.count))
        bytes += packet
        packetCount += 1
    }

    /// Appends an InfiniBand packet, encoded for this file's link type (LRH first, or as a
    /// RoCE v2 frame through `roce`, which supplies the Ethernet/IP addressing).
    public mutating func append(_ packet: InfiniBandPacket, at time: Instant,
                                roce: ((InfiniBandPacket) -> RoCEv2Frame)? = nil) {
        switch linkType {
        case .infiniband, .user0: append(packet.linkBytes(), at: time)
        case .ethernet:
            guard let roce else { preconditionFailure("an Ethernet capture needs RoCE v2 addressing") }
            append(roce(packet).bytes(), at: time)
        }
    }
}
