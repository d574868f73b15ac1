import CIOFabric
import Hardware

/// `struct ibv_async_event` (as CIOFabric's flat `CIOFabric_verbs_async_event`) → ``VerbsAsyncEvent``.
public enum RealAsyncEventMapping {
    /// The event, its element chosen by its type as `struct ibv_async_event`'s union is: QP
    /// events name the QP number, CQ errors the queue's token, port events the port; the
    /// device-wide ones (and SRQ and WQ events, which iofabric does not create) the device.
    public static func event(_ raw: CIOFabric_verbs_async_event) -> VerbsAsyncEvent {
        let type = VerbsAsyncEventType(rawValue: raw.event_type)
        switch type {
        case .completionQueueError:
            return VerbsAsyncEvent(type: type, element: .completionQueue(token: raw.cq_token))
        case .queuePairFatal, .queuePairRequestError, .queuePairAccessError, .communicationEstablished,
            .sendQueueDrained, .pathMigrated, .pathMigrationError, .queuePairLastWorkRequestReached:
            return VerbsAsyncEvent(type: type, element: .queuePair(raw.qp_num))
        case .portActive, .portError, .lidChange, .pkeyChange, .smChange, .clientReregister, .gidChange:
            return VerbsAsyncEvent(type: type, element: .port(raw.port_num))
        default:
            return VerbsAsyncEvent(type: type, element: .device)
        }
    }
}
