import Hardware

/// One path to one device through an ``IOController``: the simulated `/dev/sgN`, named after
/// the path, e.g. `"red.hba0.portA.bay3"`. Two controllers on the two loops of a shelf give
/// two paths (two `SimSCSIDevice`s) to every disk.
public final class SimSCSIDevice: SCSIGenericDevice {
    public let name: String
    /// The device's queue depth on this path (``IOControllerConfiguration/queueDepth``).
    public let queueDepth: Int
    public internal(set) var outstandingCount = 0
    /// The controller port the path leaves from.
    public let controllerPort: Int
    /// The device's port on that port's loop.
    public let devicePort: LoopPortID
    unowned let controller: IOController

    init(name: String, queueDepth: Int, controller: IOController, controllerPort: Int, devicePort: LoopPortID) {
        self.name = name
        self.queueDepth = queueDepth
        self.controller = controller
        self.controllerPort = controllerPort
        self.devicePort = devicePort
    }

    /// Whether a request submitted now would be accepted as far as the path goes: the loop is
    /// up and the device is in it.
    public var isReachable: Bool { controller.isReachable(self) }

    public func submit(_ request: SCSIRequest, handler: any SCSICompletionHandler) throws(SCSIGenericError) {
        try controller.submit(request, handler: handler, on: self)
    }
}
