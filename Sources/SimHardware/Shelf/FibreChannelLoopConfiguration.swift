import Timebase

/// The signalling rate of a Fibre Channel link.
public enum FibreChannelSpeed: String, Hashable, Sendable, CaseIterable {
    /// 1GFC: 1.0625 Gbaud (REFERENCE §C.5 "[unverified] 1GFC = 1.0625 Gbaud").
    case oneGFC
    /// 2GFC: 2.125 Gbaud (REFERENCE §C.5; §C.6 suggests 2 Gb FC-AL for the shelf loops).
    case twoGFC

    /// Transmission characters (10-bit, 8b/10b) per second × 10: the baud rate.
    public var baud: Int64 {
        switch self {
        case .oneGFC: 1_062_500_000
        case .twoGFC: 2_125_000_000
        }
    }

    /// Bytes per second on the wire after 8b/10b coding: 106.25 MB/s (1GFC), 212.5 MB/s (2GFC).
    public var bytesPerSecond: Double { Double(baud) / 10 }
}

/// The parameters of one FC-AL loop (``FibreChannelLoop``). Every size is in bytes on the
/// wire, i.e. transmission characters (one 10-bit character per byte after 8b/10b); an
/// ordered set (IDLE, ARB, OPN, CLS, R_RDY) or a fill word is one 4-character word.
///
/// Defaults and their sources:
/// - Speed: 2GFC (REFERENCE §C.6, "Shelf loops: 2 Gb FC-AL per loop").
/// - Frame: SOF 4 + header 24 + CRC 4 + EOF 4 = 36 bytes around a payload of at most
///   2048 bytes. FC-FS allows 2112; FCP data frames of 2048 bytes (a power of two that
///   divides block-sized transfers) are what 2002 HBAs and disks negotiated, so 2048 it is.
/// - At least 6 fill words (IDLE) between frames (FC-FS: the transmitter sends at least six
///   primitive signals between frames) = 24 bytes.
/// - Port repeat latency: 6 words per hop. Assumption: a port in the loop retimes through an
///   elastic buffer and repeats each word a few words later (FC-AL puts it at a handful of
///   words); cable delay of a shelf's backplane is folded into it.
/// - FCP information units (FCP-2 §9): FCP_CMND 32 bytes (LUN 8, control 4, CDB 16, DL 4),
///   FCP_XFER_RDY 12 bytes, FCP_RSP 24 bytes plus sense data.
/// - Fairness: on (REFERENCE §C.5, the access fairness window).
/// - Loop initialisation after a repair: 2 ms. Assumption: the LIP sequence itself takes
///   microseconds on a 16-port loop, but the initiators' re-login to every device
///   (PLOGI/PRLI) through a 2002 HBA's firmware takes milliseconds.
public struct FibreChannelLoopConfiguration: Hashable, Sendable {
    /// The signalling rate.
    public var speed: FibreChannelSpeed
    /// The largest payload of one data frame, in bytes (≤ 2112, FC-FS).
    public var maxFramePayload: Int
    /// SOF + frame header + CRC + EOF, in bytes.
    public var frameOverheadBytes: Int
    /// Fill words (IDLE) after each frame.
    public var interFrameIdleWords: Int
    /// Words each port on the loop delays what it repeats.
    public var portLatencyWords: Int
    /// Whether ports obey the access fairness window.
    public var fairness: Bool
    /// How long loop initialisation takes after a repair before the loop carries traffic.
    public var initialisationTime: TimeSpan
    /// FCP_CMND payload for a CDB of up to 16 bytes.
    public var commandPayloadBytes: Int
    /// FCP_XFER_RDY payload.
    public var transferReadyPayloadBytes: Int
    /// FCP_RSP payload without sense data.
    public var responsePayloadBytes: Int

    public init(
        speed: FibreChannelSpeed = .twoGFC, maxFramePayload: Int = 2048, frameOverheadBytes: Int = 36,
        interFrameIdleWords: Int = 6, portLatencyWords: Int = 6, fairness: Bool = true,
        initialisationTime: TimeSpan = .milliseconds(2), commandPayloadBytes: Int = 32,
        transferReadyPayloadBytes: Int = 12, responsePayloadBytes: Int = 24
    ) {
        self.speed = speed
        self.maxFramePayload = maxFramePayload
        self.frameOverheadBytes = frameOverheadBytes
        self.interFrameIdleWords = interFrameIdleWords
        self.portLatencyWords = portLatencyWords
        self.fairness = fairness
        self.initialisationTime = initialisationTime
        self.commandPayloadBytes = commandPayloadBytes
        self.transferReadyPayloadBytes = transferReadyPayloadBytes
        self.responsePayloadBytes = responsePayloadBytes
    }

    /// Bytes (transmission characters) in one word.
    public static let wordBytes = 4

    /// What is wrong with the parameters, if anything.
    public func validationErrors() -> [String] {
        var errors: [String] = []
        if !(1...2112).contains(maxFramePayload) || maxFramePayload % 4 != 0 {
            errors.append("maxFramePayload must be a multiple of 4 in 4…2112 (FC-FS), not \(maxFramePayload)")
        }
        if frameOverheadBytes < 0 || interFrameIdleWords < 0 || portLatencyWords < 0 {
            errors.append("frame overhead, idle words and port latency must not be negative")
        }
        if initialisationTime < .zero { errors.append("initialisationTime must not be negative") }
        return errors
    }

    /// Wire bytes of one frame carrying `payload` bytes (rounded up to a word) plus the idles
    /// after it.
    public func frameWireBytes(payload: Int) -> Int {
        let padded = (payload + 3) / 4 * 4
        return padded + frameOverheadBytes + interFrameIdleWords * Self.wordBytes
    }

    /// Wire bytes of the data frames carrying `bytes` of data (full frames, then the rest).
    public func dataWireBytes(_ bytes: Int) -> Int {
        guard bytes > 0 else { return 0 }
        let full = bytes / maxFramePayload
        let rest = bytes % maxFramePayload
        return full * frameWireBytes(payload: maxFramePayload) + (rest > 0 ? frameWireBytes(payload: rest) : 0)
    }

    /// The time `bytes` transmission characters take on the wire, rounded up to a picosecond.
    public func wireTime(bytes: Int) -> TimeSpan {
        precondition(bytes >= 0)
        let picoseconds = (Int128(bytes) * 10 * 1_000_000_000_000 + Int128(speed.baud) - 1) / Int128(speed.baud)
        return TimeSpan(picoseconds: Int64(picoseconds))
    }
}
