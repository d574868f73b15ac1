import CIOFabric

/// libibverbs, loaded at run time.
///
/// iofabric never links libibverbs: the simulator must run where rdma-core is not installed.
/// The real backend loads `libibverbs.so.1` with `dlopen` the first time it needs it (see
/// ``shared()``), looks up the functions it calls, and keeps the library for the rest of the
/// process.
///
/// A loaded library is never unloaded: libibverbs keeps process-wide state (its device cache,
/// the provider libraries it loaded itself), and unloading it under an open device crashes.
public final class VerbsLibrary: @unchecked Sendable {
    // @unchecked: the only state is the C table of function pointers, written once by
    // `CIOFabric_verbs_load` before this object exists and never changed or freed; the
    // libibverbs functions it points to may be called from any thread.

    /// The file name the real backend loads: the soname of rdma-core's libibverbs (Debian
    /// package `libibverbs1`).
    public static let defaultLibraryName = "libibverbs.so.1"

    /// The name this library was loaded by, e.g. `libibverbs.so.1`.
    public let libraryName: String

    /// The C side: a `const CIOFabric_verbs_library *`.
    let table: OpaquePointer

    private init(libraryName: String, table: OpaquePointer) {
        self.libraryName = libraryName
        self.table = table
    }

    /// The process's libibverbs, loaded on first use from ``defaultLibraryName``.
    ///
    /// The outcome of that one load, success or failure, is kept: a process that found no
    /// libibverbs reports the same error every time without retrying.
    ///
    /// - Throws: ``RealDeviceError/libraryNotFound(library:reason:)`` or
    ///   ``RealDeviceError/librarySymbolMissing(library:symbol:reason:)``.
    public static func shared() throws(RealDeviceError) -> VerbsLibrary {
        try sharedLoad.get()
    }

    private static let sharedLoad: Result<VerbsLibrary, RealDeviceError> = Result {
        () throws(RealDeviceError) -> VerbsLibrary in
        try load(defaultLibraryName)
    }

    /// Loads libibverbs from `libraryName` (a soname searched the usual way, or a path).
    ///
    /// Each call runs `dlopen` again (which only counts a reference if the library is already
    /// loaded) and keeps a new table of functions; prefer ``shared()``.
    ///
    /// The corresponding C functions are `dlopen` (with `RTLD_NOW | RTLD_LOCAL`) and `dlvsym`,
    /// for `ibv_get_device_list`, `ibv_free_device_list`, `ibv_get_device_name`,
    /// `ibv_get_device_guid`, `ibv_open_device`, `ibv_close_device`, `ibv_query_device`,
    /// `ibv_query_port` and `ibv_query_gid` at symbol version `IBVERBS_1.1`, and the data path's
    /// functions (PD, MR, completion channel, CQ, QP, AH, async events; see
    /// `CIOFabric_verbs_data.h`) where the build had `<infiniband/verbs.h>`.
    ///
    /// - Throws: ``RealDeviceError/libraryNotFound(library:reason:)`` when `dlopen` fails;
    ///   ``RealDeviceError/librarySymbolMissing(library:symbol:reason:)`` when a function is missing.
    public static func load(_ libraryName: String = defaultLibraryName) throws(RealDeviceError) -> VerbsLibrary {
        var result = CIOFabric_verbs_load_result()
        guard let table = CIOFabric_verbs_load(libraryName, &result) else {
            let reason = TextFormatting.string(fromCArray: result.detail)
            if result.status == CIOFabric_VERBS_SYMBOL_MISSING {
                throw .librarySymbolMissing(
                    library: libraryName, symbol: TextFormatting.string(fromCArray: result.symbol), reason: reason)
            }
            throw .libraryNotFound(library: libraryName, reason: reason)
        }
        return VerbsLibrary(libraryName: libraryName, table: table)
    }
}
