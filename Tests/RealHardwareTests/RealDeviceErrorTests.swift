import Glibc
import Testing

@testable import RealHardware

@Suite struct RealDeviceErrorTests {
    /// Every case, with the exact line a user sees.
    static let messages: [(RealDeviceError, String)] = [
        (
            .libraryNotFound(
                library: "libibverbs.so.1",
                reason: "libibverbs.so.1: cannot open shared object file: No such file or directory"),
            "libibverbs not found (libibverbs.so.1: cannot open shared object file: No such file or directory); "
                + "install Debian's libibverbs1 and ibverbs-providers"
        ),
        (
            .libraryNotFound(library: "libibverbs.so.1", reason: "file too short"),
            "libibverbs not found (libibverbs.so.1: file too short); install Debian's libibverbs1 and ibverbs-providers"
        ),
        (
            .librarySymbolMissing(
                library: "libibverbs.so.1", symbol: "ibv_query_gid", reason: "undefined symbol: ibv_query_gid"),
            "libibverbs.so.1 is unusable: it has no ibv_query_gid (undefined symbol: ibv_query_gid); "
                + "install Debian's libibverbs1 and ibverbs-providers"
        ),
        (.noDevices, "no RDMA devices found"),
        (.deviceListFailed(errno: ENOMEM), "cannot list RDMA devices: Cannot allocate memory"),
        (
            .deviceNotFound(name: "x", available: ["rxe0", "mlx5_0"]),
            "RDMA device 'x' not found (available: rxe0, mlx5_0)"
        ),
        (.deviceNotFound(name: "x", available: []), "RDMA device 'x' not found (available: none)"),
        (.deviceOpenFailed(device: "rxe0", errno: EACCES), "cannot open RDMA device rxe0: Permission denied"),
        (.deviceQueryFailed(device: "rxe0", errno: EIO), "cannot query RDMA device rxe0: Input/output error"),
        (.portQueryFailed(device: "rxe0", port: 2, errno: EINVAL), "cannot query port 2 of rxe0: Invalid argument"),
        (
            .gidQueryFailed(device: "rxe0", port: 1, index: 3, errno: EINVAL),
            "cannot query GID 3 of port 1 of rxe0: Invalid argument"
        ),
        (.openFailed(path: "/dev/sg3", errno: ENOENT), "cannot open /dev/sg3: No such file or directory"),
        (
            .permissionDenied(path: "/dev/sg0"),
            "permission denied opening /dev/sg0 (run as root or add the user to the disk group)"
        ),
        (.notSCSIGeneric(path: "/dev/null"), "/dev/null is not a SCSI generic device"),
        (.ioctlFailed(path: "/dev/sg1", request: "SG_IO", errno: EIO), "SG_IO on /dev/sg1 failed: Input/output error"),
        (
            .inquiryFailed(path: "/dev/sg1", status: SGIOStatus(status: 0x08)),
            "INQUIRY to /dev/sg1 failed: BUSY"
        ),
        (
            .inquiryTooShort(path: "/dev/sg1", length: 5),
            "INQUIRY to /dev/sg1 returned 5 bytes, fewer than the 36 of a standard response"
        ),
    ]

    @Test func everyCaseHasItsExactMessage() {
        for (error, message) in Self.messages {
            #expect(error.description == message)
            #expect("\(error)" == message)
        }
    }

    @Test func messagesAreSingleLinesEvenFromMultiLineInput() {
        let hostile: [RealDeviceError] = [
            .libraryNotFound(library: "libibverbs.so.1", reason: "first line\nsecond line\r\n"),
            .deviceNotFound(name: "a\nb", available: ["c\td"]),
            .openFailed(path: "/tmp/new\nline", errno: ENOENT),
        ]
        for error in Self.messages.map(\.0) + hostile {
            #expect(!error.description.contains("\n"))
            #expect(!error.description.contains("\r"))
            #expect(!error.description.isEmpty)
        }
        #expect(
            RealDeviceError.openFailed(path: "/tmp/new\nline", errno: ENOENT).description
                == "cannot open /tmp/new line: No such file or directory")
    }

    @Test func casesAreEqualOnlyWithEqualValues() {
        #expect(
            RealDeviceError.openFailed(path: "/dev/sg0", errno: ENOENT) == .openFailed(path: "/dev/sg0", errno: ENOENT))
        #expect(
            RealDeviceError.openFailed(path: "/dev/sg0", errno: ENOENT) != .openFailed(path: "/dev/sg1", errno: ENOENT))
        #expect(
            RealDeviceError.openFailed(path: "/dev/sg0", errno: ENOENT) != .openFailed(path: "/dev/sg0", errno: EIO))
        #expect(RealDeviceError.noDevices != .notSCSIGeneric(path: "/dev/null"))
    }
}
