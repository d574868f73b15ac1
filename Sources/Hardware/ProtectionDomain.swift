/// A protection domain (`struct ibv_pd`): memory regions, queue pairs and address handles made
/// from one domain may be used together, and only together.
///
/// Implementers must guarantee:
/// - A work request on a QP that names a memory region of another domain fails with
///   ``WorkCompletionStatus/localProtectionError`` (or a remote access error at the peer).
/// - Setup failures throw ``VerbsError``; nothing here traps on an operating error.
///
/// - Warning: Not thread-safe. Call it only on the node's loop.
public protocol ProtectionDomain: AnyObject {
    /// Allocates a zero-filled buffer of `length` bytes and registers it with `access`.
    ///
    /// The real backend allocates page-aligned memory (`posix_memalign`) and calls
    /// `ibv_reg_mr`; the simulator allocates model memory. The corresponding C function is
    /// `ibv_reg_mr`.
    ///
    /// - Throws: ``VerbsError/invalidArgument(_:)`` for a length of zero, a length beyond
    ///   ``VerbsDeviceAttributes/maxMemoryRegionSize``, or an `access` that is not
    ///   ``MemoryAccess/isValidForRegistration``; ``VerbsError/resourceExhausted(_:)`` when
    ///   memory or regions run out.
    func allocateMemoryRegion(length: Int, access: MemoryAccess) throws(VerbsError) -> any MemoryRegion

    /// Registers memory the node already has, such as its ``NVRAM``, so that peers can reach it
    /// by RDMA (the cluster mirrors its write log into the partner's NVRAM this way).
    ///
    /// The region shares `memory`'s bytes: writes through either are seen by both. Deregistering
    /// the region does not free `memory`. The corresponding C function is `ibv_reg_mr`.
    ///
    /// - Throws: ``VerbsError/invalidArgument(_:)`` when `memory` is not memory of this
    ///   backend (a simulated NVRAM cannot be registered with a real HCA, nor the reverse) or
    ///   `access` is not ``MemoryAccess/isValidForRegistration``;
    ///   ``VerbsError/resourceExhausted(_:)``.
    func registerMemory(_ memory: any MemoryBuffer, access: MemoryAccess) throws(VerbsError) -> any MemoryRegion

    /// Creates a queue pair in the RESET state (`struct ibv_qp_init_attr` as parameters).
    ///
    /// The corresponding C function is `ibv_create_qp`.
    ///
    /// - Parameters:
    ///   - type: RC or UD.
    ///   - sendQueue: where send work requests complete.
    ///   - receiveQueue: where receive work requests complete; may be the same queue.
    ///   - capabilities: the queue sizes wanted; ``QueuePair/capabilities`` says what was granted.
    ///   - signalAllSends: whether every send request completes (`sq_sig_all`), or only those
    ///     with ``SendFlags/signaled``.
    /// - Throws: ``VerbsError/invalidArgument(_:)`` when the capabilities exceed the device's
    ///   limits or a completion queue belongs to another device;
    ///   ``VerbsError/resourceExhausted(_:)`` beyond ``VerbsDeviceAttributes/maxQueuePairs``.
    func createQueuePair(
        type: QueuePairType, sendQueue: any CompletionQueue, receiveQueue: any CompletionQueue,
        capabilities: QueuePairCapabilities, signalAllSends: Bool
    ) throws(VerbsError) -> any QueuePair

    /// Creates an address handle: the destination of UD sends.
    ///
    /// The corresponding C function is `ibv_create_ah`.
    ///
    /// - Throws: ``VerbsError/invalidPort(_:)``, ``VerbsError/invalidArgument(_:)``, or
    ///   ``VerbsError/resourceExhausted(_:)``.
    func createAddressHandle(_ attributes: AddressHandleAttributes) throws(VerbsError) -> AddressHandle

    /// Destroys an address handle. Sends already posted with it still complete.
    ///
    /// The corresponding C function is `ibv_destroy_ah`.
    ///
    /// - Throws: ``VerbsError/invalidArgument(_:)`` for a handle this domain did not make or
    ///   already destroyed.
    func destroyAddressHandle(_ handle: AddressHandle) throws(VerbsError)

    /// Deallocates the domain.
    ///
    /// The corresponding C function is `ibv_dealloc_pd`.
    ///
    /// - Throws: ``VerbsError/busy(_:)`` while regions, queue pairs or address handles made
    ///   from it exist.
    func deallocate() throws(VerbsError)
}
