import Hardware

/// A node's battery-backed memory in simulation: the write log that lets a takeover lose no
/// acknowledged write.
///
/// It is ``SimulatedMemory``, so the node's simulated HCA can register it and the partner can
/// mirror into it by RDMA WRITE; its bytes are the same bytes agents read and write.
///
/// What survives what (the ``NVRAM`` contract):
/// - a crash or reboot of the node's software: everything (nothing here is touched);
/// - a power loss with a healthy battery: everything;
/// - a power loss after ``failBattery()``: nothing — the contents become
///   ``lostContentPattern`` bytes, recognisable in a dump and never mistaken for a log record
///   that happened to survive.
public final class SimNVRAM: NVRAM, SimulatedMemory {
    /// The byte a power loss without battery leaves everywhere: 0xDE, as in 0xDEAD.
    public static let lostContentPattern: UInt8 = 0xDE

    public let name: String
    private let memory: SimMemory
    public private(set) var isBatteryHealthy = true
    /// Whether the node's power is off (the memory cannot be reached until it returns).
    public private(set) var isPoweredOff = false
    /// How many power losses wiped the contents (a battery had failed).
    public private(set) var contentLosses = 0

    /// A zero-filled NVRAM of `capacity` bytes named e.g. `"red.nvram"`.
    public init(name: String, capacity: Int) {
        self.name = name
        memory = SimMemory(name: name, length: capacity)
    }

    // MARK: - Faults

    /// The battery no longer holds the contents through a power loss.
    public func failBattery() { isBatteryHealthy = false }

    /// A new battery.
    public func replaceBattery() { isBatteryHealthy = true }

    /// The node lost power: with a failed battery the contents are gone.
    public func losePower() {
        precondition(!isPoweredOff, "\(name): power lost twice")
        isPoweredOff = true
        if !isBatteryHealthy {
            memory.fill(Self.lostContentPattern)
            contentLosses += 1
        }
    }

    /// Power is back.
    public func restorePower() {
        precondition(isPoweredOff, "\(name): power restored while on")
        isPoweredOff = false
    }

    // MARK: - MemoryBuffer

    public var length: Int { memory.length }

    public func read(offset: Int, count: Int) -> [UInt8] {
        precondition(!isPoweredOff, "\(name): read while the node is powered off")
        return memory.read(offset: offset, count: count)
    }

    public func write(_ bytes: some Collection<UInt8>, at offset: Int) {
        precondition(!isPoweredOff, "\(name): write while the node is powered off")
        memory.write(bytes, at: offset)
    }

    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try memory.withUnsafeBytes(body)
    }

    public func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        precondition(!isPoweredOff, "\(name): write while the node is powered off")
        return try memory.withUnsafeMutableBytes(body)
    }
}
