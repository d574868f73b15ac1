import CIOFabric
import Hardware
import Testing

@testable import RealHardware

/// The tables between libibverbs' C values and the Hardware interface's types: checked on any
/// machine, every value, against the numbers of rdma-core 44's <infiniband/verbs.h> (which the
/// C target `_Static_assert`s when it builds with the header).
@Suite("Real verbs mappings")
struct RealVerbsMappingTests {
    /// `enum ibv_wc_status` in verbs.h order, with the constant each must map to.
    static let statuses: [(name: String, value: Int32, expected: WorkCompletionStatus)] = [
        ("IBV_WC_SUCCESS", 0, .success), ("IBV_WC_LOC_LEN_ERR", 1, .localLengthError),
        ("IBV_WC_LOC_QP_OP_ERR", 2, .localQueuePairOperationError),
        ("IBV_WC_LOC_EEC_OP_ERR", 3, .localEEContextOperationError),
        ("IBV_WC_LOC_PROT_ERR", 4, .localProtectionError), ("IBV_WC_WR_FLUSH_ERR", 5, .workRequestFlushed),
        ("IBV_WC_MW_BIND_ERR", 6, .memoryWindowBindError), ("IBV_WC_BAD_RESP_ERR", 7, .badResponseError),
        ("IBV_WC_LOC_ACCESS_ERR", 8, .localAccessError), ("IBV_WC_REM_INV_REQ_ERR", 9, .remoteInvalidRequestError),
        ("IBV_WC_REM_ACCESS_ERR", 10, .remoteAccessError), ("IBV_WC_REM_OP_ERR", 11, .remoteOperationError),
        ("IBV_WC_RETRY_EXC_ERR", 12, .retryExceeded), ("IBV_WC_RNR_RETRY_EXC_ERR", 13, .rnrRetryExceeded),
        ("IBV_WC_LOC_RDD_VIOL_ERR", 14, .localRDDViolationError),
        ("IBV_WC_REM_INV_RD_REQ_ERR", 15, .remoteInvalidRDRequestError),
        ("IBV_WC_REM_ABORT_ERR", 16, .remoteAbortError), ("IBV_WC_INV_EECN_ERR", 17, .invalidEEContextNumberError),
        ("IBV_WC_INV_EEC_STATE_ERR", 18, .invalidEEContextStateError), ("IBV_WC_FATAL_ERR", 19, .fatalError),
        ("IBV_WC_RESP_TIMEOUT_ERR", 20, .responseTimeoutError), ("IBV_WC_GENERAL_ERR", 21, .generalError),
    ]

    @Test("every ibv_wc_status maps to its WorkCompletionStatus, and the mapping is one-to-one")
    func everyStatus() {
        for (name, value, expected) in Self.statuses {
            #expect(RealWorkCompletionMapping.status(ibv: value) == expected, "\(name)")
        }
        #expect(Set(Self.statuses.map { RealWorkCompletionMapping.status(ibv: $0.value) }).count == Self.statuses.count)
        #expect(Set(Self.statuses.map(\.expected)) == Set(WorkCompletionStatus.allCases))
        // A status a newer library adds keeps its number rather than passing for another.
        #expect(RealWorkCompletionMapping.status(ibv: 22).rawValue == 22)
        #expect(!RealWorkCompletionMapping.status(ibv: 22).isSuccess)
    }

    @Test("every ibv_wc_opcode maps to its WorkCompletionOpcode; the others keep their number")
    func everyOpcode() {
        let opcodes: [(String, UInt32, WorkCompletionOpcode)] = [
            ("IBV_WC_SEND", 0, .send), ("IBV_WC_RDMA_WRITE", 1, .rdmaWrite), ("IBV_WC_RDMA_READ", 2, .rdmaRead),
            ("IBV_WC_COMP_SWAP", 3, .compareAndSwap), ("IBV_WC_FETCH_ADD", 4, .fetchAndAdd),
            ("IBV_WC_BIND_MW", 5, .bindMemoryWindow), ("IBV_WC_LOCAL_INV", 6, .localInvalidate),
            ("IBV_WC_RECV", 128, .receive), ("IBV_WC_RECV_RDMA_WITH_IMM", 129, .receiveRDMAWithImmediate),
        ]
        for (name, value, expected) in opcodes {
            #expect(RealWorkCompletionMapping.opcode(ibv: value) == expected, "\(name)")
            #expect(expected.isReceive == (value >= 128), "\(name)")
        }
        // IBV_WC_TSO (7) and IBV_WC_TM_ADD (130) have no constant of ours.
        #expect(RealWorkCompletionMapping.opcode(ibv: 7).rawValue == 7)
        #expect(RealWorkCompletionMapping.opcode(ibv: 130).rawValue == 130)
    }

