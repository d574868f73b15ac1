import Hardware

public protocol ResidualMessageStoreDelegate: AnyObject {
    /// A message from `peer`, delivered exactly once and in the order `peer` sent it.
    func residualStore(_ store: ResidualMessageStore, received payload: [UInt8], from peer: BusEndpoint)
    /// A message to `peer` went unacknowledged after every attempt; the store dropped what it held for `peer`.
    func residualStore(_ store: ResidualMessageStore, peerUnreachable peer: BusEndpoint)
}

/// The CTA interface / I/O interface of the design: every message between the host storage node
/// and an RTA is kept until the peer acknowledges it and retransmitted on timeout, so a PCI
/// transaction error loses nothing; the receiver recognises and drops duplicates, so nothing is
/// delivered twice. One store per bus endpoint; it is the endpoint's bus message receiver.
///
/// The protocol is go-back-N over ``ResidualFrame``s: data frames numbered from 0 in the
/// sender's *epoch*, cumulative acks. The receiver delivers only the next expected number,
/// drops (and counts) duplicates and frames ahead of it, and acknowledges every data frame
/// with the next number it expects. The sender keeps at most
/// ``ResidualStoreConfiguration/maxFramesInFlight`` frames unacknowledged per peer, goes back to
/// the oldest unacknowledged frame on ``ResidualStoreConfiguration/retransmitTimeout`` and at
/// once after a parity error (an absent peer's master or target abort waits for the timeout,
/// rather than burning its attempts in microseconds), and after
/// ``ResidualStoreConfiguration/maxAttempts`` sends of one message without progress declares
/// the peer unreachable.
///
/// Epochs: each store instance, and each ``reset(peer:)``, draws a new epoch from the runtime's
/// random stream mixed with the time. A data frame numbered 0 in an epoch the receiver has not
/// seen starts the peer's new life (a restarted peer is not taken for a duplicate); other
/// frames of an unknown epoch are dropped, and the ack that answers them (next expected 0)
/// tells a sender whose receiver restarted that its messages are lost: the store then declares
/// that peer unreachable at once.
public final class ResidualMessageStore {
    public let name: String
    public weak var delegate: (any ResidualMessageStoreDelegate)?
    public private(set) var statistics = ResidualStoreStatistics()
    public let configuration: ResidualStoreConfiguration

    private let channel: any BusChannel
    private let runtime: any NodeRuntime
    private var random: RandomStream
    private let instanceEpoch: UInt32
    /// Peers in order of first contact; `peerIndex` finds them (lookups only, never iterated).
    private var peers: [ResidualPeer] = []
    private var peerIndex: [BusEndpoint: Int] = [:]
    private var retryTimer: TimerHandle?

    private static let retryToken = UInt64.max
    private static let ackFlag: UInt64 = 1 << 47

    public init(name: String, channel: any BusChannel, runtime: any NodeRuntime,
                configuration: ResidualStoreConfiguration = ResidualStoreConfiguration()) {
        precondition(configuration.maxAttempts >= 1 && configuration.maxFramesInFlight >= 1, "bad residual store configuration")
        precondition(configuration.retransmitTimeout > .zero && configuration.busyRetryDelay > .zero, "bad residual store timers")
        self.name = name
        self.channel = channel
        self.runtime = runtime
        self.configuration = configuration
        random = runtime.randomStream(named: name + ".residual-store")
        // Mixed with the time so that an instance created later (a restarted node, whose
        // stream starts over in simulation) draws another epoch.
        instanceEpoch = UInt32(truncatingIfNeeded: StableHash.mix64(random.next() ^ UInt64(bitPattern: runtime.now.picoseconds)))
        channel.setReceiver(self)
    }

    /// Messages sent and not yet acknowledged (the residual messages).
    public var pendingCount: Int { peers.reduce(0) { $0 + $1.outbound.count } }

    /// Messages sent to `peer` and not yet acknowledged.
    public func pendingCount(for peer: BusEndpoint) -> Int {
        peerIndex[peer].map { peers[$0].outbound.count } ?? 0
    }

    /// The largest payload ``send(_:to:)`` accepts: the channel's message size less the frame header.
    public var maxPayloadSize: Int { channel.maxMessageSize - ResidualFrame.headerSize }

    /// Sends `payload` to `peer`: kept until acknowledged.
    ///
    /// - Precondition: `payload.count <= maxPayloadSize`.
    public func send(_ payload: [UInt8], to peer: BusEndpoint) {
        precondition(payload.count <= maxPayloadSize, "\(name): a message of \(payload.count) bytes exceeds the bus's maximum")
        precondition(peer != channel.localEndpoint, "\(name): sending to itself")
        let index = self.index(of: peer)
        peers[index].outbound.append(payload)
        statistics.sent += 1
        pump(index)
    }

