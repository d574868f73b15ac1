import Hardware
import Testing

@Suite("Queue pair states and attributes")
struct QueuePairTests {
    @Test("the ibv_modify_qp state table")
    func transitions() {
        let allowed: [QueuePairState: Set<QueuePairState>] = [
            .reset: [.reset, .initialized],
            .initialized: [.reset, .error, .initialized, .readyToReceive],
            .readyToReceive: [.reset, .error, .readyToSend],
            .readyToSend: [.reset, .error, .readyToSend, .sendQueueDrain],
            .sendQueueDrain: [.reset, .error, .readyToSend, .sendQueueDrain],
            .sendQueueError: [.reset, .error, .readyToSend],
            .error: [.reset, .error],
        ]
        for from in QueuePairState.allCases {
            for to in QueuePairState.allCases {
                #expect(from.canTransition(to: to) == allowed[from]!.contains(to), "\(from) → \(to)")
            }
        }
        #expect(QueuePairState.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5, 6])
        #expect(QueuePairState.readyToSend.description == "RTS")
    }

    @Test("an RC queue pair comes up RESET → INIT → RTR → RTS with the builders")
    func reliableBringUp() throws {
        let path = AddressHandleAttributes(destinationLID: 7, port: 1)
        var state = QueuePairState.reset
        for step in [
            QueuePairAttributes.initialize(port: 1, access: .remoteReadWrite),
            .readyToReceive(path: path, destinationQPNumber: 0x48, receivePSN: 0, pathMTU: .mtu2048),
            .readyToSend(sendPSN: 0),
        ] {
            state = try step.validate(for: .reliableConnected, currentState: state)
        }
        #expect(state == .readyToSend)
        // Attribute changes without a state change are allowed in RTS.
        #expect(
            try QueuePairAttributes(minRNRTimer: 14).validate(for: .reliableConnected, currentState: .readyToSend)
                == .readyToSend)
        #expect(try QueuePairAttributes.error.validate(for: .reliableConnected, currentState: .readyToSend) == .error)
        #expect(try QueuePairAttributes.reset.validate(for: .reliableConnected, currentState: .error) == .reset)
    }

    @Test("a UD queue pair needs a qkey and no remote address")
    func datagramBringUp() throws {
        var state = QueuePairState.reset
        for step in [
            QueuePairAttributes.initializeDatagram(port: 1, qkey: 0x1111_1111),
            .readyToReceiveDatagram,
            .readyToSendDatagram(),
        ] {
            state = try step.validate(for: .unreliableDatagram, currentState: state)
        }
        #expect(state == .readyToSend)
        #expect(
            throws: VerbsError.invalidQueuePairAttributes(
                from: .reset, to: .initialized, missing: [.qkey], unexpected: [.accessFlags])
        ) {
            try QueuePairAttributes.initialize(port: 1, access: .remoteReadWrite).validate(
                for: .unreliableDatagram, currentState: .reset)
        }
    }

    @Test("invalid transitions, missing and unexpected attributes, out-of-range fields throw")
    func refusals() {
        #expect(throws: VerbsError.invalidQueuePairTransition(from: .reset, to: .readyToSend)) {
            try QueuePairAttributes.readyToSend(sendPSN: 0).validate(for: .reliableConnected, currentState: .reset)
        }
        #expect(throws: VerbsError.invalidQueuePairTransition(from: .reset, to: .error)) {
            try QueuePairAttributes.error.validate(for: .reliableConnected, currentState: .reset)
        }
        #expect(throws: VerbsError.invalidQueuePairTransition(from: .readyToReceive, to: .readyToReceive)) {
            try QueuePairAttributes(timeout: 3).validate(for: .reliableConnected, currentState: .readyToReceive)
        }
        #expect(
            throws: VerbsError.invalidQueuePairAttributes(
                from: .readyToReceive, to: .readyToSend, missing: [.timeout, .retryCount, .rnrRetry, .maxReadAtomic],
                unexpected: [])
        ) {
            try QueuePairAttributes(state: .readyToSend, sendPSN: 1).validate(
                for: .reliableConnected, currentState: .readyToReceive)
        }
        #expect(
            throws: VerbsError.invalidQueuePairAttributes(
                from: .readyToSend, to: .error, missing: [], unexpected: [.port])
        ) {
            try QueuePairAttributes(state: .error, port: 1).validate(
                for: .reliableConnected, currentState: .readyToSend)
        }
        #expect(throws: VerbsError.invalidArgument("send PSN 16777216 exceeds 24 bits")) {
            try QueuePairAttributes.readyToSend(sendPSN: 0x100_0000).validate(
                for: .reliableConnected, currentState: .readyToReceive)
        }
        #expect(throws: VerbsError.invalidArgument("retry count 8 exceeds 7")) {
            try QueuePairAttributes.readyToSend(sendPSN: 0, retryCount: 8).validate(
                for: .reliableConnected, currentState: .readyToReceive)
        }
        let mask = QueuePairAttributes.initialize(port: 1, access: .remoteRead).mask
        #expect(mask == [.state, .accessFlags, .pkeyIndex, .port])
        #expect(mask.rawValue == 0x39)
        #expect(mask.description == "[STATE, ACCESS_FLAGS, PKEY_INDEX, PORT]")
    }

    @Test("send and receive requests are checked against the QP type and capabilities")
    func requestValidation() {
        let sge = ScatterGatherElement(address: 0x1000, length: 512, lkey: 1)
        let caps = QueuePairCapabilities(maxSendWorkRequests: 16, maxReceiveWorkRequests: 16, maxInlineData: 64)
        let remote = RemoteMemory(address: 0x2000, rkey: 2)
        #expect(
            SendWorkRequest.rdmaWrite(id: 1, [sge], to: remote).validationFailure(
                on: .reliableConnected, capabilities: caps) == nil)
        #expect(
            SendWorkRequest.rdmaRead(id: 1, into: [sge], from: remote).validationFailure(
                on: .reliableConnected, capabilities: caps) == nil)
        #expect(SendWorkRequest.send(id: 1, [sge], immediateData: 5).opcode == .sendWithImmediate)
        #expect(
            SendWorkRequest.rdmaRead(id: 1, into: [sge], from: remote).validationFailure(
                on: .unreliableDatagram, capabilities: caps)
                == .unsupportedOpcode(.rdmaRead))
        #expect(
            SendWorkRequest.send(id: 1, [sge, sge]).validationFailure(on: .reliableConnected, capabilities: caps)
                == .tooManyScatterGatherElements(2))
        #expect(
            SendWorkRequest.send(id: 1, [sge], flags: [.signaled, .inline]).validationFailure(
                on: .reliableConnected, capabilities: caps)
                == .inlineDataTooLarge(512))
        #expect(
            SendWorkRequest(id: 1, opcode: .rdmaWrite, scatterGatherList: [sge]).validationFailure(
                on: .reliableConnected, capabilities: caps)
                == .invalidRequest("RDMA_WRITE without remote address"))
        #expect(
            SendWorkRequest.send(id: 1, [sge]).validationFailure(on: .unreliableDatagram, capabilities: caps)
                == .invalidRequest("UD send without destination"))
        let handle = AddressHandle(rawValue: 1, attributes: AddressHandleAttributes(destinationLID: 4))
        let destination = DatagramDestination(addressHandle: handle, remoteQueuePairNumber: 9, remoteQKey: 0x1111_1111)
        #expect(
            SendWorkRequest.send(id: 1, [sge], to: destination).validationFailure(
                on: .unreliableDatagram, capabilities: caps) == nil)
        #expect(
            ReceiveWorkRequest(id: 2, scatterGatherList: [sge, sge]).validationFailure(capabilities: caps)
                == .tooManyScatterGatherElements(2))
        #expect(QueuePairState.readyToReceive.acceptsSends == false && QueuePairState.error.acceptsSends)
        #expect(QueuePairState.reset.acceptsReceives == false && QueuePairState.initialized.acceptsReceives)
    }
}
