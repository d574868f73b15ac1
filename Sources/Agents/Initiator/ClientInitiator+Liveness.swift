import Hardware

/// The liveness probe: a target that crashed after its adapter acknowledged the client's sends
/// gives no sign on the RC connection (nothing more is sent until a response comes back), so
/// while requests are outstanding and nothing has been heard for
/// ``InitiatorConfiguration/livenessInterval``, the initiator asks the target's management path
/// for its unit information. No answer (the transport's query retries exhausted) closes the
/// connection, which starts the failover.
extension ClientInitiator {
    /// Marks a probe's query tag (discovery tags never set it).
    static let probeTagBit: UInt64 = 1 << 63

    /// Arms the probe timer while pieces are waiting for an answer (it stops by itself when none
    /// are, or when every one left has outlived the request timeout: its request has failed, and
    /// a target that answers probes but not requests is not a failover's business).
    func armLivenessProbe() {
        guard let interval = configuration.livenessInterval, !livenessArmed,
            inFlight.values.contains(where: { runtime.now - $0.sentAt < configuration.requestTimeout })
        else { return }
        livenessArmed = true
        runtime.scheduleTimer(after: interval, handler: self, token: TimerKind.livenessProbe.rawValue << Self.timerKindShift)
    }

    func livenessTimerFired() {
        livenessArmed = false
        guard case .connected = phase, let interval = configuration.livenessInterval, let target else { return }
        if !inFlight.isEmpty, probePending == nil, runtime.now - lastHeard >= interval {
            probeSequence += 1
            let tag = Self.probeTagBit | probeSequence
            do {
                try transport.query(.ioUnitInfo, to: target, tag: tag)
                probePending = tag
                statistics.livenessProbes += 1
            } catch {
                // The management path refused the query outright: probe again next time.
            }
        }
        armLivenessProbe()
    }

    func probeAnswered(tag: UInt64, reply: DeviceManagementReply?) {
        guard tag == probePending else { return }  // a probe of a connection lost since
        probePending = nil
        guard reply == nil, case .connected(let connection, _) = phase else {
            lastHeard = runtime.now
            return
        }
        statistics.livenessFailures += 1
        transport.disconnect(connection)  // reported back as connectionClosed: the failover starts there
    }
}
