import Timebase

/// Sees every packet an endpoint hands to a simulated network, as it is accepted for
/// transmission: what a capture on the sending port would record (`iofabric run --pcap`).
///
/// A tap only watches: it cannot change, delay or drop a packet, and it schedules nothing, so
/// a run with a tap has the same events and trace digest as one without.
public protocol PacketTap: AnyObject {
    /// `packet` left an endpoint at `time`. On an Ethernet network `link` carries the frame's
    /// MAC addresses (source, destination); on InfiniBand it is nil (the LIDs are in the packet).
    func packetSent(_ packet: TransportPacket, link: (source: MACAddress, destination: MACAddress)?, at time: Instant)
}
