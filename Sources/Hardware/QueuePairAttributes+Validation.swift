extension QueuePairType {
    /// The attributes `ibv_modify_qp` requires for moving a QP of this type from `current` to
    /// `next` (besides the state itself); nil when the transition is not allowed.
    ///
    /// From the Linux kernel's `qp_state_table` (`drivers/infiniband/core/verbs.c`), restricted
    /// to the attributes ``QueuePairAttributes`` carries.
    public func requiredAttributes(from current: QueuePairState, to next: QueuePairState) -> QueuePairAttributeMask? {
        guard current.canTransition(to: next) else { return nil }
        switch (self, current, next) {
        case (.reliableConnected, .reset, .initialized):
            return [.pkeyIndex, .port, .accessFlags]
        case (.unreliableDatagram, .reset, .initialized):
            return [.pkeyIndex, .port, .qkey]
        case (.reliableConnected, .initialized, .readyToReceive):
            return [
                .addressVector, .pathMTU, .destinationQPNumber, .receivePSN, .maxDestinationReadAtomic, .minRNRTimer,
            ]
        case (.reliableConnected, .readyToReceive, .readyToSend):
            return [.timeout, .retryCount, .rnrRetry, .sendPSN, .maxReadAtomic]
        case (.unreliableDatagram, .readyToReceive, .readyToSend):
            return [.sendPSN]
        default:
            return []
        }
    }

    /// The attributes `ibv_modify_qp` accepts but does not require for moving a QP of this type
    /// from `current` to `next`; nil when the transition is not allowed.
    public func optionalAttributes(from current: QueuePairState, to next: QueuePairState) -> QueuePairAttributeMask? {
        guard current.canTransition(to: next) else { return nil }
        switch (self, current, next) {
        case (.reliableConnected, .initialized, .initialized):
            return [.pkeyIndex, .port, .accessFlags]
        case (.unreliableDatagram, .initialized, .initialized):
            return [.pkeyIndex, .port, .qkey]
        case (.reliableConnected, .initialized, .readyToReceive):
            return [.accessFlags, .pkeyIndex]
        case (.unreliableDatagram, .initialized, .readyToReceive):
            return [.pkeyIndex, .qkey]
        case (.reliableConnected, .readyToReceive, .readyToSend),
            (.reliableConnected, .readyToSend, .readyToSend),
            (.reliableConnected, .sendQueueDrain, .readyToSend):
            return [.accessFlags, .minRNRTimer]
        case (.unreliableDatagram, .readyToReceive, .readyToSend),
            (.unreliableDatagram, .readyToSend, .readyToSend),
            (.unreliableDatagram, .sendQueueDrain, .readyToSend),
            (.unreliableDatagram, .sendQueueError, .readyToSend):
            return [.qkey]
        case (.reliableConnected, .sendQueueDrain, .sendQueueDrain):
            return [
                .port, .addressVector, .timeout, .retryCount, .rnrRetry, .maxReadAtomic, .maxDestinationReadAtomic,
                .accessFlags, .pkeyIndex, .minRNRTimer,
            ]
        case (.unreliableDatagram, .sendQueueDrain, .sendQueueDrain):
            return [.pkeyIndex, .qkey]
        default:
            return []
        }
    }

    /// Every attribute a transition of this type may carry (required or optional, plus the
    /// state); nil when the transition is not allowed.
    public func allowedAttributes(from current: QueuePairState, to next: QueuePairState) -> QueuePairAttributeMask? {
        guard let required = requiredAttributes(from: current, to: next),
            let optional = optionalAttributes(from: current, to: next)
        else { return nil }
        return required.union(optional).union(.state)
    }
}

extension QueuePairAttributes {
    /// Checks these attributes the way `ibv_modify_qp` does, for a QP of `type` in `current`,
    /// and returns the state the QP would be in afterwards.
    ///
    /// Both backends call this before applying a modification, so that the simulator refuses
    /// exactly what real hardware refuses.
    ///
    /// - Throws: ``VerbsError/invalidQueuePairTransition(from:to:)`` for a transition the state
    ///   table forbids; ``VerbsError/invalidQueuePairAttributes(from:to:missing:unexpected:)``
    ///   when a required attribute is missing or one the transition does not take is set;
    ///   ``VerbsError/invalidArgument(_:)`` for a field out of its range (PSNs and QP numbers
    ///   are 24 bits, timeouts and RNR timer codes 0…31, retry counts 0…7, MTU 256…4096).
    @discardableResult
    public func validate(for type: QueuePairType, currentState current: QueuePairState) throws(VerbsError)
        -> QueuePairState
    {
        let next = state ?? current
        guard let required = type.requiredAttributes(from: current, to: next),
            let allowed = type.allowedAttributes(from: current, to: next)
        else { throw .invalidQueuePairTransition(from: current, to: next) }
        let mask = self.mask
        let missing = required.subtracting(mask)
        let unexpected = mask.subtracting(allowed)
        if !missing.isEmpty || !unexpected.isEmpty {
            throw .invalidQueuePairAttributes(from: current, to: next, missing: missing, unexpected: unexpected)
        }
        let limit24: UInt32 = 0xff_ffff
        if let psn = receivePSN, psn > limit24 { throw .invalidArgument("receive PSN \(psn) exceeds 24 bits") }
        if let psn = sendPSN, psn > limit24 { throw .invalidArgument("send PSN \(psn) exceeds 24 bits") }
        if let qpn = destinationQPNumber, qpn > limit24 {
            throw .invalidArgument("destination QP number \(qpn) exceeds 24 bits")
        }
        if let timeout, timeout > 31 { throw .invalidArgument("ACK timeout exponent \(timeout) exceeds 31") }
        if let minRNRTimer, minRNRTimer > 31 { throw .invalidArgument("RNR timer code \(minRNRTimer) exceeds 31") }
        if let retryCount, retryCount > 7 { throw .invalidArgument("retry count \(retryCount) exceeds 7") }
        if let rnrRetry, rnrRetry > 7 { throw .invalidArgument("RNR retry count \(rnrRetry) exceeds 7") }
        if let pathMTU, pathMTU.byteCount == nil { throw .invalidArgument("path MTU \(pathMTU)") }
        if let accessFlags, !accessFlags.subtracting([.localWrite, .remoteRead, .remoteWrite, .remoteAtomic]).isEmpty {
            throw .invalidArgument("QP access flags \(accessFlags)")
        }
        return next
    }
}
