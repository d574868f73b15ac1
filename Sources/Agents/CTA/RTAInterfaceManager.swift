import Hardware

/// What the host's agents hear from the RTAs.
protocol RTAMessageListener: AnyObject {
    func agentMessageReceived(_ message: AgentMessage, from endpoint: BusEndpoint)
    func rtaUnreachable(_ endpoint: BusEndpoint)
}

/// The host side of the CTA⇄RTA interface: one residual message store on the host's bus
/// endpoint, `AgentMessage` encoding and decoding, and dispatch: resources to the UMA,
/// everything about transactions to the CTA.
final class RTAInterfaceManager: ResidualMessageStoreDelegate {
    let store: ResidualMessageStore
    let channel: any BusChannel
    weak var management: (any RTAMessageListener)?
    weak var transactions: (any RTAMessageListener)?
    private(set) var malformed = 0

    init(name: String, channel: any BusChannel, runtime: any NodeRuntime, configuration: ResidualStoreConfiguration) {
        self.channel = channel
        store = ResidualMessageStore(name: name, channel: channel, runtime: runtime, configuration: configuration)
        store.delegate = self
    }

    func send(_ message: AgentMessage, to endpoint: BusEndpoint) {
        store.send(message.encoded(), to: endpoint)
    }

    func residualStore(_ store: ResidualMessageStore, received payload: [UInt8], from peer: BusEndpoint) {
        let message: AgentMessage
        do { message = try AgentMessage(decoding: payload) } catch {
            malformed += 1
            return
        }
        switch message {
        case .resources, .reservationDone: management?.agentMessageReceived(message, from: peer)
        case .buffersReady, .dataReady, .ioComplete: transactions?.agentMessageReceived(message, from: peer)
        case .attach, .discover, .connectionAdd, .connectionRemove, .ioRequest, .dataPlaced, .transferDone, .reservation:
            malformed += 1  // host-bound traffic never carries these
        }
    }

    func residualStore(_ store: ResidualMessageStore, peerUnreachable peer: BusEndpoint) {
        transactions?.rtaUnreachable(peer)
        management?.rtaUnreachable(peer)
    }
}
