import Hardware

/// The states of a slam connect (issue #6, seed design 2): the cluster connection manager's
/// handshake with its partner over a predetermined QP and memory location, by alternating RDMA
/// READs and WRITEs, with no message exchange.
///
/// The raw values are the design's numbers, and are what each side keeps in its state record
/// (read by the partner) and writes into the partner's slot: 0…5 as the design numbers them,
/// then Connected (6) and Error (7) [assumption: the design names these two without numbers].
public enum SlamConnectState: UInt32, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Nothing posted yet; the slam QP is brought to RTS toward the predetermined partner.
    case initial = 0
    /// The first RDMA READ of the partner's state record is outstanding.
    case attemptingRead = 1
    /// The first read succeeded; the RDMA WRITE of our state into the partner's slot is outstanding.
    case attemptingWrite = 2
    /// The first read failed (the partner is not up): polling our slot for the partner's writes.
    case waitingOnPartner = 3
    /// The first write succeeded; the second RDMA READ of the partner's record is outstanding.
    case attemptingSecondRead = 4
    /// Our state 5 is written (or being written) into the partner's slot; waiting for the
    /// partner to reach 5.
    case attemptingSecondWrite = 5
    /// Both sides reached 5: the slam connection is up.
    case connected = 6
    /// A read, a write or a wait failed; the retry policy brings it back to ``initial``.
    case error = 7

    public var description: String {
        switch self {
        case .initial: "Initial(0)"
        case .attemptingRead: "AttemptingRead(1)"
        case .attemptingWrite: "AttemptingWrite(2)"
        case .waitingOnPartner: "WaitingOnPartner(3)"
        case .attemptingSecondRead: "AttemptingRead(4)"
        case .attemptingSecondWrite: "AttemptingWrite(5)"
        case .connected: "Connected"
        case .error: "Error"
        }
    }
}

/// What moves a slam connect from one state to the next.
public enum SlamConnectEvent: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The RDMA READ of the partner's state record was posted.
    case readPosted
    case readSucceeded
    /// The RDMA READ failed (retries exceeded: the partner's QP does not answer).
    case readFailed
    case writeSucceeded
    case writeFailed
    /// The partner's state (written into our slot) is 5 or beyond, and our own write of 5 is done.
    case partnerReached5
    /// The partner's state in our slot is Connected.
    case partnerConnected
    /// The configurable wait (in 3 or 5) ran out.
    case timedOut
    /// Once Connected: the slam QP or a client QP on the interconnect failed, the adapter
    /// failed, or the keep-alive read found the partner restarted.
    case connectionLost
    /// The slam resources could not be set up (adapter dead, port not active) or do not match
    /// the provisioned endpoint.
    case setupFailed
    /// The retry delay after Error has passed: the QP is reset and the handshake starts again.
    case retry

    public var description: String { rawValue }
}

/// One edge of the slam-connect state machine.
public struct SlamConnectTransition: Hashable, Sendable, CustomStringConvertible {
    public var from: SlamConnectState
    public var event: SlamConnectEvent
    public var to: SlamConnectState

    public init(_ from: SlamConnectState, _ event: SlamConnectEvent, _ to: SlamConnectState) {
        self.from = from
        self.event = event
        self.to = to
    }

    public var description: String { "\(from) -\(event)-> \(to)" }
}

extension SlamConnectState {
    /// The whole state machine, as data: the design's edges, plus the timeout of the wait in 5,
    /// the loss of a Connected interconnect, a setup failure, and the retry out of Error.
    ///
    /// Retry policy (for the README): from Error the manager resets the slam QP at once (so the
    /// partner's requests go unanswered and its own handshake fails cleanly), waits
    /// ``ClusterConnectionManagerConfiguration/retryDelay``, then brings the QP back to RTS
    /// toward the predetermined partner with PSN 0 both ways and starts again from Initial,
    /// for ever (a cluster partner may come back at any time). It does not retry after a
    /// provisioning mismatch (a configuration error), nor while the adapter is dead (it waits
    /// for ``ClusterConnectionManager/adapterRestarted(interconnect:context:)``).
    public static let transitions: [SlamConnectTransition] = [
        SlamConnectTransition(.initial, .readPosted, .attemptingRead),
        SlamConnectTransition(.initial, .setupFailed, .error),
        SlamConnectTransition(.attemptingRead, .readFailed, .waitingOnPartner),
        SlamConnectTransition(.attemptingRead, .readSucceeded, .attemptingWrite),
        SlamConnectTransition(.attemptingWrite, .writeFailed, .error),
        SlamConnectTransition(.attemptingWrite, .writeSucceeded, .attemptingSecondRead),
        SlamConnectTransition(.attemptingSecondRead, .readFailed, .error),
        SlamConnectTransition(.attemptingSecondRead, .readSucceeded, .attemptingSecondWrite),
        SlamConnectTransition(.attemptingSecondWrite, .writeFailed, .error),
        SlamConnectTransition(.attemptingSecondWrite, .partnerReached5, .connected),
        SlamConnectTransition(.attemptingSecondWrite, .timedOut, .error),
        SlamConnectTransition(.waitingOnPartner, .partnerReached5, .attemptingSecondWrite),
        SlamConnectTransition(.waitingOnPartner, .partnerConnected, .connected),
        SlamConnectTransition(.waitingOnPartner, .timedOut, .error),
        SlamConnectTransition(.connected, .connectionLost, .error),
        SlamConnectTransition(.error, .retry, .initial),
    ]

    /// The state `event` leads to from this state, or nil when the table has no such edge.
    public func next(on event: SlamConnectEvent) -> SlamConnectState? {
        for transition in Self.transitions where transition.from == self && transition.event == event {
            return transition.to
        }
        return nil
    }
}
