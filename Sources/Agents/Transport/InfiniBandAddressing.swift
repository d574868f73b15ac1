import Hardware

/// InfiniBand addressing: a port is its LID (2 bytes, big-endian), assigned by the subnet
/// manager; paths are LID-routed without a GRH (one subnet); the path MTU is the port's
/// active MTU.
struct InfiniBandAddressing: TransportAddressing {
    var protocolName: String { "infiniband" }

    func localPort(of context: any VerbsDeviceContext, port: UInt8) throws(TransportError) -> (address: [UInt8], pathMTU: MTU) {
        let attributes: PortAttributes
        do { attributes = try context.queryPort(port) } catch { throw .verbs("query port \(port): \(error)") }
        guard attributes.state == .active, attributes.lid != 0 else {
            throw .verbs("port \(port) is \(attributes.state) with LID \(attributes.lid): the subnet manager has not swept it")
        }
        return ([UInt8(attributes.lid >> 8), UInt8(attributes.lid & 0xff)], attributes.activeMTU)
    }

    /// The port GUID: the interface identifier of GID index 0 (IBA vol. 1, 4.1.1).
    func portIdentity(of context: any VerbsDeviceContext, port: UInt8) throws(TransportError) -> UInt64 {
        do { return try context.queryGID(port: port, index: 0).interfaceID } catch { throw .verbs("query GID: \(error)") }
    }

    /// A unicast LID: 0x0001…0xBFFF (IBA vol. 1, 4.1.3).
    func isValid(_ address: [UInt8]) -> Bool {
        guard address.count == 2 else { return false }
        let lid = UInt16(address[0]) << 8 | UInt16(address[1])
        return lid >= 1 && lid <= 0xbfff
    }

    private func path(to address: [UInt8], port: UInt8) -> AddressHandleAttributes {
        AddressHandleAttributes(destinationLID: UInt16(address[0]) << 8 | UInt16(address[1]), port: port)
    }

    func addressHandle(to address: [UInt8], port: UInt8, in domain: any ProtectionDomain) throws(TransportError) -> AddressHandle {
        precondition(isValid(address), "address handle to an invalid LID")
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

    /// The completion's source LID (no GRH within a subnet).
    func senderAddress(of completion: WorkCompletion, headerSlot: [UInt8]) -> [UInt8]? {
        let address = [UInt8(completion.sourceLID >> 8), UInt8(completion.sourceLID & 0xff)]
        return isValid(address) ? address : nil
    }
}
