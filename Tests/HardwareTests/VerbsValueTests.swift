import Hardware
import Testing

@Suite("Verbs values")
struct VerbsValueTests {
    @Test("ibv_wc_status: every value, its number and its ibv_wc_status_str text")
    func workCompletionStatus() {
        let expected: [(WorkCompletionStatus, Int32, String)] = [
            (.success, 0, "success"),
            (.localLengthError, 1, "local length error"),
            (.localQueuePairOperationError, 2, "local QP operation error"),
            (.localEEContextOperationError, 3, "local EE context operation error"),
            (.localProtectionError, 4, "local protection error"),
            (.workRequestFlushed, 5, "Work Request Flushed Error"),
            (.memoryWindowBindError, 6, "memory management operation error"),
            (.badResponseError, 7, "bad response error"),
            (.localAccessError, 8, "local access error"),
            (.remoteInvalidRequestError, 9, "remote invalid request error"),
            (.remoteAccessError, 10, "remote access error"),
            (.remoteOperationError, 11, "remote operation error"),
            (.retryExceeded, 12, "transport retry counter exceeded"),
            (.rnrRetryExceeded, 13, "RNR retry counter exceeded"),
            (.localRDDViolationError, 14, "local RDD violation error"),
            (.remoteInvalidRDRequestError, 15, "remote invalid RD request"),
            (.remoteAbortError, 16, "aborted error"),
            (.invalidEEContextNumberError, 17, "invalid EE context number"),
            (.invalidEEContextStateError, 18, "invalid EE context state"),
            (.fatalError, 19, "fatal error"),
            (.responseTimeoutError, 20, "response timeout error"),
            (.generalError, 21, "general error"),
        ]
        #expect(WorkCompletionStatus.allCases == expected.map(\.0))
        for (status, value, text) in expected {
            #expect(status.rawValue == value)
            #expect(status.description == text)
        }
        #expect(WorkCompletionStatus(rawValue: 22).description == "unknown")
        #expect(WorkCompletionStatus(rawValue: -1).description == "unknown")
    }

