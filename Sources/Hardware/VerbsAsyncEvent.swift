/// The kind of an asynchronous event from an RDMA device (`enum ibv_event_type`).
public struct VerbsAsyncEventType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// A completion queue overran or hit an error; it is unusable.
    ///
    /// The corresponding C constant is `IBV_EVENT_CQ_ERR`.
    public static let completionQueueError = VerbsAsyncEventType(rawValue: 0)

    /// A QP hit a catastrophic error and moved to ERR.
    ///
    /// The corresponding C constant is `IBV_EVENT_QP_FATAL`.
    public static let queuePairFatal = VerbsAsyncEventType(rawValue: 1)

    /// An invalid request on a QP's work queue moved it to ERR.
    ///
    /// The corresponding C constant is `IBV_EVENT_QP_REQ_ERR`.
    public static let queuePairRequestError = VerbsAsyncEventType(rawValue: 2)

    /// A local access violation on a QP's work queue moved it to ERR.
    ///
    /// The corresponding C constant is `IBV_EVENT_QP_ACCESS_ERR`.
    public static let queuePairAccessError = VerbsAsyncEventType(rawValue: 3)

    /// The first packet arrived on a QP in RTR: communication is established.
    ///
    /// The corresponding C constant is `IBV_EVENT_COMM_EST`.
    public static let communicationEstablished = VerbsAsyncEventType(rawValue: 4)

    /// A QP in SQD has no more outstanding send work.
    ///
    /// The corresponding C constant is `IBV_EVENT_SQ_DRAINED`.
    public static let sendQueueDrained = VerbsAsyncEventType(rawValue: 5)

    /// A QP migrated to its alternate path.
    ///
    /// The corresponding C constant is `IBV_EVENT_PATH_MIG`.
    public static let pathMigrated = VerbsAsyncEventType(rawValue: 6)

    /// A path migration failed.
    ///
    /// The corresponding C constant is `IBV_EVENT_PATH_MIG_ERR`.
    public static let pathMigrationError = VerbsAsyncEventType(rawValue: 7)

    /// The device failed; every object made from it is unusable.
    ///
    /// The corresponding C constant is `IBV_EVENT_DEVICE_FATAL`.
    public static let deviceFatal = VerbsAsyncEventType(rawValue: 8)

    /// A port became active.
    ///
    /// The corresponding C constant is `IBV_EVENT_PORT_ACTIVE`.
    public static let portActive = VerbsAsyncEventType(rawValue: 9)

    /// A port left the active state (link down).
    ///
    /// The corresponding C constant is `IBV_EVENT_PORT_ERR`.
    public static let portError = VerbsAsyncEventType(rawValue: 10)

    /// A port's LID changed.
    ///
    /// The corresponding C constant is `IBV_EVENT_LID_CHANGE`.
    public static let lidChange = VerbsAsyncEventType(rawValue: 11)

    /// A port's partition key table changed.
    ///
    /// The corresponding C constant is `IBV_EVENT_PKEY_CHANGE`.
    public static let pkeyChange = VerbsAsyncEventType(rawValue: 12)

    /// The subnet manager of a port changed.
    ///
    /// The corresponding C constant is `IBV_EVENT_SM_CHANGE`.
    public static let smChange = VerbsAsyncEventType(rawValue: 13)

    /// A shared receive queue failed.
    ///
    /// The corresponding C constant is `IBV_EVENT_SRQ_ERR`.
    public static let sharedReceiveQueueError = VerbsAsyncEventType(rawValue: 14)

    /// A shared receive queue fell below its limit.
    ///
    /// The corresponding C constant is `IBV_EVENT_SRQ_LIMIT_REACHED`.
    public static let sharedReceiveQueueLimitReached = VerbsAsyncEventType(rawValue: 15)

    /// The last work request of a QP attached to a shared receive queue completed.
    ///
    /// The corresponding C constant is `IBV_EVENT_QP_LAST_WQE_REACHED`.
    public static let queuePairLastWorkRequestReached = VerbsAsyncEventType(rawValue: 16)

    /// The subnet manager asks clients to re-register.
    ///
    /// The corresponding C constant is `IBV_EVENT_CLIENT_REREGISTER`.
    public static let clientReregister = VerbsAsyncEventType(rawValue: 17)

    /// A port's GID table changed.
    ///
    /// The corresponding C constant is `IBV_EVENT_GID_CHANGE`.
    public static let gidChange = VerbsAsyncEventType(rawValue: 18)

    /// A work queue failed.
    ///
    /// The corresponding C constant is `IBV_EVENT_WQ_FATAL`.
    public static let workQueueFatal = VerbsAsyncEventType(rawValue: 19)

    /// The text `ibv_event_type_str` returns, e.g. `port error`, or `unknown`.
    public var description: String {
        let names = [
            "CQ error", "local work queue catastrophic error", "invalid request local work queue error",
            "local access violation work queue error", "communication established", "send queue drained",
            "path migrated", "path migration request error", "local catastrophic error", "port active",
            "port error", "LID change", "P_Key change", "SM change", "SRQ catastrophic error",
            "SRQ limit reached", "last WQE reached", "client reregistration", "GID table change", "WQ fatal",
        ]
        return names.indices.contains(Int(rawValue)) ? names[Int(rawValue)] : "unknown"
    }
}

/// An asynchronous event from an RDMA device (`struct ibv_async_event`).
public struct VerbsAsyncEvent: Hashable, Sendable, CustomStringConvertible {
    /// What the event is about.
    public enum Element: Hashable, Sendable {
        /// The whole device (``VerbsAsyncEventType/deviceFatal``).
        case device
        /// A port, by number (port events).
        case port(UInt8)
        /// A queue pair, by QP number (QP events).
        case queuePair(UInt32)
        /// A completion queue, by the token it was created with (``VerbsAsyncEventType/completionQueueError``).
        case completionQueue(token: UInt64)
    }

    /// The kind of event.
    public var type: VerbsAsyncEventType
    /// The object it concerns.
    public var element: Element

    public init(type: VerbsAsyncEventType, element: Element) {
        self.type = type
        self.element = element
    }

    /// E.g. `port error on port 1`.
    public var description: String {
        switch element {
        case .device: "\(type)"
        case .port(let port): "\(type) on port \(port)"
        case .queuePair(let qpn): "\(type) on QP \(qpn)"
        case .completionQueue(let token): "\(type) on CQ \(token)"
        }
    }
}

/// An object told about a device's asynchronous events.
public protocol VerbsAsyncEventHandler: AnyObject {
    /// `event` happened. Runs on the node's loop, never from inside a verbs call.
    func verbsAsyncEvent(_ event: VerbsAsyncEvent)
}
