import Hardware

/// The transaction store table and the I/O converter.
extension RemoteTransportAgent {
    func received(_ request: RTARequest) {
        let transaction = request.transaction
        if transactions[transaction] != nil {
            statistics.duplicateRequests += 1
            return
        }
        if let final = finished[transaction] {
            statistics.duplicateRequests += 1
            send(final)
            return
        }
        statistics.requests += 1
        let length: Int
        switch validate(request) {
        case .refuse(let reason):
            statistics.rejected += 1
            transactions[transaction] = RTATransaction(request: request, arrival: runtime.now, length: 0, phase: .flushing)
            finish(transaction, .rejected(reason))
            return
        case .accept(let bytes):
            length = bytes
        }
        if request.operation == .flush {
            transactions[transaction] = RTATransaction(request: request, arrival: runtime.now, length: 0, phase: .flushing)
            execute(transaction)
            return
        }
        transactions[transaction] = RTATransaction(request: request, arrival: runtime.now, length: length,
                                                   phase: .waitingForBuffers)
        if bufferQueueHead == bufferQueue.count, grantBuffers(transaction) {
            return
        }
        statistics.bufferWaits += 1
        bufferQueue.append(transaction)
    }

    /// A request's length in bytes, or why it is refused.
    enum Validation {
        case accept(bytes: Int)
        case refuse(RejectReason)
    }

    /// The request's length in bytes, or why it is refused.
    private func validate(_ request: RTARequest) -> Validation {
        guard pool != nil else { return .refuse(.unavailable) }
        guard let granted = grants[request.connection] else { return .refuse(.unknownConnection) }
        guard granted.contains(request.device) else { return .refuse(.lunNotGranted) }
        guard Int(request.device) < drivers.count, let identity = identities[Int(request.device)] else {
            return .refuse(.unavailable)
        }
        if request.operation == .flush { return .accept(bytes: 0) }
        guard request.blocks > 0 else { return .refuse(.invalidRange) }
        let (end, overflow) = request.lba.addingReportingOverflow(UInt64(request.blocks))
        guard !overflow, end <= identity.blockCount else { return .refuse(.invalidRange) }
        let bytes = UInt64(request.blocks) * UInt64(identity.blockLength)
        guard bytes > 0, bytes <= UInt64(configuration.maxTransferBytes), let pool,
            pool.segmentsNeeded(for: Int(bytes)) <= maxSegmentsPerRequest
        else { return .refuse(.invalidRange) }
        return .accept(bytes: Int(bytes))
    }

    /// Issues the device operation of a request (a read, a write with its data, or a flush).
    func execute(_ transaction: UInt64) {
        guard var entry = transactions[transaction] else { preconditionFailure("executing an unknown transaction") }
        let request = entry.request
        let tag = makeTag()
        deviceOperations[tag] = .request(transaction: transaction, device: Int(request.device))
        deviceBusy[Int(request.device)] += 1
        entry.deviceTag = tag
        statistics.executed += 1
        let driver = drivers[Int(request.device)]
        switch request.operation {
        case .read:
            entry.phase = .readingDevice
            transactions[transaction] = entry
            driver.read(lba: request.lba, blocks: request.blocks, tag: tag)
        case .write:
            entry.phase = .writingDevice
            let data = entry.data
            entry.data = []
            transactions[transaction] = entry
            // Assumption: no FUA; durability is the flush operation's job (BlockOperation.flush).
            driver.write(lba: request.lba, data: data, forceUnitAccess: false, tag: tag)
        case .flush:
            entry.phase = .flushing
            transactions[transaction] = entry
            driver.flush(tag: tag)
        }
    }

    func dataPlaced(_ transaction: UInt64) {
        guard let entry = transactions[transaction], entry.phase == .awaitingData else {
            statistics.unexpectedMessages += 1
            return
        }
        startDMA(transaction)
    }

    func transferDone(_ transaction: UInt64) {
        guard let entry = transactions[transaction], entry.phase == .awaitingTransferDone else {
            statistics.unexpectedMessages += 1
            return
        }
        finish(transaction, .good, ending: .quiet)
    }

    /// How a request ends: its final message sent (`notify`), not sent because the host already
    /// has the answer (`quiet`: a read's `dataReady`), or abandoned (`abort`).
    enum Ending {
        case notify, quiet, abort
    }

