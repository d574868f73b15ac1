import Hardware

/// What a verbs transport needs to know of its network protocol, and nothing more: how a port
/// is named on the wire, how to reach a peer named that way, and who sent a datagram.
/// ``InfiniBandAddressing`` and ``RoCEAddressing`` are the only code that knows the protocol's
/// address formats; the core (``VerbsTransportCore``) treats addresses as opaque bytes.
protocol TransportAddressing {
    /// `"infiniband"` or `"roce"`.
    var protocolName: String { get }
    /// The port's address bytes (as ``TransportEndpoint/address`` carries them) and the path
    /// MTU to use on connections. Throws when the port is not ready (not active, no address).
    func localPort(of context: any VerbsDeviceContext, port: UInt8) throws(TransportError) -> (address: [UInt8], pathMTU: MTU)
    /// The port's identity for LUN masking.
    func portIdentity(of context: any VerbsDeviceContext, port: UInt8) throws(TransportError) -> UInt64
    /// Whether `address` is a well-formed address of this protocol.
    func isValid(_ address: [UInt8]) -> Bool
    /// An address handle to send datagrams to `address` from `port`.
    func addressHandle(to address: [UInt8], port: UInt8, in domain: any ProtectionDomain) throws(TransportError) -> AddressHandle
    /// The INIT → RTR attributes that connect an RC QP to `peer`.
    func readyToReceive(toward peer: TransportEndpoint, port: UInt8, pathMTU: MTU, configuration: TransportConfiguration)
        -> QueuePairAttributes
    /// The sender's address of a received datagram: from the completion, or from the 40-byte
    /// header slot that starts every UD receive buffer (`headerSlot`). Nil when it cannot be told.
    func senderAddress(of completion: WorkCompletion, headerSlot: [UInt8]) -> [UInt8]?
}

/// Bytes at the start of every UD receive buffer, where the HCA puts the routing header.
let datagramHeaderSlot = 40
