/// The shared memory space of a node bus: the windows its endpoints exposed, at addresses
/// handed out by a bump allocator. The simulated bus and the real in-process bus keep theirs
/// with this one type (`Memory` is the backend's kind of memory).
///
/// Windows are stored in id order, which is also address order (the allocator only moves up
/// and never reuses a range), so an address is resolved by a binary search and nothing ever
/// iterates a dictionary. Inlinable: every DMA resolves its address here.
public struct BusAddressSpace<Memory> {
    /// One exposed window: where it is on the bus, and whose bytes it reaches.
    public struct Window {
        public var window: BusWindow
        /// The index of the endpoint that exposed it.
        public var owner: Int
        public var memory: Memory
        /// Where the window's first byte lies in `memory`.
        public var offset: Int
    }

    @usableFromInline let limit: UInt64
    @usableFromInline let alignment: UInt64
    /// Slot `id - 1` holds window `id`; removed windows leave nil (never reused).
    @usableFromInline var windows: [Window?] = []
    /// The start address of every window ever exposed, ascending (parallel to `windows`).
    @usableFromInline var starts: [UInt64] = []
    @usableFromInline var nextAddress: UInt64

    /// Windows currently exposed.
    public private(set) var liveWindowCount = 0

    /// An empty space whose windows start at `base`, each on an `alignment` boundary (a power
    /// of two), all below `limit`.
    public init(base: UInt64, limit: UInt64, alignment: UInt64) {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0 && base <= limit)
        self.limit = limit
        self.alignment = alignment
        nextAddress = base
    }

    /// Allocates a window of `length` bytes of `memory` from `offset` for `owner`.
    public mutating func expose(
        _ memory: Memory, offset: Int, length: Int, access: BusWindowAccess, owner: Int
    ) throws(BusChannelError) -> BusWindow {
        let address = nextAddress
        guard UInt64(length) <= limit - address else { throw .addressSpaceExhausted }
        let end = address + UInt64(length)
        // The next window starts on the next alignment boundary at or after this one's end.
        let remainder = end & (alignment - 1)
        let next = remainder == 0 ? end : end + (alignment - remainder)
        let window = BusWindow(
            id: UInt64(windows.count + 1), address: BusAddress(rawValue: address), length: length, access: access)
        windows.append(Window(window: window, owner: owner, memory: memory, offset: offset))
        starts.append(address)
        nextAddress = min(next, limit)
        liveWindowCount += 1
        return window
    }

    /// Withdraws `window` if `owner` exposed it and it is still there.
    public mutating func remove(_ window: BusWindow, owner: Int) throws(BusChannelError) {
        let index = Int(clamping: window.id) - 1
        guard index >= 0, index < windows.count, let found = windows[index] else {
            throw .invalidWindow("window \(window.id) is not exposed")
        }
        guard found.owner == owner, found.window == window else {
            throw .invalidWindow("window \(window.id) was not exposed by this channel")
        }
        windows[index] = nil
        liveWindowCount -= 1
    }

    /// Withdraws every window `owner` exposed.
    public mutating func removeAll(owner: Int) {
        for index in windows.indices where windows[index]?.owner == owner {
            windows[index] = nil
            liveWindowCount -= 1
        }
    }

    /// The window covering `address`'s first byte, if any (whether the whole range fits is the
    /// caller's check): none when it was never exposed, was removed, or lies in an alignment gap.
    @inlinable
    public func resolve(_ address: BusAddress) -> Window? {
        // The last window starting at or before the address.
        var low = 0
        var high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] <= address.rawValue { low = middle + 1 } else { high = middle }
        }
        guard low > 0, let found = windows[low - 1] else { return nil }
        guard address.rawValue - found.window.address.rawValue < UInt64(found.window.length) else { return nil }
        return found
    }
}
