import Hardware

/// The DMA manager's data buffers: the bus window the UMA attached, cut into equal segments
/// (a remainder shorter than a segment is left unused), lent out as scatter-gather lists.
///
/// Segments are numbered from 0 by address; free ones are kept on a stack, so the pool hands
/// out the same segments in the same order on every run.
struct RTABufferPool {
    let window: BusSegment
    let segmentSize: Int
    let count: Int
    /// Bumped at every attach: segments of an earlier pool are never released into this one.
    let generation: UInt32
    private var free: [Int]

    init(window: BusSegment, segmentSize: UInt32, generation: UInt32) {
        precondition(segmentSize > 0, "zero segment size")
        self.window = window
        self.segmentSize = Int(segmentSize)
        count = Int(window.length) / Int(segmentSize)
        self.generation = generation
        free = Array((0..<count).reversed())
    }

    var freeCount: Int { free.count }
    var inUse: Int { count - free.count }

    /// The bus span of segment `index`.
    func segment(_ index: Int) -> BusSegment {
        let offset = index * segmentSize
        return BusSegment(address: window.address + offset, length: UInt32(segmentSize))
    }

    /// Segments needed for `bytes`.
    func segmentsNeeded(for bytes: Int) -> Int { (bytes + segmentSize - 1) / segmentSize }

    /// Takes `needed` segments, or nil when fewer are free.
    mutating func acquire(_ needed: Int) -> [Int]? {
        guard needed <= free.count else { return nil }
        return (0..<needed).map { _ in free.removeLast() }
    }

    mutating func release(_ segments: [Int]) {
        for index in segments {
            assert(index < count && !free.contains(index), "segment \(index) released twice")
            free.append(index)
        }
    }
}
