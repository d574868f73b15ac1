import Agents
import Hardware
import SimCore
import SimHardware
import Testing

/// A test double of the target transport for the UMA's tests: it records what the UMA
/// advertises, accepts, refuses and closes; nothing crosses a network.
final class UMAFakeTransport: TargetTransport {
    let protocolName = "infiniband"
    weak var connectionDelegate: (any TargetConnectionDelegate)?
    weak var dataDelegate: (any TargetDataDelegate)?
    private(set) var dataPool: any MemoryBuffer = SimMemory(name: "pool", length: 1)
    let serviceAddress = ServiceAddress(
        protocolName: "infiniband", endpoint: TransportEndpoint(address: [0, 1], queuePairNumber: 1, packetSequenceNumber: 0),
        queueKey: 1)
    private(set) var advertisements: [IOUnitAdvertisement] = []
    private(set) var accepted: [(connection: ConnectionID, luns: [UInt16])] = []
    private(set) var rejected: [ConnectRejectReason] = []
    private(set) var closed: [ConnectionID] = []
    private var nextHandle: UInt64 = 1
    var statistics: TransportStatistics { TransportStatistics() }

    func start(dataPoolBytes: Int) throws(TransportError) {
        dataPool = SimMemory(name: "pool", length: dataPoolBytes)
    }

    func advertise(_ unit: IOUnitAdvertisement) { advertisements.append(unit) }

    func accept(_ request: IncomingConnection, as connection: ConnectionID, grant: ConnectionGrant) throws(TransportError) {
        accepted.append((connection, grant.luns))
    }

    func reject(_ request: IncomingConnection, reason: ConnectRejectReason) { rejected.append(reason) }
    func close(_ connection: ConnectionID) { closed.append(connection) }
    func send(_ message: [UInt8], on connection: ConnectionID) throws(TransportError) {}
    func write(_ pool: [PoolSegment], to remote: RemoteBuffer, on connection: ConnectionID, tag: UInt64) throws(TransportError) {}
    func read(_ remote: RemoteBuffer, into pool: [PoolSegment], on connection: ConnectionID, tag: UInt64) throws(TransportError) {}

    /// A client `client` asks the UMA for `luns` (all it may reach when empty).
    func connect(client: UInt64, luns: [UInt16] = []) {
        let handle = nextHandle
        nextHandle += 1
        connectionDelegate?.connectionRequested(IncomingConnection(
            handle: handle,
            offer: ConnectionOffer(
                clientGUID: client, serviceID: ServiceEntry.blockStorage.serviceID, requestedLUNs: luns,
                regions: [RemoteBuffer(address: 0x1000, length: 1 << 20, rkey: 7)], maxOutstanding: 16)))
    }

    /// The LUNs the last advertisement lists.
    var advertisedLUNs: [UInt16] { advertisements.last?.controllers.flatMap { $0.luns.map(\.lun) } ?? [] }
}

/// Records a UMA's observer calls.
final class UMAObserverRecorder: UnitManagementObserver {
    private(set) var ready = 0
    private(set) var failures: [String] = []
    func targetReady(_ uma: UnitManagementAgent, advertisement: IOUnitAdvertisement) { ready += 1 }
    func targetFailed(_ uma: UnitManagementAgent, reason: String) { failures.append(reason) }
}

/// One system of a two-system cluster: a host storage node (UMA with a fake transport) and one
/// storage node (RTA) on a fake bus; the RTA's controller has port 0 on its own shelf's loop A
/// (primary drivers) and port 1 on the partner shelf's loop B (partner drivers).
final class UMAClusterSystem {
    let name: String
    let runtime: SimNodeRuntime
    let hostRuntime: SimNodeRuntime
    let bus: RTAFakeBus
    let controller: IOController
    let rta: RemoteTransportAgent
    let uma: UnitManagementAgent
    let transport = UMAFakeTransport()
    let observer = UMAObserverRecorder()
    let primaryDrivers: [any DeviceDriver]
    let partnerDrivers: [any DeviceDriver]

