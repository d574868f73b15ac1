import Hardware

/// The shared memory space of a ``NodeBus``: the windows endpoints exposed, at addresses
/// handed out by a bump allocator.
///
/// Windows are stored in id order, which is also address order (the allocator only moves up
/// and never reuses a range), so an address is resolved by a binary search and nothing ever
/// iterates a dictionary.
struct NodeBusAddressSpace {
    /// One exposed window: where it is on the bus, and whose bytes it reaches.
    struct Window {
        var window: BusWindow
        /// The index of the endpoint that exposed it.
        var owner: Int
        var memory: any MemoryBuffer
        /// Where the window's first byte lies in `memory`.
        var offset: Int
    }

    /// What DMA to an address finds.
    enum Resolution {
        /// No window covers the address (never exposed, removed, or in an alignment gap).
        case none
        /// The window covering the first byte.
        case window(Window)
    }

    private let configuration: NodeBusConfiguration
    /// Slot `id - 1` holds window `id`; removed windows leave nil (never reused).
    private var windows: [Window?] = []
    /// The start address of every window ever exposed, ascending (parallel to `windows`).
    private var starts: [UInt64] = []
    private var nextAddress: UInt64

    init(configuration: NodeBusConfiguration) {
        self.configuration = configuration
        nextAddress = configuration.windowBase
    }

    /// Windows currently exposed.
    private(set) var liveWindowCount = 0

    /// Allocates a window of `length` bytes of `memory` from `offset` for `owner`.
    mutating func expose(
        _ memory: any MemoryBuffer, offset: Int, length: Int, access: BusWindowAccess, owner: Int
    ) throws(BusChannelError) -> BusWindow {
        let address = nextAddress
        let alignment = configuration.windowAlignment
        guard UInt64(length) <= configuration.addressLimit - address else { throw .addressSpaceExhausted }
        let end = address + UInt64(length)
        // The next window starts on the next alignment boundary at or after this one's end.
        let remainder = end & (alignment - 1)
        let next = remainder == 0 ? end : end + (alignment - remainder)
        let window = BusWindow(
            id: UInt64(windows.count + 1), address: BusAddress(rawValue: address), length: length, access: access)
        windows.append(Window(window: window, owner: owner, memory: memory, offset: offset))
        starts.append(address)
        nextAddress = min(next, configuration.addressLimit)
        liveWindowCount += 1
        return window
    }

    /// Withdraws `window` if `owner` exposed it and it is still there.
    mutating func remove(_ window: BusWindow, owner: Int) throws(BusChannelError) {
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
    mutating func removeAll(owner: Int) {
        for index in windows.indices where windows[index]?.owner == owner {
            windows[index] = nil
            liveWindowCount -= 1
        }
    }

    /// The window covering `address`, if any (whether the whole range fits is the caller's check).
    func resolve(_ address: BusAddress) -> Resolution {
        // The last window starting at or before the address.
        var low = 0
        var high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] <= address.rawValue { low = middle + 1 } else { high = middle }
        }
        guard low > 0, let found = windows[low - 1] else { return .none }
        guard address.rawValue - found.window.address.rawValue < UInt64(found.window.length) else { return .none }
        return .window(found)
    }
}
