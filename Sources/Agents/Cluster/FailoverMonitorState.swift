/// The states of a ``FailoverMonitor``: what its node serves and what it waits for.
///
/// The raw value is the state's code on the wire (every failover message carries its sender's
/// state). The legal moves are ``successors``; the monitor checks every move against it.
///
///     stopped ─start─> booting ─partner serves nothing of ours─> startingService ─> normal
///     booting ─no word from the partner for bootPartnerWait─> checkingOwnShelf ─not held─> startingService
///                                                  checkingOwnShelf ─held─> booting (wait again)
///     booting ─partner holds our shelf─> waitingForGiveback ─partner released─> reclaiming ─> normal
///     waitingForGiveback ─partner silent while holding our shelf (double failure)─> fencing
///         ─won─> takingOver (both shelves: own reclaimed, partner's taken) ─> takenOver
///     waitingForGiveback ─partner silent, no configuration or its log not in sync─> booting
///     normal ─partner silent, its configuration known, its log in sync─> fencing ─won─> takingOver ─> takenOver
///     normal ─partner silent, no configuration or its log not in sync (refused)─> partnerFailed
///         ─partner heard again─> normal
///
/// The guarded edges: a move into a state that ``requiresPartnerLogInSync`` (fencing) is taken
/// only with the partner's configuration known and the partner's last word saying its NVRAM
/// log is in sync here (``FailoverMessage/mirrorInSync``); the monitor asserts it on the move.
///     fencing ─lost (split brain)─> fencedOut (until reboot)
///     takenOver ─giveback request, own log in sync in the partner's mirror─> givingBack ─released─> normal
///         (the request waits in takenOver while the mirror re-sends what was acknowledged alone)
public enum FailoverMonitorState: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// Created, not started.
    case stopped = 0
    /// Serves nothing; waits for the partner's hello (or ``FailoverMonitorConfiguration/bootPartnerWait``).
    case booting = 1
    /// No partner in sight: asked ``FailoverActions/checkOwnShelf()``.
    case checkingOwnShelf = 2
    /// Asked ``FailoverActions/serveOwnShelf()``.
    case startingService = 3
    /// The partner holds this node's shelf (it took over): asked it to give the shelf back.
    case waitingForGiveback = 4
    /// The partner released this node's shelf: asked ``FailoverActions/reclaimOwnShelf()``.
    case reclaiming = 5
    /// Serves its own shelf and watches the partner's heartbeats.
    case normal = 6
    /// Serves its own shelf; the partner is declared failed but cannot be taken over (its
    /// configuration never arrived). Back to normal when the partner is heard again.
    case partnerFailed = 7
    /// The partner is declared failed: asked ``FailoverActions/fencePartner()``.
    case fencing = 8
    /// The fence won: asked ``FailoverActions/takeOver(partnerConfiguration:)``.
    case takingOver = 9
    /// Serves both shelves.
    case takenOver = 10
    /// The partner asked for its shelf back: asked ``FailoverActions/releasePartnerShelf()``.
    case givingBack = 11
    /// Lost the fence (split brain): serves nothing until the node reboots. Sends nothing.
    case fencedOut = 12

    /// The states this one may move to.
    public var successors: [FailoverMonitorState] {
        switch self {
        case .stopped: [.booting]
        case .booting: [.checkingOwnShelf, .startingService, .waitingForGiveback]
        case .checkingOwnShelf: [.booting, .startingService]
        case .startingService: [.normal]
        case .waitingForGiveback: [.reclaiming, .booting, .fencing]
        case .reclaiming: [.normal]
        case .normal: [.fencing, .partnerFailed]
        case .partnerFailed: [.normal]
        case .fencing: [.takingOver, .fencedOut]
        case .takingOver: [.takenOver]
        case .takenOver: [.givingBack]
        case .givingBack: [.normal]
        case .fencedOut: []
        }
    }

    /// Whether a move into this state is guarded: taken only with the partner's configuration
    /// known and its NVRAM log in sync in this node's mirror half (a takeover replays that copy).
    /// Otherwise the failed partner is not taken over (``TakeoverSkipReason``).
    public var requiresPartnerLogInSync: Bool { self == .fencing }

    /// Whether a node in this state serves (or is about to serve) its partner's shelf: what a
    /// booting partner reads in this node's hello and heartbeats.
    public var holdsPartnerShelf: Bool {
        switch self {
        case .takingOver, .takenOver, .givingBack: true
        default: false
        }
    }

    /// Whether a node in this state is fencing its partner or about to hold its shelf: a booting
    /// partner must not serve its own shelf yet.
    public var claimsPartnerShelf: Bool { self == .fencing || holdsPartnerShelf }

    public var description: String {
        switch self {
        case .stopped: "stopped"
        case .booting: "booting"
        case .checkingOwnShelf: "checking own shelf"
        case .startingService: "starting service"
        case .waitingForGiveback: "waiting for giveback"
        case .reclaiming: "reclaiming"
        case .normal: "normal"
        case .partnerFailed: "partner failed"
        case .fencing: "fencing"
        case .takingOver: "taking over"
        case .takenOver: "taken over"
        case .givingBack: "giving back"
        case .fencedOut: "fenced out"
        }
    }
}
