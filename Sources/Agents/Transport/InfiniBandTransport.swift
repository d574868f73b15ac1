import Hardware

/// The TTS on InfiniBand: target or initiator transport services over one HCA port, addressed
/// by the port's LID (assigned by the subnet manager: start it after the sweep).
///
/// Everything but the addressing is ``VerbsTransport``'s.
public final class InfiniBandTransport: VerbsTransport {
    /// - Parameters:
    ///   - name: names the transport's random stream (`<node>.<name>.tts`) and its messages.
    ///   - runtime: the node's loop.
    ///   - context: the opened HCA.
    ///   - port: the HCA port (1-based).
    public init(name: String, runtime: any NodeRuntime, context: any VerbsDeviceContext, port: UInt8 = 1,
                configuration: TransportConfiguration = TransportConfiguration()) {
        super.init(name: name, runtime: runtime, context: context, port: port, configuration: configuration,
                   addressing: InfiniBandAddressing())
    }
}
