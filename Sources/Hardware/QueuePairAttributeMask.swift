/// Which attributes a ``QueuePairAttributes`` value sets (`enum ibv_qp_attr_mask`, the bits
/// this module carries).
///
/// Backends pass it to `ibv_modify_qp` as `attr_mask`; ``QueuePairType/requiredAttributes(from:to:)``
/// and ``QueuePairType/allowedAttributes(from:to:)`` say which bits a transition needs.
public struct QueuePairAttributeMask: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// The corresponding C constant is `IBV_QP_STATE`.
    public static let state = QueuePairAttributeMask(rawValue: 1 << 0)
    /// The corresponding C constant is `IBV_QP_ACCESS_FLAGS`.
    public static let accessFlags = QueuePairAttributeMask(rawValue: 1 << 3)
    /// The corresponding C constant is `IBV_QP_PKEY_INDEX`.
    public static let pkeyIndex = QueuePairAttributeMask(rawValue: 1 << 4)
    /// The corresponding C constant is `IBV_QP_PORT`.
    public static let port = QueuePairAttributeMask(rawValue: 1 << 5)
    /// The corresponding C constant is `IBV_QP_QKEY`.
    public static let qkey = QueuePairAttributeMask(rawValue: 1 << 6)
    /// The corresponding C constant is `IBV_QP_AV`.
    public static let addressVector = QueuePairAttributeMask(rawValue: 1 << 7)
    /// The corresponding C constant is `IBV_QP_PATH_MTU`.
    public static let pathMTU = QueuePairAttributeMask(rawValue: 1 << 8)
    /// The corresponding C constant is `IBV_QP_TIMEOUT`.
    public static let timeout = QueuePairAttributeMask(rawValue: 1 << 9)
    /// The corresponding C constant is `IBV_QP_RETRY_CNT`.
    public static let retryCount = QueuePairAttributeMask(rawValue: 1 << 10)
    /// The corresponding C constant is `IBV_QP_RNR_RETRY`.
    public static let rnrRetry = QueuePairAttributeMask(rawValue: 1 << 11)
    /// The corresponding C constant is `IBV_QP_RQ_PSN`.
    public static let receivePSN = QueuePairAttributeMask(rawValue: 1 << 12)
    /// The corresponding C constant is `IBV_QP_MAX_QP_RD_ATOMIC`.
    public static let maxReadAtomic = QueuePairAttributeMask(rawValue: 1 << 13)
    /// The corresponding C constant is `IBV_QP_MIN_RNR_TIMER`.
    public static let minRNRTimer = QueuePairAttributeMask(rawValue: 1 << 15)
    /// The corresponding C constant is `IBV_QP_SQ_PSN`.
    public static let sendPSN = QueuePairAttributeMask(rawValue: 1 << 16)
    /// The corresponding C constant is `IBV_QP_MAX_DEST_RD_ATOMIC`.
    public static let maxDestinationReadAtomic = QueuePairAttributeMask(rawValue: 1 << 17)
    /// The corresponding C constant is `IBV_QP_DEST_QPN`.
    public static let destinationQPNumber = QueuePairAttributeMask(rawValue: 1 << 20)

    /// The names of the set bits, e.g. `[STATE, PKEY_INDEX, PORT]`.
    public var description: String {
        let names: [(QueuePairAttributeMask, String)] = [
            (.state, "STATE"), (.accessFlags, "ACCESS_FLAGS"), (.pkeyIndex, "PKEY_INDEX"), (.port, "PORT"),
            (.qkey, "QKEY"), (.addressVector, "AV"), (.pathMTU, "PATH_MTU"), (.timeout, "TIMEOUT"),
            (.retryCount, "RETRY_CNT"), (.rnrRetry, "RNR_RETRY"), (.receivePSN, "RQ_PSN"),
            (.maxReadAtomic, "MAX_QP_RD_ATOMIC"), (.minRNRTimer, "MIN_RNR_TIMER"), (.sendPSN, "SQ_PSN"),
            (.maxDestinationReadAtomic, "MAX_DEST_RD_ATOMIC"), (.destinationQPNumber, "DEST_QPN"),
        ]
        var parts = names.filter { contains($0.0) }.map(\.1)
        let known = names.reduce(QueuePairAttributeMask()) { $0.union($1.0) }
        let unknown = rawValue & ~known.rawValue
        if unknown != 0 { parts.append("0x" + String(unknown, radix: 16)) }
        return "[" + parts.joined(separator: ", ") + "]"
    }
}
