import Hardware

// The session on a Connected interconnect: create every client's QP, exchange the connection
// information and "ready" with the partner's manager over the slam QP, hand the connections up.
extension ClusterInterconnect {
    /// Connected: create the clients' QPs and send our connection information.
    func beginSession() {
        guard let domain, let cq else { return lost("no resources for the clients") }
        var entries: [ClusterClientEndpoint] = []
        for (client, needs) in manager.clients {
            do {
                let connection = try ClusterClientConnection(
                    owner: self, client: client, needs: needs, domain: domain, cq: cq, port: port)
                connections.append(connection)
                entries.append(connection.endpoint)
            } catch {
                return lost("client '\(client.clusterClientName)': \(error)")
            }
        }
        send(.connectionInfo(entries))
        let early = earlyMessages
        earlyMessages = []
        for message in early where state == .connected { received(message) }
    }

    /// A manager message from the partner.
    func received(_ message: ClusterManagerMessage) {
        guard state == .connected else {
            // The partner reached Connected first and its information overtook our poll.
            if state == .attemptingSecondWrite || state == .waitingOnPartner { earlyMessages.append(message) }
            return
        }
        switch message {
        case .connectionInfo(let entries):
            guard partnerInfo == nil else { return }
            partnerInfo = entries
            connectClients(to: entries)
        case .ready:
            partnerReady = true
            finishSession()
        }
    }

    private func connectClients(to entries: [ClusterClientEndpoint]) {
        for connection in connections {
            guard let entry = entries.first(where: { $0.name == connection.client.clusterClientName }) else {
                manager.statistics.clientsWithoutCounterpart += 1
                connection.discard()
                continue
            }
            do {
                try connection.connect(to: entry, partnerAddress: partner.address)
            } catch {
                return lost("client '\(entry.name)': \(error)")
            }
        }
        connections.removeAll { $0.discarded }
        sentReady = true
        send(.ready)
        finishSession()
    }

    private func finishSession() {
        guard state == .connected, sentReady, partnerReady, !sessionUp else { return }
        sessionUp = true
        for connection in connections { connection.up() }
        manager.notifyReady(interconnect: index, connections: connections.count)
        manager.sessionStarted(interconnect: index)
    }

    /// Error: every client connection of the session fails (see ``ClusterConnection``).
    func endSession() {
        let wasUp = sessionUp
        let ending = connections
        connections = []
        partnerInfo = nil
        sentReady = false
        partnerReady = false
        sessionUp = false
        earlyMessages = []
        for connection in ending { connection.fail() }
        if wasUp { manager.sessionEnded(interconnect: index) }
    }

    /// Path attributes toward the partner for a client QP.
    func readyToReceive(toward peer: TransportEndpoint) -> QueuePairAttributes {
        var transport = TransportConfiguration()
        transport.readAtomicDepth = configuration.readAtomicDepth
        return addressing.readyToReceive(toward: peer, port: port, pathMTU: currentPathMTU, configuration: transport)
    }
}
