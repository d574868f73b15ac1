import Hardware
import SimCore

/// Arbitration and the timing of one circuit (see ``FibreChannelLoop``).
extension FibreChannelLoop {
    /// The port that wins arbitration now, or nil if no port in the ring is arbitrating.
    func chooseWinner() -> Int? {
        var best: Int?
        var bestInWindow: Int?
        for index in ports.indices where ports[index].hasWork && inRing(index) {
            if best == nil || ports[index].address < ports[best!].address { best = index }
            if ports[index].windowOpen && (bestInWindow == nil || ports[index].address < ports[bestInWindow!].address) {
                bestInWindow = index
            }
        }
        guard let best else { return nil }
        guard configuration.fairness else { return best }
        if let bestInWindow { return bestInWindow }
        // Every port arbitrating has had its turn: the fairness window resets for all.
        for index in ports.indices { ports[index].windowOpen = true }
        return best
    }

    /// Ports in the ring (not bypassed, device present).
    var portsInRing: Int { ports.indices.reduce(0) { $0 + (inRing($1) ? 1 : 0) } }

    /// Hops from `source` to `destination` along the ring, counting only ports in it.
    func hops(from source: Int, to destination: Int) -> Int {
        var count = 0
        var index = source
        repeat {
            index = (index + 1) % ports.count
            if index == destination || inRing(index) { count += 1 }
        } while index != destination
        return count
    }

    /// Drops the ports' queued messages from a port that left the ring.
    func dropQueue(of index: Int) {
        statistics.lostMessages += ports[index].queue.count - ports[index].head
        ports[index].queue.removeAll()
        ports[index].head = 0
    }

    /// Arbitration: the winner owns the loop for one tenancy, in which it opens a circuit for
    /// each message it had queued when it won, one after the other, then gives the loop up.
    func startTenancy() {
        guard isUp, tenancy == nil else { return }
        // Ports that left the ring with messages queued lose them.
        for index in ports.indices where ports[index].hasWork && !inRing(index) { dropQueue(of: index) }
        guard let winner = chooseWinner() else { return }
        statistics.arbitrationWins[winner] += 1
        statistics.tenancies += 1
        simulator.recordDecision(UInt64(winner))
        if configuration.fairness { ports[winner].windowOpen = false }
        owner = winner
        ownerBudget = ports[winner].queue.count - ports[winner].head
        // ARB(winner) goes once round the loop before the winner may open.
        openCircuit(from: winner, arbitrationBytes: roundTripBytes)
    }

    /// R: the bytes of one trip round the loop (ports in the ring × their repeat latency).
    var roundTripBytes: Int { portsInRing * configuration.portLatencyWords * FibreChannelLoopConfiguration.wordBytes }

    /// Opens a circuit from `source` (which owns the loop) for its next queued message.
    func openCircuit(from source: Int, arbitrationBytes: Int) {
        ownerBudget -= 1
        let outgoing = ports[source].queue[ports[source].head]
        ports[source].head += 1
        if ports[source].head == ports[source].queue.count {
            ports[source].queue.removeAll(keepingCapacity: true)
            ports[source].head = 0
        }
        let config = configuration
        let word = FibreChannelLoopConfiguration.wordBytes
        let roundTrip = roundTripBytes
        let start = simulator.now
        var bytes = arbitrationBytes + word  // OPN
        guard inRing(outgoing.destination) else {
            // The OPN comes back round the loop unanswered.
            bytes += roundTrip
            let freeAt = start + config.wireTime(bytes: bytes)
            tenancy = Tenancy(
                source: source, destination: outgoing.destination, message: outgoing.message, start: start, freeAt: freeAt,
                wireBytes: bytes, opened: false)
            simulator.schedule(Self.released, for: id, at: freeAt, payload: generation)
            return
        }
        bytes += messageWireBytes(outgoing.message, roundTrip: roundTrip)
        let toDestination = hops(from: source, to: outgoing.destination) * config.portLatencyWords * word
        let deliverAt = start + config.wireTime(bytes: bytes + toDestination)
        // CLS, and the destination's CLS back round the loop.
        bytes += 2 * word + roundTrip
        let freeAt = start + config.wireTime(bytes: bytes)
        tenancy = Tenancy(
                source: source, destination: outgoing.destination, message: outgoing.message, start: start, freeAt: freeAt,
                wireBytes: bytes, opened: true)
        simulator.schedule(Self.delivered, for: id, at: deliverAt, payload: generation)
        simulator.schedule(Self.released, for: id, at: freeAt, payload: generation)
    }

    /// The frames of `message` on the wire (and, for a write, the wait for FCP_XFER_RDY).
    func messageWireBytes(_ message: Message, roundTrip: Int) -> Int {
        let config = configuration
        switch message {
        case .command(let command):
            let extraCDB = max(0, command.request.cdb.count - 16)
            var bytes = config.frameWireBytes(payload: config.commandPayloadBytes + extraCDB)
            if case .toDevice(let data) = command.request.dataTransfer, !data.isEmpty {
                bytes += roundTrip + config.frameWireBytes(payload: config.transferReadyPayloadBytes)
                bytes += config.dataWireBytes(data.count)
            }
            return bytes
        case .response(let response):
            return config.dataWireBytes(response.dataIn.count)
                + config.frameWireBytes(payload: config.responsePayloadBytes + response.sense.count)
        }
    }

    static func dataBytes(of message: Message) -> Int {
        switch message {
        case .command(let command):
            if case .toDevice(let data) = command.request.dataTransfer { return data.count }
            return 0
        case .response(let response):
            return response.dataIn.count
        }
    }

    func deliver(_ message: Message, from source: Int, to destination: Int) {
        guard inRing(destination) else {
            // The destination left the ring while the frames were on their way.
            statistics.lostMessages += 1
            simulator.recordDecision(UInt64(destination) << 32 | 0xD1)
            return
        }
        let data = Self.dataBytes(of: message)
        statistics.dataBytes += data
        statistics.dataBytesSent[source] += data
        switch (message, ports[destination].role) {
        case (.command(let command), .device(let device, let drivePort)):
            statistics.commandsDelivered += 1
            device.receive(command, on: drivePort)
        case (.response(let response), .initiator(let initiator, _)):
            statistics.responsesDelivered += 1
            initiator.loop(self, delivered: response, at: LoopPortID(index: destination))
        default:
            preconditionFailure("a message to the wrong kind of port")
        }
    }

    /// The circuit `current` (already taken out of ``tenancy``) is closed.
    func release(_ current: Tenancy) {
        assert(tenancy == nil)
        statistics.circuits += 1
        statistics.busyTime += current.freeAt - current.start
        statistics.wireBytes += current.wireBytes
        if !current.opened {
            statistics.openFailures += 1
            if case .command(let command) = current.message,
                case .initiator(let initiator, _) = ports[current.source].role
            {
                initiator.loop(self, couldNotOpen: LoopPortID(index: current.destination), for: command)
            } else {
                statistics.lostMessages += 1
            }
        }
        // The owner opens its next circuit without arbitrating again, while its budget lasts.
        if let source = owner, ownerBudget > 0, isUp, tenancy == nil, inRing(source), ports[source].hasWork {
            openCircuit(from: source, arbitrationBytes: 0)
            return
        }
        owner = nil
        kick()
    }
}