    @Test("a polled entry becomes a WorkCompletion: immediate data only with IBV_WC_WITH_IMM, GRH flag, error fields cleared")
    func completionFields() {
        var wc = CIOFabric_verbs_work_completion()
        wc.wr_id = 0x1234_5678_9abc
        wc.status = 0
        wc.opcode = 129
        wc.byte_len = 65536
        wc.imm_data = 0xdead_beef
        wc.wc_flags = 2  // IBV_WC_WITH_IMM
        wc.qp_num = 0x11
        wc.src_qp = 0x22
        wc.slid = 7
        let completion = RealWorkCompletionMapping.completion(wc)
        #expect(completion.workRequestID == 0x1234_5678_9abc)
        #expect(completion.opcode == .receiveRDMAWithImmediate)
        #expect(completion.byteCount == 65536)
        #expect(completion.immediateData == 0xdead_beef)
        #expect(completion.queuePairNumber == 0x11 && completion.sourceQueuePairNumber == 0x22 && completion.sourceLID == 7)
        #expect(!completion.hasGlobalRouteHeader)

        wc.wc_flags = 1  // IBV_WC_GRH, no immediate
        let datagram = RealWorkCompletionMapping.completion(wc)
        #expect(datagram.immediateData == nil)
        #expect(datagram.hasGlobalRouteHeader)

        wc.status = 10  // IBV_WC_REM_ACCESS_ERR
        wc.vendor_err = 0x99
        let failed = RealWorkCompletionMapping.completion(wc)
        #expect(failed.status == .remoteAccessError)
        #expect(failed.vendorError == 0x99 && failed.queuePairNumber == 0x11)
        #expect(failed.byteCount == 0 && failed.immediateData == nil && failed.sourceQueuePairNumber == 0)
    }