    /// Forgets everything exchanged with `peer` (it restarted): sequence numbers start again.
    public func reset(peer: BusEndpoint) {
        guard let index = peerIndex[peer] else { return }
        if let timer = peers[index].outbound.timer { runtime.cancelTimer(timer) }
        statistics.messagesDropped += peers[index].outbound.restart(epoch: newEpoch(after: peers[index].outbound.epoch))
        peers[index].inbound = ResidualInbound()
    }

    /// Drops the messages not yet acknowledged by `peer` and starts a new sending epoch, keeping
    /// what was received from it: for an owner that learns out of band that `peer` restarted
    /// (its new life's messages keep arriving and must not be refused).
    public func discardPending(to peer: BusEndpoint) {
        guard let index = peerIndex[peer] else { return }
        if let timer = peers[index].outbound.timer { runtime.cancelTimer(timer) }
        statistics.messagesDropped += peers[index].outbound.restart(epoch: newEpoch(after: peers[index].outbound.epoch))
    }

    // MARK: - Peers

    private func index(of peer: BusEndpoint) -> Int {
        if let index = peerIndex[peer] { return index }
        precondition(peers.count < Int(UInt16.max), "too many bus peers")
        peers.append(ResidualPeer(endpoint: peer, outbound: ResidualOutbound(epoch: instanceEpoch)))
        peerIndex[peer] = peers.count - 1
        return peers.count - 1
    }

    private func newEpoch(after old: UInt32) -> UInt32 {
        var epoch = old
        while epoch == old { epoch = UInt32(truncatingIfNeeded: random.next()) }
        return epoch
    }

    // MARK: - Sending

    /// Sends what the window allows to peer `index`.
    private func pump(_ index: Int) {
        while peers[index].outbound.inFlight < min(peers[index].outbound.count, configuration.maxFramesInFlight) {
            let position = peers[index].outbound.inFlight
            if position == 0 {
                guard peers[index].outbound.baseSends < configuration.maxAttempts else {
                    declareUnreachable(index)
                    return
                }
            }
            let outbound = peers[index].outbound
            let sequence = outbound.base &+ UInt32(position)
            let frame = ResidualFrame.data(epoch: outbound.epoch, sequence: sequence, payload: outbound.message(at: position))
            let tag = UInt64(index) << 48 | UInt64(outbound.epoch & 0x7fff) << 32 | UInt64(sequence)
            do {
                try channel.send(frame.encoded(), to: peers[index].endpoint, tag: tag, handler: self)
            } catch .queueFull {
                statistics.busyRetries += 1
                peers[index].outbound.blocked = true
                armRetry()
                return
            } catch .messageTooLarge(let length) {
                preconditionFailure("\(name): a frame of \(length) bytes exceeds the bus's maximum")
            } catch {
                // Closed (or a system error): count it as sent and lost; the timeout and the
                // attempt bound decide.
                statistics.busErrors += 1
            }
            peers[index].outbound.blocked = false
            if position < peers[index].outbound.everSent {
                statistics.retransmissions += 1
            } else {
                peers[index].outbound.everSent += 1
            }
            if position == 0 { peers[index].outbound.baseSends += 1 }
            peers[index].outbound.inFlight += 1
            if peers[index].outbound.timer == nil {
                peers[index].outbound.timer = runtime.scheduleTimer(
                    after: configuration.retransmitTimeout, handler: self, token: UInt64(index))
            }
        }
    }

    private func declareUnreachable(_ index: Int) {
        if let timer = peers[index].outbound.timer { runtime.cancelTimer(timer) }
        statistics.peersUnreachable += 1
        statistics.messagesDropped += peers[index].outbound.restart(epoch: newEpoch(after: peers[index].outbound.epoch))
        delegate?.residualStore(self, peerUnreachable: peers[index].endpoint)
    }

    private func restartTimer(_ index: Int) {
        if let timer = peers[index].outbound.timer { runtime.cancelTimer(timer) }
        peers[index].outbound.timer = nil
        if peers[index].outbound.inFlight > 0 {
            peers[index].outbound.timer = runtime.scheduleTimer(
                after: configuration.retransmitTimeout, handler: self, token: UInt64(index))
        }
    }

    private func sendAck(_ index: Int) {
        guard let epoch = peers[index].inbound.epoch else { return }
        let frame = ResidualFrame.ack(epoch: epoch, nextExpected: peers[index].inbound.expected)
        sendAck(frame, to: index)
    }

