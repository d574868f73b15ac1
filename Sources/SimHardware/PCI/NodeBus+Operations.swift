import Hardware
import SimCore

/// Issuing operations, their end on the PCI bus, and their completion in issue order.
extension NodeBus {
    /// The PCI tag of endpoint `index`'s operation number `sequence`.
    private static func pciTag(endpoint index: Int, sequence: UInt64) -> UInt64 {
        precondition(sequence < 1 << 48, "bus operation sequence overflow")
        return UInt64(index) << 48 | sequence
    }

    /// Throws unless endpoint `index` may issue another operation.
    func checkIssuer(_ index: Int) throws(BusChannelError) {
        if endpoints[index].failed { throw .channelClosed }
        if endpoints[index].outstanding >= configuration.maxOutstandingOperations { throw .queueFull }
    }

    func send(
        _ message: [UInt8], from source: Int, to destination: BusEndpoint, tag: UInt64, handler: any BusCompletionHandler
    ) throws(BusChannelError) {
        try checkIssuer(source)
        guard message.count <= configuration.maxMessageSize else { throw .messageTooLarge(message.count) }
        var operation = NodeBusOperation(
            operation: .send, tag: tag, handler: handler, bytes: message, count: message.count, target: .none)
        if let target = index(of: destination), !endpoints[target].failed {
            if endpoints[target].receiver == nil {
                operation.status = .targetAbort
            } else {
                operation.target = .endpoint(target)
            }
        } else {
            operation.status = .masterAbort
        }
        // An empty message still writes one data phase (its doorbell).
        let transaction = PCITransaction(
            .memoryWrite, bytes: max(message.count, 1), address: configuration.messagePort(of: destination))
        enqueue(operation, from: source, transaction: transaction)
    }

    func dma(
        _ kind: BusOperation, from source: Int, address: BusAddress, count: Int, bytes: [UInt8], tag: UInt64,
        handler: any BusCompletionHandler
    ) throws(BusChannelError) {
        precondition(kind != .send)
        try checkIssuer(source)
        guard count > 0, count <= configuration.maxTransferSize else { throw .invalidTransferLength(count) }
        var operation = NodeBusOperation(operation: kind, tag: tag, handler: handler, bytes: bytes, count: count, target: .none)
        switch addressSpace.resolve(address) {
        case nil:
            operation.status = .masterAbort
        case let found?:
            let needed: BusWindowAccess = kind == .dmaWrite ? .write : .read
            if endpoints[found.owner].failed {
                operation.status = .masterAbort
            } else if !found.window.access.contains(needed) || !found.window.contains(address, count: count) {
                operation.status = .targetAbort
            } else {
                let offset = found.offset + Int(address.rawValue - found.window.address.rawValue)
                operation.target = .memory(owner: found.owner, memory: found.memory, offset: offset)
            }
        }
        let transaction = PCITransaction(kind == .dmaWrite ? .memoryWrite : .memoryRead, bytes: count, address: address.rawValue)
        enqueue(operation, from: source, transaction: transaction)
    }

    /// Appends `operation` to the endpoint's FIFO; puts `transaction` on the bus unless the
    /// outcome is already known.
    private func enqueue(_ operation: NodeBusOperation, from index: Int, transaction: PCITransaction) {
        let sequence = endpoints[index].nextSequence
        let decided = operation.status != nil
        endpoints[index].operations.append(operation)
        if decided {
            postCompletionsIfReady(index)
        } else {
            pciBus.request(transaction, from: endpoints[index].master, tag: Self.pciTag(endpoint: index, sequence: sequence))
        }
    }

    /// Schedules a completion turn for endpoint `index` if its oldest operation can complete
    /// and none is scheduled or running.
    func postCompletionsIfReady(_ index: Int) {
        let endpoint = endpoints[index]
        guard !endpoint.completionPosted, !endpoint.completing, endpoint.headIsResolved else { return }
        endpoints[index].completionPosted = true
        post(.complete, for: index)
    }

