import Glibc
import Hardware
import RealHardware

/// The NVRAM of a real-mode cluster system: a file (by default in `/dev/shm`, i.e. tmpfs)
/// mapped `MAP_SHARED` into the process. Its contents outlive the process — a SIGKILL, a crash
/// — as battery-backed memory outlives a crash of the node's software, so a restarted system
/// finds its own log; they do not outlive the machine's reboot (tmpfs), which is the one
/// guarantee a real NVRAM adds. Page-aligned process memory, so the interconnect's protection
/// domain registers it for the partner's RDMA WRITEs (the mirror half) as the simulated NVRAM is.
///
/// Writes are durable when the call returns in the sense that matters here: they are in the
/// shared mapping, which the kernel keeps when the process dies.
public final class RealFileNVRAM: NVRAM, FixedAddressMemory {
    public let path: String
    public let length: Int
    /// Always true: the file stays as long as the machine runs (tmpfs; no battery to fail).
    public var isBatteryHealthy: Bool { true }
    public let baseAddress: UnsafeMutableRawPointer
    public var memoryName: String { path }

    /// Maps `path`, creating it (zero-filled) or growing it to `length` bytes; an existing
    /// file's contents are kept (a restarted system's log).
    ///
    /// - Throws: one line naming the file and the failing call.
    public init(path: String, length: Int) throws(RealModeError) {
        precondition(length > 0 && length % 4096 == 0, "\(path): NVRAM length \(length) is not a positive multiple of 4 KiB")
        self.path = path
        self.length = length
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw RealModeError("\(path): cannot open the NVRAM file: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw RealModeError("\(path): fstat: \(String(cString: strerror(errno)))") }
        if Int(status.st_size) != length {
            guard ftruncate(descriptor, off_t(length)) == 0 else {
                throw RealModeError("\(path): cannot size the NVRAM file to \(length) bytes: \(String(cString: strerror(errno)))")
            }
        }
        let mapped = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw RealModeError("\(path): mmap of \(length) bytes: \(String(cString: strerror(errno)))")
        }
        baseAddress = mapped
    }

    deinit {
        munmap(baseAddress, length)
    }

    /// Removes the file (a fresh cluster starts with empty logs).
    public static func remove(path: String) {
        unlink(path)
    }
}