    private func sendAck(_ frame: ResidualFrame, to index: Int) {
        do {
            try channel.send(frame.encoded(), to: peers[index].endpoint, tag: UInt64(index) << 48 | Self.ackFlag, handler: self)
            peers[index].inbound.ackOwed = false
        } catch .queueFull {
            statistics.busyRetries += 1
            peers[index].inbound.ackOwed = true
            armRetry()
        } catch {
            statistics.busErrors += 1  // the peer's retransmission will draw another ack
        }
    }

    private func armRetry() {
        guard retryTimer == nil else { return }
        retryTimer = runtime.scheduleTimer(after: configuration.busyRetryDelay, handler: self, token: Self.retryToken)
    }

    /// Issues what the channel refused earlier, peers in order of first contact.
    private func retryBlocked() {
        for index in peers.indices {
            if peers[index].inbound.ackOwed { sendAck(index) }
            if peers[index].outbound.blocked { pump(index) }
        }
    }

    // MARK: - Receiving

    private func received(data payload: [UInt8], epoch: UInt32, sequence: UInt32, from index: Int) {
        if peers[index].inbound.epoch != epoch {
            guard sequence == 0 else {
                // A frame of an epoch whose start this store has not seen: drop it, and answer
                // that nothing of that epoch arrived (a sender whose receiver restarted learns it).
                statistics.staleFrames += 1
                sendAck(.ack(epoch: epoch, nextExpected: 0), to: index)
                return
            }
            if peers[index].inbound.epoch != nil { statistics.peerRestarts += 1 }
            peers[index].inbound = ResidualInbound(epoch: epoch)
        }
        let expected = peers[index].inbound.expected
        guard sequence == expected else {
            if expected &- sequence <= UInt32.max / 2 {
                statistics.duplicatesDropped += 1
            } else {
                statistics.outOfOrderDropped += 1
            }
            sendAck(index)
            return
        }
        peers[index].inbound.expected &+= 1
        sendAck(index)
        statistics.delivered += 1
        delegate?.residualStore(self, received: payload, from: peers[index].endpoint)
    }

    private func received(ackOf epoch: UInt32, nextExpected: UInt32, from index: Int) {
        let outbound = peers[index].outbound
        guard epoch == outbound.epoch else {
            statistics.staleFrames += 1
            return
        }
        let advance = Int(nextExpected &- outbound.base)
        if advance == 0 { return }
        guard advance <= outbound.everSent else {
            statistics.staleFrames += 1
            if nextExpected == 0 && outbound.count > 0 {
                // The receiver forgot this epoch: it restarted, and what it had is lost.
                declareUnreachable(index)
            }
            return
        }
        peers[index].outbound.removeFirst(advance)
        statistics.acknowledged += advance
        peers[index].outbound.baseSends = peers[index].outbound.everSent > 0 ? 1 : 0
        restartTimer(index)
        pump(index)
    }
}

extension ResidualMessageStore: BusMessageReceiver {
    public func busMessageReceived(_ message: [UInt8], from source: BusEndpoint) {
        let frame: ResidualFrame
        do {
            frame = try ResidualFrame(decoding: message)
        } catch {
            statistics.malformedFrames += 1
            return
        }
        let index = self.index(of: source)
        switch frame {
        case .data(let epoch, let sequence, let payload):
            received(data: payload, epoch: epoch, sequence: sequence, from: index)
        case .ack(let epoch, let nextExpected):
            received(ackOf: epoch, nextExpected: nextExpected, from: index)
        }
    }
}

extension ResidualMessageStore: BusCompletionHandler {
    public func busOperationCompleted(_ completion: BusCompletion) {
        if completion.status != .ok {
            statistics.busErrors += 1
            let index = Int(completion.tag >> 48)
            if completion.status == .parityError, completion.tag & Self.ackFlag == 0, index < peers.count {
                let outbound = peers[index].outbound
                let sequence = UInt32(truncatingIfNeeded: completion.tag)
                let position = Int(sequence &- outbound.base)
                if UInt64(outbound.epoch & 0x7fff) == (completion.tag >> 32) & 0x7fff, position < outbound.inFlight {
                    // Go back to the corrupted frame at once.
                    peers[index].outbound.inFlight = position
                    pump(index)
                }
            }
        }
        if peers.contains(where: { $0.outbound.blocked || $0.inbound.ackOwed }) {
            retryBlocked()
        }
    }
}

extension ResidualMessageStore: TimerHandler {
    public func timerFired(_ token: UInt64) {
        if token == Self.retryToken {
            retryTimer = nil
            retryBlocked()
            return
        }
        let index = Int(token)
        peers[index].outbound.timer = nil
        guard peers[index].outbound.inFlight > 0 else { return }
        // Go back N: resend from the oldest unacknowledged frame.
        peers[index].outbound.inFlight = 0
        pump(index)
    }
}