    /// Completes endpoint `index`'s resolved operations from the oldest, stopping at the first
    /// one still on the bus. Operations issued by the handlers meanwhile wait for the next turn,
    /// so a handler that retries at once cannot spin inside one event.
    func completeReady(of index: Int) {
        endpoints[index].completionPosted = false
        endpoints[index].completing = true
        let end = endpoints[index].nextSequence
        while endpoints[index].headIsResolved,
            endpoints[index].firstSequence + UInt64(endpoints[index].head) < end
        {
            let head = endpoints[index].head
            let operation = endpoints[index].operations[head]
            let status = operation.status!
            let sequence = endpoints[index].firstSequence + UInt64(head)
            endpoints[index].head += 1
            endpoints[index].compactOperations()
            endpoints[index].statistics.record(operation.operation, status: status, bytes: operation.count)
            simulator.recordDecision(UInt64(index) << 56 ^ sequence << 8 ^ Self.code(of: status))
            let data = status == .ok && operation.operation == .dmaRead ? operation.bytes : []
            operation.handler.busOperationCompleted(
                BusCompletion(tag: operation.tag, operation: operation.operation, status: status, data: data))
        }
        endpoints[index].completing = false
        postCompletionsIfReady(index)
    }

    private static func code(of status: BusStatus) -> UInt64 {
        switch status {
        case .ok: 0
        case .masterAbort: 1
        case .targetAbort: 2
        case .parityError: 3
        }
    }

    /// Hands endpoint `index`'s oldest inbound message to its receiver, unless the endpoint
    /// failed or dropped its receiver since the message arrived (then the message is lost).
    func deliverNext(to index: Int) {
        precondition(endpoints[index].inboundHead < endpoints[index].inbound.count, "delivery with an empty inbound queue")
        let (message, source) = endpoints[index].inbound[endpoints[index].inboundHead]
        endpoints[index].inboundHead += 1
        endpoints[index].compactInbound()
        guard !endpoints[index].failed, let receiver = endpoints[index].receiver else {
            endpoints[index].statistics.messagesLost += 1
            simulator.recordDecision(UInt64(index) << 56 | 0xDEAD)
            return
        }
        endpoints[index].statistics.messagesReceived += 1
        receiver.busMessageReceived(message, from: source)
    }

    /// The effect of an operation whose transaction completed on the bus, and its status.
    private func applyEffect(of operation: inout NodeBusOperation, from source: Int) -> BusStatus {
        switch operation.target {
        case .none:
            preconditionFailure("a decided operation reached the bus")
        case .endpoint(let destination):
            // The target is checked again when the write arrives: it may have failed meanwhile.
            guard !endpoints[destination].failed else { return .masterAbort }
            guard endpoints[destination].receiver != nil else { return .targetAbort }
            endpoints[destination].inbound.append((operation.bytes, BusEndpoint(rawValue: UInt16(source + 1))))
            operation.bytes = []
            post(.deliver, for: destination)
            return .ok
        case .memory(let owner, let memory, let offset):
            guard !endpoints[owner].failed else { return .masterAbort }
            if operation.operation == .dmaWrite {
                memory.write(operation.bytes, at: offset)
                operation.bytes = []
            } else {
                operation.bytes = memory.read(offset: offset, count: operation.count)
            }
            return .ok
        }
    }
}

extension NodeBus: PCIMaster {
    /// An endpoint's transaction ended on the PCI bus (for the bus only).
    public func pciTransactionEnded(tag: UInt64, status: PCITransactionStatus) {
        let index = Int(tag >> 48)
        let sequence = tag & ((1 << 48) - 1)
        // An operation of an endpoint reset since (its node rebooted) is forgotten, effect and all.
        guard sequence >= endpoints[index].firstSequence else { return }
        let slot = endpoints[index].slot(of: sequence)
        var operation = endpoints[index].operations[slot]
        precondition(operation.status == nil, "\(name): a bus operation ended twice")
        // Avoid a second reference to the bytes while the effect may copy them.
        endpoints[index].operations[slot].bytes = []
        let outcome: BusStatus
        switch status {
        case .completed: outcome = applyEffect(of: &operation, from: index)
        case .masterAbort: outcome = .masterAbort
        case .targetAbort: outcome = .targetAbort
        case .parityError: outcome = .parityError  // the target discards the data
        }
        if outcome != .ok { operation.bytes = [] }
        operation.status = outcome
        endpoints[index].operations[slot] = operation
        postCompletionsIfReady(index)
    }
}