    init(name: String, simulator: Simulator, own: DiskShelf, partner: DiskShelf, bays: Int, ata: Bool,
         configuration: TargetConfiguration, initiatorBase: UInt64) {
        self.name = name
        runtime = SimNodeRuntime(nodeName: name + ".sn", simulator: simulator)
        hostRuntime = SimNodeRuntime(nodeName: name + ".host", simulator: simulator)
        bus = RTAFakeBus(simulator: simulator, seed: initiatorBase, name: name + ".bus")
        let pci = PCIBus(name: name + ".pci", configuration: .pci32at33, simulator: simulator)
        controller = IOController(
            name: name + ".hba", configuration: ata ? .ataController : .scsiHBA, bus: pci, simulator: simulator)
        controller.attach(to: own.loop(.a), portName: "portA", initiator: InitiatorID(rawValue: initiatorBase + 0xA))
        controller.attach(to: partner.loop(.b), portName: "portB", initiator: InitiatorID(rawValue: initiatorBase + 0xB))
        let controller = controller
        let runtime = runtime
        func driver(_ port: Int, _ shelf: DiskShelf, _ bay: Int, _ loop: DrivePort) -> any DeviceDriver {
            let path = controller.scsiDevice(port: port, devicePort: shelf.loopPort(bay: bay, loop))
            let driverName = "\(name).ddm\(port).\(bay)"
            return ata
                ? ATADeviceDriver(name: driverName, device: path, runtime: runtime)
                : SCSIDeviceDriver(name: driverName, device: path, runtime: runtime)
        }
        primaryDrivers = (0..<bays).map { driver(0, own, $0, .a) }
        partnerDrivers = (0..<bays).map { driver(1, partner, $0, .b) }
        let umaChannel = bus.makeChannel()
        let rtaChannel = bus.makeChannel()
        rta = RemoteTransportAgent(
            name: name + ".rta", runtime: runtime, channel: rtaChannel, drivers: primaryDrivers, partnerDrivers: partnerDrivers)
        uma = UnitManagementAgent(
            name: name + ".uma", runtime: hostRuntime, transport: transport, channel: umaChannel, configuration: configuration)
        transport.connectionDelegate = uma
        uma.observer = observer
        rta.start()
    }
}

/// Two systems, Red and Blue, each with a shelf of `bays` disks; Red's LUNs from 0, Blue's
/// from `bays`; the mailbox disk is Red's bay 0.
struct UMAClusterRig {
    static let redKey: UInt64 = 0x5245_4400_0000_0001
    static let blueKey: UInt64 = 0x424C_5545_0000_0002

    let simulator: Simulator
    let redShelf: DiskShelf
    let blueShelf: DiskShelf
    let redDisks: [SimDisk]
    let blueDisks: [SimDisk]
    let red: UMAClusterSystem
    let blue: UMAClusterSystem

    static func wwn(shelf: Int, bay: Int) -> UInt64 { 0x5000_C500_0000_0000 | UInt64(shelf) << 16 | UInt64(bay) }

    init(bays: Int = 2, ata: Bool = false, cluster: Bool = true, seed: UInt64 = 1) {
        simulator = Simulator(seed: seed)
        redShelf = DiskShelf(name: "red.shelf", bayCount: bays, simulator: simulator)
        blueShelf = DiskShelf(name: "blue.shelf", bayCount: bays, simulator: simulator)
        let model: DiskModel = ata ? .barracudaATA4 : .atlas10K
        redDisks = Self.disks(redShelf, 1, bays: bays, model: model, simulator: simulator)
        blueDisks = Self.disks(blueShelf, 2, bays: bays, model: model, simulator: simulator)
        let mailbox = Self.wwn(shelf: 1, bay: 0)
        var redConfiguration = TargetConfiguration()
        var blueConfiguration = TargetConfiguration()
        redConfiguration.unitGUID = 0x0002_c903_0000_0001
        blueConfiguration.unitGUID = 0x0002_c903_0000_0002
        blueConfiguration.lunBase = UInt16(bays)
        redConfiguration.dataPoolBytes = 1 << 20  // four 256 KiB transfers: the UMA's minimum for one RTA
        blueConfiguration.dataPoolBytes = 1 << 20
        if cluster {
            redConfiguration.cluster = ClusterRole(ownKey: Self.redKey, partnerKey: Self.blueKey, mailboxWorldWideName: mailbox)
            blueConfiguration.cluster = ClusterRole(ownKey: Self.blueKey, partnerKey: Self.redKey, mailboxWorldWideName: mailbox)
        }
        red = UMAClusterSystem(
            name: "red", simulator: simulator, own: redShelf, partner: blueShelf, bays: bays, ata: ata,
            configuration: redConfiguration, initiatorBase: 0x2100_0000_0000_0100)
        blue = UMAClusterSystem(
            name: "blue", simulator: simulator, own: blueShelf, partner: redShelf, bays: bays, ata: ata,
            configuration: blueConfiguration, initiatorBase: 0x2100_0000_0000_0200)
    }

    private static func disks(_ shelf: DiskShelf, _ index: Int, bays: Int, model: DiskModel, simulator: Simulator) -> [SimDisk] {
        (0..<bays).map { bay in
            let disk = SimDisk(
                name: "\(shelf.name).bay\(bay)", model: model, simulator: simulator, serialNumber: "SN\(index)\(bay)",
                worldWideName: wwn(shelf: index, bay: bay))
            shelf.install(disk, inBay: bay)
            return disk
        }
    }

    /// Resets both UMAs and runs until both are ready (discovered, registered, reserved).
    func boot() {
        red.uma.reset()
        blue.uma.reset()
        simulator.run()
    }
}