    @Test("completion and work request opcodes mirror ibv_wc_opcode and ibv_wr_opcode")
    func opcodes() {
        #expect(WorkCompletionOpcode.receive.rawValue == 128 && WorkCompletionOpcode.receive.isReceive)
        #expect(WorkCompletionOpcode.receiveRDMAWithImmediate.rawValue == 129)
        #expect(!WorkCompletionOpcode.rdmaRead.isReceive && WorkCompletionOpcode.rdmaRead.rawValue == 2)
        #expect(
            [SendOpcode.rdmaWrite, .rdmaWriteWithImmediate, .send, .sendWithImmediate, .rdmaRead].map(\.rawValue) == [
                0, 1, 2, 3, 4,
            ])
        #expect(SendOpcode.rdmaWriteWithImmediate.completionOpcode == .rdmaWrite)
        #expect(MemoryAccess([.localWrite, .remoteWrite, .remoteRead, .remoteAtomic]).rawValue == 0xF)
        #expect(SendFlags([.fence, .signaled, .solicited, .inline]).rawValue == 0xF)
    }

    @Test("MTU encodings and byte sizes")
    func mtu() {
        let sizes = [MTU.mtu256, .mtu512, .mtu1024, .mtu2048, .mtu4096].map(\.byteCount)
        #expect(sizes == [256, 512, 1024, 2048, 4096])
        #expect(MTU.mtu2048.rawValue == 4)
        #expect(MTU(byteCount: 1024) == .mtu1024)
        #expect(MTU(byteCount: 1000) == nil)
        #expect(MTU(rawValue: 0).byteCount == nil && MTU(rawValue: 6).byteCount == nil)
        #expect(MTU.mtu4096.description == "4096")
    }

    @Test("link width × speed gives the data rate after line coding")
    func dataRates() {
        #expect(PortAttributes.dataRate(width: .x4, speed: .sdr) == 8_000_000_000)
        #expect(PortAttributes.dataRate(width: .x1, speed: .sdr) == 2_000_000_000)
        #expect(PortAttributes.dataRate(width: .x12, speed: .ddr) == 48_000_000_000)
        #expect(PortAttributes.dataRate(width: .x4, speed: .qdr) == 32_000_000_000)
        #expect(PortAttributes.dataRate(width: .x4, speed: .edr) == 100_000_000_000)
        #expect(PortAttributes.dataRate(width: LinkWidth(rawValue: 3), speed: .sdr) == nil)
        #expect(LinkWidth.x12.description == "12X" && LinkSpeed.fdr10.description == "FDR10")
        let port = PortAttributes(
            state: .active, maxMTU: .mtu4096, activeMTU: .mtu2048, lid: 3, activeWidth: .x4, activeSpeed: .ddr)
        #expect(port.dataRate == 16_000_000_000)
        #expect(port.state.carriesData && PortState.armed.description == "armed")
        #expect(LinkLayer.ethernet.rawValue == 2 && LinkLayer.infiniBand.description == "InfiniBand")
    }

    @Test("GIDs and GUIDs print as ibv_devinfo does and round-trip their bytes")
    func identifiers() {
        let guid = GUID(rawValue: 0x0002_C903_0000_1234)
        #expect(guid.description == "0002:c903:0000:1234")
        #expect(GUID(bytes: guid.bytes) == guid)
        let gid = GID(linkLocal: guid)
        #expect(gid.description == "fe80:0000:0000:0000:0002:c903:0000:1234")
        #expect(gid.bytes == [0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0x00, 0x02, 0xC9, 0x03, 0x00, 0x00, 0x12, 0x34])
        #expect(GID(bytes: gid.bytes) == gid)
        #expect(GID(bytes: [1, 2, 3]) == nil)
        #expect(gid.interfaceGUID == guid)
        #expect(GID.zero < gid)
    }

    @Test("memory access combinations ibv_reg_mr accepts")
    func access() {
        #expect(MemoryAccess.remoteReadWrite.isValidForRegistration)
        #expect(MemoryAccess.remoteRead.isValidForRegistration)
        #expect(MemoryAccess().isValidForRegistration)
        #expect(!MemoryAccess.remoteWrite.isValidForRegistration)
        #expect(!MemoryAccess.remoteAtomic.isValidForRegistration)
        #expect(MemoryAccess([.localWrite, .remoteRead]).description == "[localWrite, remoteRead]")
    }

    @Test("local ACK timeout and RNR timer encodings")
    func timers() {
        #expect(QueuePairAttributes.localAckTimeout(exponent: 0) == nil)
        #expect(QueuePairAttributes.localAckTimeout(exponent: 1) == .nanoseconds(8_192))
        #expect(QueuePairAttributes.localAckTimeout(exponent: 14) == .nanoseconds(67_108_864))
        #expect(QueuePairAttributes.localAckTimeout(exponent: 31) == .nanoseconds(4_096 << 31))
        #expect(QueuePairAttributes.localAckTimeout(exponent: 32) == nil)
        #expect(QueuePairAttributes.minRNRTimerDelay(code: 0) == .microseconds(655_360))
        #expect(QueuePairAttributes.minRNRTimerDelay(code: 1) == .microseconds(10))
        #expect(QueuePairAttributes.minRNRTimerDelay(code: 12) == .microseconds(640))
        #expect(QueuePairAttributes.minRNRTimerDelay(code: 31) == .microseconds(491_520))
        #expect(QueuePairAttributes.minRNRTimerDelay(code: 32) == nil)
    }

    @Test("the verbs error texts name what failed")
    func errors() {
        #expect(VerbsError.deviceNotFound(name: "mlx5_9").description == "no RDMA device named 'mlx5_9'")
        #expect(
            VerbsError.invalidQueuePairTransition(from: .reset, to: .readyToSend).description
                == "invalid QP state transition RESET → RTS")
        #expect(VerbsPostError(.queueFull, failedIndex: 3).description == "work request 3 not posted: work queue full")
        #expect(VerbsAsyncEventType.portError.description == "port error")
        #expect(VerbsAsyncEvent(type: .portActive, element: .port(1)).description == "port active on port 1")
        #expect(VerbsNodeType.channelAdapter.description == "InfiniBand channel adapter")
    }
}