    /// Ends a request: releases its buffers, records its final message in the transaction
    /// store and sends it. With DMA still outstanding it drains first.
    func finish(_ transaction: UInt64, _ status: IOStatus, ending: Ending = .notify) {
        guard var entry = transactions[transaction] else { preconditionFailure("finishing an unknown transaction") }
        if entry.dmaOutstanding > 0 {
            entry.phase = .draining(status: status, notify: ending != .abort)
            entry.chunksToIssue = []
            transactions[transaction] = entry
            return
        }
        transactions[transaction] = nil
        releaseBuffers(of: entry)
        let final = AgentMessage.ioComplete(transaction: transaction, status, times(of: entry))
        finished.record(transaction, final: final)
        switch ending {
        case .notify:
            statistics.completed += 1
            send(final)
        case .quiet:
            statistics.completed += 1
        case .abort:
            statistics.aborted += 1
        }
        serveBufferQueue()
        serveHeldReleases()
    }

    /// Abandons the matching transactions, in transaction-number order.
    func abortTransactions(where matches: (RTATransaction) -> Bool) {
        let doomed = transactions.filter { matches($0.value) }.keys.sorted()
        // Buffers freed by one abort must not go to a request about to be aborted too.
        servingBuffersSuspended = true
        for transaction in doomed {
            finish(transaction, .rejected(.unavailable), ending: .abort)
        }
        servingBuffersSuspended = false
        serveBufferQueue()
    }

    /// RTA residence less the device's time, measured now.
    func times(of entry: RTATransaction) -> RTATimes {
        let residence = runtime.now - entry.arrival
        let disk = min(entry.diskTime, residence)
        return RTATimes(rta: residence - disk, disk: disk)
    }

    // MARK: - Discovery

    func discover(_ generation: UInt32) {
        discovery = (generation, drivers.count, Array(repeating: nil, count: drivers.count))
        if drivers.isEmpty {
            discovery = nil
            send(.resources(generation: generation, devices: []))
            return
        }
        for (index, driver) in drivers.enumerated() {
            let tag = makeTag()
            deviceOperations[tag] = .identify(generation: generation, index: index)
            deviceBusy[index] += 1
            driver.identify(tag: tag)
        }
    }

    private func identified(index: Int, generation: UInt32, result: DeviceResult) {
        let identity = result.status.isGood ? result.identity : nil
        identities[index] = identity
        guard var current = discovery, current.generation == generation else { return }
        current.found[index] = identity
        current.remaining -= 1
        discovery = current
        guard current.remaining == 0 else { return }
        discovery = nil
        var profiles = current.found.enumerated().compactMap { index, identity in
            identity.map { DeviceProfile(device: UInt16(index), identity: $0, partner: index >= primaryDeviceCount) }
        }
        // A bus with small messages gets the devices that fit (first ones first).
        while !profiles.isEmpty,
            AgentMessage.resources(generation: generation, devices: profiles).encoded().count > maxMessagePayload
        {
            profiles.removeLast()
            statistics.devicesNotReported += 1
        }
        send(.resources(generation: generation, devices: profiles))
    }

    // MARK: - Device completions

    func deviceCompleted(tag: UInt64, result: DeviceResult) {
        guard let operation = deviceOperations.removeValue(forKey: tag) else { return }
        deviceBusy[operation.device] -= 1
        assert(deviceBusy[operation.device] >= 0, "more device completions than operations")
        defer { serveHeldReleases() }
        switch operation {
        case .identify(let generation, let index):
            identified(index: index, generation: generation, result: result)
        case .reservation(let transaction, _):
            reservationCompleted(transaction, result: result)
        case .request(let transaction, _):
            // An aborted request's late completion finds nothing (or another life of the number).
            guard var entry = transactions[transaction], entry.deviceTag == tag else { return }
            entry.diskTime = result.duration
            switch entry.phase {
            case .readingDevice:
                guard result.status.isGood else {
                    transactions[transaction] = entry
                    finish(transaction, result.status)
                    return
                }
                guard result.data.count == entry.length else {
                    transactions[transaction] = entry
                    finish(transaction, .deviceUnavailable)
                    return
                }
                entry.data = result.data
                transactions[transaction] = entry
                startDMA(transaction)
            case .writingDevice, .flushing:
                transactions[transaction] = entry
                finish(transaction, result.status)
            default:
                assertionFailure("device completion in phase \(entry.phase)")
            }
        }
    }
}

extension RemoteTransportAgent: DeviceDriverDelegate {
    public func deviceCompleted(_ driver: any DeviceDriver, tag: UInt64, result: DeviceResult) {
        deviceCompleted(tag: tag, result: result)
    }
}