    @Test("each QueuePairAttributeMask member maps to its IBV_QP_* bit, and its field lands in ibv_qp_attr")
    func attributeMask() {
        let expected: [(QueuePairAttributes, UInt32, String)] = [
            (QueuePairAttributes(state: .readyToSend), 1 << 0, "IBV_QP_STATE"),
            (QueuePairAttributes(accessFlags: [.localWrite, .remoteRead]), 1 << 3, "IBV_QP_ACCESS_FLAGS"),
            (QueuePairAttributes(pkeyIndex: 3), 1 << 4, "IBV_QP_PKEY_INDEX"),
            (QueuePairAttributes(port: 2), 1 << 5, "IBV_QP_PORT"),
            (QueuePairAttributes(qkey: 0x1ee7), 1 << 6, "IBV_QP_QKEY"),
            (QueuePairAttributes(addressVector: AddressHandleAttributes(destinationLID: 9)), 1 << 7, "IBV_QP_AV"),
            (QueuePairAttributes(pathMTU: .mtu1024), 1 << 8, "IBV_QP_PATH_MTU"),
            (QueuePairAttributes(timeout: 14), 1 << 9, "IBV_QP_TIMEOUT"),
            (QueuePairAttributes(retryCount: 7), 1 << 10, "IBV_QP_RETRY_CNT"),
            (QueuePairAttributes(rnrRetry: 6), 1 << 11, "IBV_QP_RNR_RETRY"),
            (QueuePairAttributes(receivePSN: 0xabcdef), 1 << 12, "IBV_QP_RQ_PSN"),
            (QueuePairAttributes(maxReadAtomic: 4), 1 << 13, "IBV_QP_MAX_QP_RD_ATOMIC"),
            (QueuePairAttributes(minRNRTimer: 12), 1 << 15, "IBV_QP_MIN_RNR_TIMER"),
            (QueuePairAttributes(sendPSN: 0x123456), 1 << 16, "IBV_QP_SQ_PSN"),
            (QueuePairAttributes(maxDestinationReadAtomic: 8), 1 << 17, "IBV_QP_MAX_DEST_RD_ATOMIC"),
            (QueuePairAttributes(destinationQPNumber: 0x42), 1 << 20, "IBV_QP_DEST_QPN"),
        ]
        #expect(expected.count == RealQueuePairAttributeMapping.maskBits.count)
        for (attributes, bit, name) in expected {
            let (raw, mask) = RealQueuePairAttributeMapping.ibvAttributes(attributes)
            #expect(mask == bit, "\(name)")
            #expect(RealQueuePairAttributeMapping.ibvMask(attributes.mask) == bit, "\(name)")
            // The value set is the one carried, in its ibv_qp_attr field.
            if let value = attributes.state { #expect(raw.qp_state == value.rawValue) }
            if let value = attributes.accessFlags { #expect(raw.qp_access_flags == value.rawValue) }
            if let value = attributes.pkeyIndex { #expect(raw.pkey_index == value) }
            if let value = attributes.port { #expect(raw.port_num == value) }
            if let value = attributes.qkey { #expect(raw.qkey == value) }
            if let value = attributes.addressVector { #expect(raw.ah_attr.dlid == value.destinationLID) }
            if let value = attributes.pathMTU { #expect(raw.path_mtu == value.rawValue) }
            if let value = attributes.timeout { #expect(raw.timeout == value) }
            if let value = attributes.retryCount { #expect(raw.retry_cnt == value) }
            if let value = attributes.rnrRetry { #expect(raw.rnr_retry == value) }
            if let value = attributes.receivePSN { #expect(raw.rq_psn == value) }
            if let value = attributes.maxReadAtomic { #expect(raw.max_rd_atomic == value) }
            if let value = attributes.minRNRTimer { #expect(raw.min_rnr_timer == value) }
            if let value = attributes.sendPSN { #expect(raw.sq_psn == value) }
            if let value = attributes.maxDestinationReadAtomic { #expect(raw.max_dest_rd_atomic == value) }
            if let value = attributes.destinationQPNumber { #expect(raw.dest_qp_num == value) }
        }
    }

    @Test("the RC bring-up's masks: INIT, RTR (with a RoCE GRH), RTS")
    func bringUpMasks() {
        let gid = GID(subnetPrefix: 0xfe80_0000_0000_0000, interfaceID: 0x0011_22ff_fe33_4455)
        let path = AddressHandleAttributes(
            destinationLID: 0, port: 1, globalRoute: GlobalRoute(destinationGID: gid, sourceGIDIndex: 3, hopLimit: 64))
        let (_, initMask) = RealQueuePairAttributeMapping.ibvAttributes(.initialize(port: 1, access: .remoteReadWrite))
        #expect(initMask == (1 << 0) | (1 << 3) | (1 << 4) | (1 << 5))
        let (rtr, rtrMask) = RealQueuePairAttributeMapping.ibvAttributes(
            .readyToReceive(path: path, destinationQPNumber: 0x17, receivePSN: 5, pathMTU: .mtu1024))
        #expect(rtrMask == (1 << 0) | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 15) | (1 << 17) | (1 << 20))
        #expect(rtr.ah_attr.is_global == 1 && rtr.ah_attr.sgid_index == 3 && rtr.ah_attr.hop_limit == 64)
        let dgid = withUnsafeBytes(of: rtr.ah_attr.dgid) { Array($0) }
        #expect(dgid == gid.bytes)
        let (_, rtsMask) = RealQueuePairAttributeMapping.ibvAttributes(.readyToSend(sendPSN: 0))
        #expect(rtsMask == (1 << 0) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 13) | (1 << 16))
        // No global route: is_global stays 0 (InfiniBand, LID-routed).
        let local = RealQueuePairAttributeMapping.address(AddressHandleAttributes(destinationLID: 5, serviceLevel: 2))
        #expect(local.is_global == 0 && local.dlid == 5 && local.sl == 2)
    }

    @Test("async events name their element: QP number, CQ token, port, or the device")
    func asyncEvents() {
        var raw = CIOFabric_verbs_async_event()
        raw.event_type = 1  // IBV_EVENT_QP_FATAL
        raw.qp_num = 0x33
        #expect(RealAsyncEventMapping.event(raw) == VerbsAsyncEvent(type: .queuePairFatal, element: .queuePair(0x33)))
        raw.event_type = 0  // IBV_EVENT_CQ_ERR
        raw.cq_token = 77
        #expect(RealAsyncEventMapping.event(raw) == VerbsAsyncEvent(type: .completionQueueError, element: .completionQueue(token: 77)))
        raw.event_type = 10  // IBV_EVENT_PORT_ERR
        raw.port_num = 1
        #expect(RealAsyncEventMapping.event(raw) == VerbsAsyncEvent(type: .portError, element: .port(1)))
        raw.event_type = 9  // IBV_EVENT_PORT_ACTIVE
        #expect(RealAsyncEventMapping.event(raw) == VerbsAsyncEvent(type: .portActive, element: .port(1)))
        raw.event_type = 8  // IBV_EVENT_DEVICE_FATAL
        #expect(RealAsyncEventMapping.event(raw) == VerbsAsyncEvent(type: .deviceFatal, element: .device))
    }

    @Test("failures are one line naming the device, the call and the errno, with the ulimit hint for ENOMEM")
    func failureText() {
        let error = RealVerbsFailure.error(
            device: "rxe0", call: "ibv_reg_mr of 4096 bytes", errno: 12, hint: RealVerbsFailure.registrationHint)
        #expect(
            error.description
                == "out of memory (rxe0: ibv_reg_mr of 4096 bytes: Cannot allocate memory (ENOMEM); raise the locked-memory limit ('ulimit -l unlimited'))")
        #expect(RealVerbsFailure.error(device: "rxe0", call: "ibv_modify_qp", errno: 22) == .invalidArgument("rxe0: ibv_modify_qp: Invalid argument (EINVAL)"))
        if case .accessDenied(let text) = RealVerbsFailure.error(device: "mlx5_0", call: "ibv_open_device", errno: 13) {
            #expect(text.hasPrefix("mlx5_0: ibv_open_device: Permission denied (EACCES)"))
        } else {
            Issue.record("EACCES is not accessDenied")
        }
    }
}
