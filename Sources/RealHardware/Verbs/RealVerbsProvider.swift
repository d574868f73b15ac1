import CIOFabric
import Glibc
import Hardware

/// The ``VerbsProvider`` of real mode: the machine's RDMA devices through the process's
/// libibverbs (``VerbsLibrary/shared()``), bound to one ``RealNodeRuntime`` whose loop delivers
/// every completion notification and asynchronous event of the contexts it opens.
///
/// Devices come in the inventory's order (sorted by name, numbers compared as numbers:
/// `mlx5_2` before `mlx5_10`), which is stable while the set of devices is.
///
/// - Warning: Not thread-safe. Call it only on the runtime's loop (or before it runs).
public final class RealVerbsProvider: VerbsProvider {
    /// The runtime whose loop the opened contexts deliver their callbacks on.
    public let runtime: RealNodeRuntime
    let library: VerbsLibrary

    /// A provider over the process's libibverbs.
    ///
    /// - Throws: ``RealDeviceError/libraryNotFound(library:reason:)`` or
    ///   ``RealDeviceError/librarySymbolMissing(library:symbol:reason:)`` when libibverbs cannot
    ///   be loaded: "libibverbs not found (…); install Debian's libibverbs1 and ibverbs-providers".
    public convenience init(runtime: RealNodeRuntime) throws(RealDeviceError) {
        self.init(runtime: runtime, library: try VerbsLibrary.shared())
    }

    /// A provider over `library`.
    public init(runtime: RealNodeRuntime, library: VerbsLibrary) {
        self.runtime = runtime
        self.library = library
    }

    /// The RDMA devices of this machine; empty when there are none (or the kernel has no RDMA).
    ///
    /// - Throws: ``VerbsError/systemError(function:errno:)`` when listing fails otherwise.
    public func devices() throws(VerbsError) -> [VerbsDeviceInfo] {
        let entries: [VerbsLibrary.DeviceEntry]
        do {
            entries = try library.deviceEntries()
        } catch .noDevices {
            return []
        } catch .deviceListFailed(let code) {
            throw .systemError(function: "ibv_get_device_list", errno: code)
        } catch {
            throw .systemError(function: "ibv_get_device_list: \(error)", errno: EIO)
        }
        return entries.map { entry in
            VerbsDeviceInfo(
                name: entry.name, guid: GUID(rawValue: entry.guid), nodeType: VerbsNodeType(rawValue: entry.nodeType))
        }
    }

    /// Opens the device called `name`, queries it, and watches its asynchronous event
    /// descriptor on the runtime.
    ///
    /// - Throws: ``VerbsError/noDevice`` when the machine has no RDMA device,
    ///   ``VerbsError/deviceNotFound(name:)``, ``VerbsError/accessDenied(_:)`` (EACCES on
    ///   `/dev/infiniband/uverbsN`), or the error of the failing call, naming the device.
    public func openDevice(named name: String) throws(VerbsError) -> any VerbsDeviceContext {
        let devices = try devices()
        guard !devices.isEmpty else { throw .noDevice }
        guard let device = devices.first(where: { $0.name == name }) else { throw .deviceNotFound(name: name) }
        var opened: OpaquePointer?
        let code = CIOFabric_verbs_open_device(library.table, name, &opened)
        if code == ENODEV { throw .deviceNotFound(name: name) }
        guard code == 0, let context = opened else {
            throw RealVerbsFailure.error(
                device: name, call: "ibv_open_device", errno: code,
                hint: code == EACCES ? "check the permissions of /dev/infiniband/uverbs*" : nil)
        }
        do {
            return try RealVerbsDeviceContext(device: device, context: context, runtime: runtime)
        } catch {
            _ = CIOFabric_verbs_close_device(context)
            throw error
        }
    }

    /// Opens the device `selection` names (or the first), as perftest's `--ib-dev` does.
    public func openDevice(_ selection: RealDeviceSelection) throws(VerbsError) -> any VerbsDeviceContext {
        if let name = selection.deviceName { return try openDevice(named: name) }
        return try openFirstDevice()
    }
}
