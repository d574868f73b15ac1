import CIOFabric
import Hardware

/// ``QueuePairAttributes`` → `struct ibv_qp_attr` (as CIOFabric's flat
/// `CIOFabric_verbs_qp_attributes`) and the `attr_mask` of `ibv_modify_qp`.
public enum RealQueuePairAttributeMapping {
    /// The `enum ibv_qp_attr_mask` bit of each ``QueuePairAttributeMask`` member (verbs.h,
    /// rdma-core 44; the C side `_Static_assert`s the values).
    public static let maskBits: [(QueuePairAttributeMask, UInt32)] = [
        (.state, 1 << 0),  // IBV_QP_STATE
        (.accessFlags, 1 << 3),  // IBV_QP_ACCESS_FLAGS
        (.pkeyIndex, 1 << 4),  // IBV_QP_PKEY_INDEX
        (.port, 1 << 5),  // IBV_QP_PORT
        (.qkey, 1 << 6),  // IBV_QP_QKEY
        (.addressVector, 1 << 7),  // IBV_QP_AV
        (.pathMTU, 1 << 8),  // IBV_QP_PATH_MTU
        (.timeout, 1 << 9),  // IBV_QP_TIMEOUT
        (.retryCount, 1 << 10),  // IBV_QP_RETRY_CNT
        (.rnrRetry, 1 << 11),  // IBV_QP_RNR_RETRY
        (.receivePSN, 1 << 12),  // IBV_QP_RQ_PSN
        (.maxReadAtomic, 1 << 13),  // IBV_QP_MAX_QP_RD_ATOMIC
        (.minRNRTimer, 1 << 15),  // IBV_QP_MIN_RNR_TIMER
        (.sendPSN, 1 << 16),  // IBV_QP_SQ_PSN
        (.maxDestinationReadAtomic, 1 << 17),  // IBV_QP_MAX_DEST_RD_ATOMIC
        (.destinationQPNumber, 1 << 20),  // IBV_QP_DEST_QPN
    ]

    /// The `attr_mask` for `mask`.
    public static func ibvMask(_ mask: QueuePairAttributeMask) -> UInt32 {
        var bits: UInt32 = 0
        for (member, bit) in maskBits where mask.contains(member) { bits |= bit }
        return bits
    }

    /// The C attributes and mask of `attributes`: every set field copied into its `ibv_qp_attr`
    /// field, the others zero.
    public static func ibvAttributes(_ attributes: QueuePairAttributes) -> (CIOFabric_verbs_qp_attributes, UInt32) {
        var attr = CIOFabric_verbs_qp_attributes()
        if let state = attributes.state { attr.qp_state = state.rawValue }
        if let access = attributes.accessFlags { attr.qp_access_flags = access.rawValue }
        if let pkeyIndex = attributes.pkeyIndex { attr.pkey_index = pkeyIndex }
        if let port = attributes.port { attr.port_num = port }
        if let qkey = attributes.qkey { attr.qkey = qkey }
        if let path = attributes.addressVector { attr.ah_attr = address(path) }
        if let mtu = attributes.pathMTU { attr.path_mtu = mtu.rawValue }
        if let timeout = attributes.timeout { attr.timeout = timeout }
        if let retryCount = attributes.retryCount { attr.retry_cnt = retryCount }
        if let rnrRetry = attributes.rnrRetry { attr.rnr_retry = rnrRetry }
        if let psn = attributes.receivePSN { attr.rq_psn = psn }
        if let value = attributes.maxReadAtomic { attr.max_rd_atomic = value }
        if let value = attributes.minRNRTimer { attr.min_rnr_timer = value }
        if let psn = attributes.sendPSN { attr.sq_psn = psn }
        if let value = attributes.maxDestinationReadAtomic { attr.max_dest_rd_atomic = value }
        if let qpn = attributes.destinationQPNumber { attr.dest_qp_num = qpn }
        return (attr, ibvMask(attributes.mask))
    }

    /// `struct ibv_ah_attr` of `path`: with a GRH (`is_global`, the destination GID, source GID
    /// index, flow label, hop limit, traffic class) when it has a global route, as RoCE needs.
    public static func address(_ path: AddressHandleAttributes) -> CIOFabric_verbs_address {
        var address = CIOFabric_verbs_address()
        address.dlid = path.destinationLID
        address.sl = path.serviceLevel
        address.src_path_bits = path.sourcePathBits
        address.static_rate = path.staticRate
        address.port_num = path.port
        if let route = path.globalRoute {
            address.is_global = 1
            address.sgid_index = route.sourceGIDIndex
            address.flow_label = route.flowLabel
            address.hop_limit = route.hopLimit
            address.traffic_class = route.trafficClass
            let bytes = route.destinationGID.bytes
            withUnsafeMutableBytes(of: &address.dgid) { raw in
                for index in 0..<16 { raw[index] = bytes[index] }
            }
        }
        return address
    }
}
