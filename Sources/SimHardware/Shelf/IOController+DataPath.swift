import Hardware
import SimCore

/// The data path of one request: DMA, the loop, completion (see ``IOController``).
extension IOController {
    /// The command's firmware time is over: fetch the data-out, or go to the loop.
    func commandReady(_ index: Int) {
        guard let slot = slots[index] else { return }
        if case .toDevice(let data) = slot.request.dataTransfer, !data.isEmpty {
            startDMA(index, .memoryRead, bytes: data.count, phase: .dataOut)
        } else {
            sendOnLoop(index)
        }
    }

    /// Issues the DMA of `bytes` for slot `index`, one transaction per configured chunk.
    func startDMA(_ index: Int, _ kind: PCITransaction.Kind, bytes: Int, phase: IOController.Phase) {
        guard let slot = slots[index] else { return }
        let exchange = slot.exchange
        let chunk = configuration.dmaTransactionBytes
        slot.phase = phase
        slot.dmaPending = (bytes + chunk - 1) / chunk
        slot.dmaFailure = nil
        slot.dmaStarted = simulator.now
        var offset = 0
        while offset < bytes {
            let length = min(chunk, bytes - offset)
            bus.request(PCITransaction(kind, bytes: length, address: UInt64(offset)), from: dmaMaster, tag: exchange)
            offset += length
        }
    }

    func sendOnLoop(_ index: Int) {
        guard let slot = slots[index] else { return }
        slot.phase = .onLoop
        let device = slot.device
        let port = ports[device.controllerPort]
        let command = DriveCommand(initiator: port.initiator, exchange: slot.exchange, request: slot.request)
        if !port.loop.send(command, from: port.loopPort, to: device.devicePort) {
            fail(index, .noConnect)
        }
    }

    /// The response's data is in memory (or there was none): the completion firmware runs.
    func responseReady(_ index: Int) {
        guard let slot = slots[index] else { return }
        slot.phase = .completing
        runFirmware(configuration.completionOverhead, then: Self.completionDone, exchange: slot.exchange)
    }

    /// Completes slot `index` with the device's response.
    func complete(_ index: Int) {
        guard let slot = slots[index], let response = slot.response else { return }
        var dataIn: [UInt8] = []
        if case .fromDevice(let count) = slot.request.dataTransfer {
            dataIn = response.dataIn.count > count ? Array(response.dataIn.prefix(count)) : response.dataIn
            statistics.bytesRead += dataIn.count
        } else if case .toDevice(let data) = slot.request.dataTransfer {
            statistics.bytesWritten += data.count - response.residual
        }
        let sense = Array(response.sense.prefix(SCSIRequest.maxSenseLength))
        finish(index, SCSICompletion(
            tag: slot.request.tag, status: response.status, driverStatus: sense.isEmpty ? .ok : .sense, sense: sense,
            residual: response.residual, dataIn: dataIn, duration: simulator.now - slot.submitted), now: true)
    }

    /// Fails every command through controller port `port` (to `devicePort`, or to any device
    /// when nil) whose response has not arrived, with `DID_NO_CONNECT`, in slot order.
    func failOutstanding(port: Int, devicePort: LoopPortID?) {
        for index in slots.indices {
            guard let slot = slots[index], slot.device.controllerPort == port, slot.response == nil else { continue }
            if let devicePort, slot.device.devicePort != devicePort { continue }
            fail(index, .noConnect)
        }
    }

    func portIndex(of loop: FibreChannelLoop) -> Int {
        guard let index = ports.firstIndex(where: { $0.loop === loop }) else {
            preconditionFailure("\(name) has no port on \(loop.name)")
        }
        return index
    }
}

extension IOController: PCIMaster {
    public func pciTransactionEnded(tag: UInt64, status: PCITransactionStatus) {
        // A DMA of a command that has completed meanwhile (timed out, loop down) is ignored.
        guard let index = slotIndex(of: tag), let slot = slots[index] else { return }
        precondition(slot.dmaPending > 0, "a DMA end without a DMA pending")
        slot.dmaPending -= 1
        if status != .completed && slot.dmaFailure == nil { slot.dmaFailure = status }
        guard slot.dmaPending == 0 else { return }
        statistics.pciTime += simulator.now - slot.dmaStarted
        if let failure = slot.dmaFailure {
            // Linux equivalents: a parity error is DID_PARITY; an abort is DID_ERROR.
            fail(index, failure == .parityError ? .parity : .error)
            return
        }
        switch slot.phase {
        case .dataOut:
            statistics.dmaBytes += slot.request.dataTransfer.byteCount
            sendOnLoop(index)
        case .dataIn:
            statistics.dmaBytes += slot.response?.dataIn.count ?? 0
            responseReady(index)
        default:
            preconditionFailure("a DMA end outside a DMA phase")
        }
    }
}

extension IOController: FibreChannelLoopInitiator {
    public func loop(_ loop: FibreChannelLoop, delivered response: DriveResponse, at port: LoopPortID) {
        guard let index = slotIndex(of: response.exchange), let slot = slots[index], slot.phase == .onLoop else {
            statistics.lateAnswersDiscarded += 1
            simulator.recordDecision(response.exchange ^ 0x1A7E)
            return
        }
        slot.response = response
        var bytes = 0
        if case .fromDevice(let count) = slot.request.dataTransfer { bytes = min(count, response.dataIn.count) }
        if bytes > 0 {
            startDMA(index, .memoryWrite, bytes: bytes, phase: .dataIn)
        } else {
            responseReady(index)
        }
    }

    public func loop(_ loop: FibreChannelLoop, couldNotOpen device: LoopPortID, for command: DriveCommand) {
        guard let index = slotIndex(of: command.exchange) else { return }
        fail(index, .noConnect)
    }

    public func loop(_ loop: FibreChannelLoop, stateChanged isUp: Bool) {
        if !isUp { failOutstanding(port: portIndex(of: loop), devicePort: nil) }
    }

    public func loop(_ loop: FibreChannelLoop, device: LoopPortID, presenceChanged isPresent: Bool) {
        if !isPresent { failOutstanding(port: portIndex(of: loop), devicePort: device) }
    }
}
