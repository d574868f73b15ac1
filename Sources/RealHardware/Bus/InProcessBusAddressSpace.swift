import Hardware

/// The shared memory space of an ``InProcessBus``: the windows endpoints exposed, at
/// addresses handed out by a bump allocator (the simulated node bus's scheme).
///
/// Windows are stored in id order, which is also address order (the allocator only moves up
/// and never reuses a range), so an address is resolved by a binary search.
struct InProcessBusAddressSpace {
    struct Window {
        var window: BusWindow
        /// The index of the endpoint that exposed it.
        var owner: Int
        var memory: any ProcessMemory
        /// Where the window's first byte lies in `memory`.
        var offset: Int
    }

    private let configuration: InProcessBusConfiguration
    /// Slot `id - 1` holds window `id`; removed windows leave nil (never reused).
    private var windows: [Window?] = []
    /// The start address of every window ever exposed, ascending (parallel to `windows`).
    private var starts: [UInt64] = []
    private var nextAddress: UInt64
    private(set) var liveWindowCount = 0

    init(configuration: InProcessBusConfiguration) {
        self.configuration = configuration
        nextAddress = configuration.windowBase
    }

    mutating func expose(
        _ memory: any ProcessMemory, offset: Int, length: Int, access: BusWindowAccess, owner: Int
    ) throws(BusChannelError) -> BusWindow {
        let address = nextAddress
        guard UInt64(length) <= configuration.addressLimit - address else { throw .addressSpaceExhausted }
        let end = address + UInt64(length)
        let remainder = end & (configuration.windowAlignment - 1)
        let next = remainder == 0 ? end : end + (configuration.windowAlignment - remainder)
        let window = BusWindow(
            id: UInt64(windows.count + 1), address: BusAddress(rawValue: address), length: length, access: access)
        windows.append(Window(window: window, owner: owner, memory: memory, offset: offset))
        starts.append(address)
        nextAddress = min(next, configuration.addressLimit)
        liveWindowCount += 1
        return window
    }

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

    /// The window covering `address`'s first byte, if any.
    func resolve(_ address: BusAddress) -> Window? {
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
