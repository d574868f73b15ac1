import Hardware

/// How a ``ClientInitiator`` sizes its buffer, what it asks a target for, and how patient it is.
public struct InitiatorConfiguration: Hashable, Sendable {
    /// Bytes of the client's buffer that ``ClientInitiator/submit(_:tag:)`` callers address with
    /// ``BlockRequest/bufferOffset``, from offset 0. Default 1 MiB: assumption, room for four
    /// 256 KiB requests of a caller that drives the initiator directly.
    public var bufferBytes: Int
    /// Data slots shared by the initiator's ``RemoteLUNDevice``s, placed after the caller's
    /// bytes: at most this many device commands move data at once. Default 32: assumption, the
    /// tagged queue depth of a 10K FC disk (REFERENCE.md C.6, "TCQ 32").
    public var deviceSlots: Int
    /// Bytes per device slot: the largest transfer one SCSI command of a ``RemoteLUNDevice`` may
    /// move. Default 512 KiB: assumption, the Linux block layer's long-standing `max_sectors_kb`
    /// default of 512.
    public var deviceSlotBytes: Int
    /// Requests the connection offer asks to keep outstanding (the target may grant fewer).
    /// Default 32: assumption, as ``deviceSlots``.
    public var maxOutstanding: UInt16
    /// How long a request may take, from its submission, before it fails with
    /// ``IOStatus/deviceUnavailable``. Default 30 s: assumption, Linux sd's default command
    /// timeout (`SD_TIMEOUT`, 30 s).
    public var requestTimeout: TimeSpan
    /// The wait before each reconnection attempt of the first round through the target's
    /// addresses after a connection is lost; each further round waits twice as long, up to
    /// ``maxReconnectDelay``. Default 100 ms: assumption, long against a fabric round trip
    /// (~3–5 µs, REFERENCE.md C.3), short against a command timeout.
    public var reconnectDelay: TimeSpan
    /// The longest wait between reconnection attempts. Default 5 s: assumption.
    public var maxReconnectDelay: TimeSpan
    /// Rounds of reconnection attempts after a loss (each round tries every address of the
    /// target once, in order) before the initiator gives up (every queued request then fails
    /// with ``IOStatus/deviceUnavailable``). With one address a round is one attempt. Default 8:
    /// assumption, with the defaults above about 16 s of backoff (0.1 + 0.2 + … + 5 + 5 s) per
    /// address, under ``failoverTimeout``.
    public var reconnectAttempts: Int
    /// How long, from the loss of a connection, the initiator holds its requests (the lost
    /// ones to re-issue and those submitted since) while it reconnects; past it they fail with
    /// ``IOStatus/deviceUnavailable`` and the initiator gives up. Default 30 s: assumption, the
    /// Linux SCSI command timeout (`SD_TIMEOUT`), the patience of a host's I/O stack, and well
    /// above a cluster takeover (missed heartbeats + fence + NVRAM replay, a few seconds).
    public var failoverTimeout: TimeSpan
    /// The wait before sending again when the transport refused a send (its send queue was
    /// full). Default 1 ms: assumption, many fabric round trips (REFERENCE.md C.3).
    public var sendRetryDelay: TimeSpan
    /// How long a connection may stay silent while requests are outstanding before the
    /// initiator probes its target (a device-management query on the management path, as
    /// iSCSI's NOP-Out); an unanswered probe closes the connection and starts a failover. A
    /// target that crashed after acknowledging a client's sends gives no other sign: the RC
    /// connection only fails when the client sends again. Nil: never probe. Default 5 s:
    /// open-iscsi's `noop_out_interval` default.
    public var livenessInterval: TimeSpan?

    public init(
        bufferBytes: Int = 1 << 20, deviceSlots: Int = 32, deviceSlotBytes: Int = 512 << 10, maxOutstanding: UInt16 = 32,
        requestTimeout: TimeSpan = .seconds(30), reconnectDelay: TimeSpan = .milliseconds(100),
        maxReconnectDelay: TimeSpan = .seconds(5), reconnectAttempts: Int = 8, sendRetryDelay: TimeSpan = .milliseconds(1),
        failoverTimeout: TimeSpan = .seconds(30), livenessInterval: TimeSpan? = .seconds(5)
    ) {
        precondition(bufferBytes >= 0 && deviceSlots >= 0 && deviceSlotBytes > 0, "negative buffer sizes")
        precondition(maxOutstanding > 0 && requestTimeout > .zero && reconnectAttempts >= 0, "invalid initiator limits")
        precondition(reconnectDelay > .zero && maxReconnectDelay >= reconnectDelay && sendRetryDelay > .zero)
        precondition(failoverTimeout > .zero, "a failover timeout must be positive")
        self.bufferBytes = bufferBytes
        self.deviceSlots = deviceSlots
        self.deviceSlotBytes = deviceSlotBytes
        self.maxOutstanding = maxOutstanding
        self.requestTimeout = requestTimeout
        self.reconnectDelay = reconnectDelay
        self.maxReconnectDelay = maxReconnectDelay
        self.reconnectAttempts = reconnectAttempts
        self.sendRetryDelay = sendRetryDelay
        self.failoverTimeout = failoverTimeout
        self.livenessInterval = livenessInterval
    }

    /// The whole buffer the initiator registers: the caller's bytes, then the device slots.
    public var totalBufferBytes: Int { bufferBytes + deviceSlots * deviceSlotBytes }

    /// The wait before each attempt of reconnection round `round` (from 1): ``reconnectDelay`` ×
    /// 2^(round − 1), at most ``maxReconnectDelay``.
    public func reconnectDelay(attempt round: Int) -> TimeSpan {
        precondition(round >= 1)
        var delay = reconnectDelay
        for _ in 1..<round {
            if delay >= maxReconnectDelay { break }
            delay = delay + delay
        }
        return min(delay, maxReconnectDelay)
    }
}
