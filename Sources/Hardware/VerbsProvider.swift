/// One RDMA device as listed by a ``VerbsProvider`` (`struct ibv_device` plus its node GUID).
public struct VerbsDeviceInfo: Hashable, Sendable, CustomStringConvertible {
    /// The kernel name of the device, e.g. `mlx5_0`, or the simulated HCA's name, e.g. `red.hca0`.
    public var name: String
    /// The node GUID (`ibv_get_device_guid`).
    public var guid: GUID
    /// What kind of node it is.
    public var nodeType: VerbsNodeType

    public init(name: String, guid: GUID, nodeType: VerbsNodeType) {
        self.name = name
        self.guid = guid
        self.nodeType = nodeType
    }

    /// `name (guid, node type)`.
    public var description: String { "\(name) (\(guid), \(nodeType))" }
}

/// The entry point to a node's RDMA devices: lists them and opens one by name.
///
/// A provider belongs to one node and its ``NodeRuntime``. Every object it makes, directly or
/// through the contexts it opens, delivers its callbacks (completion-queue notifications,
/// asynchronous events) on that runtime's loop and nowhere else.
///
/// Implementers must guarantee:
/// - ``devices()`` lists devices in a stable order: the same order every time it is called
///   while the set of devices is unchanged (the real backend keeps the kernel's order; the
///   simulator keeps the topology's order). Never a hash order.
/// - Setup failures are thrown as ``VerbsError``; nothing here traps on an operating error.
///
/// - Warning: Not thread-safe. Call it only on the node's loop (or before the loop runs).
public protocol VerbsProvider: AnyObject {
    /// The RDMA devices of this node.
    ///
    /// The corresponding C function is `ibv_get_device_list`.
    ///
    /// - Returns: the devices, possibly empty.
    /// - Throws: ``VerbsError/systemError(function:errno:)`` when the devices cannot be listed
    ///   (no `ib_uverbs` module, no permission on `/dev/infiniband`).
    func devices() throws(VerbsError) -> [VerbsDeviceInfo]

    /// Opens the device called `name` and returns its context.
    ///
    /// The corresponding C function is `ibv_open_device`.
    ///
    /// - Throws: ``VerbsError/noDevice`` when the node has no RDMA device at all,
    ///   ``VerbsError/deviceNotFound(name:)`` when none has this name,
    ///   ``VerbsError/accessDenied(_:)`` or ``VerbsError/systemError(function:errno:)`` when
    ///   opening it fails.
    func openDevice(named name: String) throws(VerbsError) -> any VerbsDeviceContext
}

extension VerbsProvider {
    /// Opens the first device in ``devices()`` order: the common case of a node with one HCA.
    ///
    /// - Throws: ``VerbsError/noDevice`` when there is none, or whatever
    ///   ``openDevice(named:)`` throws.
    public func openFirstDevice() throws(VerbsError) -> any VerbsDeviceContext {
        guard let first = try devices().first else { throw .noDevice }
        return try openDevice(named: first.name)
    }
}
