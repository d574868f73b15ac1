import Hardware

/// An endpoint's CA port on an ``InfiniBandFabric``: what an HCA (or a traffic generator)
/// sends through. Created by ``InfiniBandFabric/attachEndpoint(named:endpoint:portGUID:)``.
///
/// Honours the ``NetworkAttachment`` guarantees: ``transmit(_:)`` never calls back into the
/// endpoint (readiness and port changes arrive as events of the fabric); packets of one SL
/// map to one VL and leave in order; each delivered packet holds its input-buffer credits
/// until ``release(_:)``, which is how a slow endpoint back-pressures its senders.
public final class InfiniBandPortAttachment: NetworkAttachment {
    unowned let fabric: InfiniBandFabric
    /// The port's index in the fabric.
    let port: Int32
    public let gid: GID

    init(fabric: InfiniBandFabric, port: Int32, gid: GID) {
        self.fabric = fabric
        self.port = port
        self.gid = gid
    }

    public var linkLayer: LinkLayer { .infiniBand }

    /// Down while the link is down, INIT until the subnet manager activated it, then ACTIVE.
    public var portState: PortState {
        let p = fabric.ports[Int(port)]
        guard p.link >= 0, fabric.links[Int(p.link)].up else { return .down }
        return p.active ? .active : .initialize
    }

    public var lid: UInt16 { fabric.ports[Int(port)].lid }
    public var subnetManagerLID: UInt16 { fabric.ports[Int(port)].lid == 0 ? 0 : fabric.subnetManagerLID }

    private var linkConfiguration: InfiniBandLinkConfiguration {
        let link = fabric.ports[Int(port)].link
        return link >= 0 ? fabric.links[Int(link)].configuration : fabric.configuration.defaultLink
    }

    public var activeWidth: LinkWidth { linkConfiguration.width }
    public var activeSpeed: LinkSpeed { linkConfiguration.speed }
    public var dataRate: Int64 { linkConfiguration.dataRate }
    public var maxMTU: MTU { fabric.configuration.maxMTU }
    public var transmitQueueCapacity: Int { fabric.configuration.transmitQueueCapacity }

    public func transmit(_ packet: TransportPacket) -> Bool { fabric.transmit(packet, from: port) }
    public func release(_ receipt: ReceiveReceipt) { fabric.release(receipt) }
    public func setEndpointFailed(_ failed: Bool) { fabric.setEndpointFailed(failed, port: port) }
}
