import Hardware

/// RoCE v2 addressing: a port is its GID at index 0 (16 bytes; the IPv4-mapped address of the
/// interface); every address vector carries a GRH; the sender of a datagram is the source GID
/// of the GRH the HCA writes at the start of the receive buffer (as `ibv_init_ah_from_wc`
/// reads it).
struct RoCEAddressing: TransportAddressing {
    var protocolName: String { "roce" }
    /// The GID table entry used: 0. [assumption: one address per port, as the simulator has]
    static let gidIndex = 0
    /// Hop limit of the GRH: 64, the usual IP TTL (rdma-core's default for RoCE address handles).
    static let hopLimit: UInt8 = 64

    func localPort(of context: any VerbsDeviceContext, port: UInt8) throws(TransportError) -> (address: [UInt8], pathMTU: MTU) {
        do {
            let attributes = try context.queryPort(port)
            guard attributes.state == .active else { throw TransportError.verbs("port \(port) is \(attributes.state)") }
            let gid = try context.queryGID(port: port, index: Self.gidIndex)
            guard gid != .zero else { throw TransportError.verbs("port \(port) has no GID") }
            return (gid.bytes, attributes.activeMTU)
        } catch let error as TransportError {
            throw error
        } catch {
            throw .verbs("query port \(port): \(error)")
        }
    }

    /// The node GUID plus the port number. [assumption: RoCE GIDs are IP addresses, not GUIDs;
    /// the simulator numbers port GUIDs this way (`SimHCA.portGUID`)]
    func portIdentity(of context: any VerbsDeviceContext, port: UInt8) throws(TransportError) -> UInt64 {
        context.attributes.nodeGUID.rawValue &+ UInt64(port)
    }

    func isValid(_ address: [UInt8]) -> Bool {
        address.count == 16 && GID(bytes: address) != .zero
    }

    private func path(to address: [UInt8], port: UInt8) -> AddressHandleAttributes {
        AddressHandleAttributes(
            destinationLID: 0, port: port,
            globalRoute: GlobalRoute(destinationGID: GID(bytes: address)!, sourceGIDIndex: UInt8(Self.gidIndex),
                                     hopLimit: Self.hopLimit))
    }

    func addressHandle(to address: [UInt8], port: UInt8, in domain: any ProtectionDomain) throws(TransportError) -> AddressHandle {
        precondition(isValid(address), "address handle to an invalid GID")
        do { return try domain.createAddressHandle(path(to: address, port: port)) } catch { throw .verbs("create AH: \(error)") }
    }

    func readyToReceive(toward peer: TransportEndpoint, port: UInt8, pathMTU: MTU, configuration: TransportConfiguration)
        -> QueuePairAttributes
    {
        .readyToReceive(
            path: path(to: peer.address, port: port), destinationQPNumber: peer.queuePairNumber,
            receivePSN: peer.packetSequenceNumber, pathMTU: pathMTU,
            maxDestinationReadAtomic: configuration.readAtomicDepth)
    }

    /// The GRH's source GID: bytes 8..<24 of the slot (IBA vol. 1, 8.3.1: the IPv6 layout).
    func senderAddress(of completion: WorkCompletion, headerSlot: [UInt8]) -> [UInt8]? {
        guard completion.hasGlobalRouteHeader, headerSlot.count >= 40 else { return nil }
        let address = Array(headerSlot[8..<24])
        return isValid(address) ? address : nil
    }
}
