import Hardware

/// The TTS on RoCE v2: target or initiator transport services over one HCA port on Ethernet,
/// addressed by the port's GID (index 0, IPv4-mapped); a GRH in every address vector.
///
/// Everything but the addressing is ``VerbsTransport``'s.
public final class RoCETransport: VerbsTransport {
    /// - Parameters:
    ///   - name: names the transport's random stream (`<node>.<name>.tts`) and its messages.
    ///   - runtime: the node's loop.
    ///   - context: the opened HCA.
    ///   - port: the HCA port (1-based).
    public init(name: String, runtime: any NodeRuntime, context: any VerbsDeviceContext, port: UInt8 = 1,
                configuration: TransportConfiguration = TransportConfiguration()) {
        super.init(name: name, runtime: runtime, context: context, port: port, configuration: configuration,
                   addressing: RoCEAddressing())
    }
}
