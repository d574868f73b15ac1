import Hardware
import SimCore
import Testing
@testable import SimHardware

/// A shelf of `bays` devices; Red's controller (on its own PCI bus) on loop A, Blue's on loop B.
struct ShelfRig {
    let simulator: Simulator
    let shelf: DiskShelf
    let redBus: PCIBus
    let blueBus: PCIBus
    let red: IOController
    let blue: IOController
    let recorder: CompletionRecorder

    init(seed: UInt64 = 1, devices: [any LoopDevice], red redConfiguration: IOControllerConfiguration = .scsiHBA,
         simulator: Simulator? = nil)
    {
        let simulator = simulator ?? Simulator(seed: seed)
        self.simulator = simulator
        shelf = DiskShelf(name: "shelf0", bayCount: max(devices.count, 1), simulator: simulator)
        for (bay, device) in devices.enumerated() { shelf.install(device, inBay: bay) }
        redBus = PCIBus(name: "red.pci0", configuration: .pci32at33, simulator: simulator)
        blueBus = PCIBus(name: "blue.pci0", configuration: .pci32at33, simulator: simulator)
        red = IOController(name: "red.hba0", configuration: redConfiguration, bus: redBus, simulator: simulator)
        blue = IOController(name: "blue.hba0", configuration: .scsiHBA, bus: blueBus, simulator: simulator)
        red.attach(to: shelf.loop(.a), portName: "portA", initiator: InitiatorID(rawValue: 0x2100_0000_0000_00A1))
        blue.attach(to: shelf.loop(.b), portName: "portB", initiator: InitiatorID(rawValue: 0x2100_0000_0000_00B1))
        recorder = CompletionRecorder(now: { simulator.now })
    }

    func read(_ bytes: Int, tag: UInt64, timeout: TimeSpan = .seconds(5)) -> SCSIRequest {
        try! SCSIRequest(
            CDB.Read10(lba: UInt32(tag), transferLength: UInt16(bytes / 512)), dataTransfer: .fromDevice(count: bytes),
            timeout: timeout, tag: tag)
    }

    func write(_ bytes: Int, tag: UInt64, fill: UInt8 = 0x3C) -> SCSIRequest {
        try! SCSIRequest(
            CDB.Write10(lba: UInt32(tag), transferLength: UInt16(bytes / 512)),
            dataTransfer: .toDevice([UInt8](repeating: fill, count: bytes)), timeout: .seconds(5), tag: tag)
    }
}

@Suite("I/O controller")
struct IOControllerTests {
    @Test("a 64 KiB read takes firmware + loop command circuit + loop data + PCI DMA (16 × (4 + 1024) clocks) + firmware")
    func readTimeOnEachHop() throws {
        let rig = ShelfRig(devices: [InstantResponder(name: "bay0")])
        let path = rig.red.scsiDevices(port: 0)[0]
        #expect(path.name == "red.hba0.portA.bay0")
        try rig.recorder.submit(rig.read(65_536, tag: 1), to: path)
        rig.simulator.run()
        let completion = try #require(rig.recorder.completions.first)
        #expect(completion.isGood && completion.dataIn.count == 65_536)

        // The sum of the hops, from the constants (a ring of 2 ports: the disk and the HBA).
        let c = rig.shelf.loop(.a).configuration
        let word = 4
        let roundTrip = 2 * c.portLatencyWords * word
        let hop = c.portLatencyWords * word
        func frame(_ payload: Int) -> Int { payload + c.frameOverheadBytes + c.interFrameIdleWords * word }
        let commandCircuit = c.wireTime(bytes: roundTrip + word + frame(c.commandPayloadBytes) + 2 * word + roundTrip)
        let dataArrival = c.wireTime(bytes: roundTrip + word + 32 * frame(2048) + frame(c.responsePayloadBytes) + hop)
        let pci = rig.redBus.configuration
        let pciClocks = Int64(16 * (pci.burstOverheadClocks + 4096 / pci.widthBytes))
        let pciTime = pci.instant(ofClock: pciClocks) - Instant.zero
        let firmware = IOControllerConfiguration.scsiHBA.commandOverhead + IOControllerConfiguration.scsiHBA.completionOverhead
        let sum = firmware + commandCircuit + dataArrival + pciTime
        #expect(completion.duration >= sum, "\(completion.duration) vs \(sum)")
        // At most one PCI clock of alignment and a picosecond of rounding per hop more.
        #expect(completion.duration <= sum + (pci.instant(ofClock: 1) - Instant.zero) + .picoseconds(4), "\(completion.duration) vs \(sum)")
        #expect(rig.redBus.statistics(of: rig.red.dmaMaster).bytes == 65_536)
        #expect(rig.red.statistics.dmaBytes == 65_536 && rig.red.statistics.bytesRead == 65_536)
        #expect(rig.red.statistics.pciTime >= pciTime)
        print("64 KiB read: \(completion.duration) = firmware \(firmware) + loop \(commandCircuit + dataArrival) + PCI \(pciTime)")
    }

    @Test("a 64 KiB write: DMA read of the data-out, then the loop; the device gets the bytes")
    func write() throws {
        let device = InstantResponder(name: "bay0")
        let rig = ShelfRig(devices: [device])
        try rig.recorder.submit(rig.write(65_536, tag: 9), to: rig.red.scsiDevices(port: 0)[0])
        rig.simulator.run()
        #expect(rig.recorder.completions.first?.isGood == true)
        #expect(device.written == [[UInt8](repeating: 0x3C, count: 65_536)])
        #expect(device.received.first?.1 == .a)
        #expect(rig.red.statistics.bytesWritten == 65_536)
        #expect(rig.redBus.statistics(of: rig.red.dmaMaster).bytes == 65_536)
    }

    @Test("SCSIGenericDevice contract: no completion inside submit, even for an immediate failure")
    func neverInsideSubmit() throws {
        let responder = InstantResponder(name: "bay0")
        let rig = ShelfRig(devices: [responder])
        let path = rig.red.scsiDevices(port: 0)[0]
        try rig.recorder.submit(rig.read(512, tag: 1), to: path)
        #expect(rig.recorder.completions.isEmpty)
        // The device leaves between submit and the loop: the OPN fails, the failure waits for an event.
        responder.isPresent = false
        rig.simulator.run()
        #expect(rig.recorder.completions.map(\.hostStatus) == [.noConnect])
        #expect(!rig.recorder.completedInsideSubmit)
        #expect(path.outstandingCount == 0)
    }

    @Test("timeout: a request not answered within its timeout completes with DID_TIME_OUT at submit + timeout; the late answer is discarded")
    func timeout() throws {
        let simulator = Simulator(seed: 1)
        let slow = StreamingSource(name: "bay0", accessTime: .milliseconds(50), bytesPerSecond: 40_000_000, simulator: simulator)
        let rig = ShelfRig(devices: [slow], simulator: simulator)
        let path = rig.red.scsiDevices(port: 0)[0]
        try rig.recorder.submit(rig.read(4096, tag: 7, timeout: .milliseconds(10)), to: path)
        rig.simulator.run(until: Instant.zero + .milliseconds(20))
        #expect(rig.recorder.completions.map(\.hostStatus) == [.timeOut])
        #expect(rig.recorder.completions.first?.duration == .milliseconds(10))
        #expect(rig.recorder.times.first == Instant.zero + .milliseconds(10))
        #expect(path.outstandingCount == 0)
        rig.simulator.run()
        #expect(rig.recorder.completions.count == 1, "the late answer is not a second completion")
        #expect(rig.red.statistics.lateAnswersDiscarded == 1 && rig.red.statistics.timeouts == 1)
    }

    @Test("queue full: the queue depth's worth is accepted, the next submit throws (SCSI 32, ATA 1)",
        arguments: [IOControllerConfiguration.scsiHBA, .ataController])
    func queueFull(configuration: IOControllerConfiguration) throws {
        let simulator = Simulator(seed: 1)
        let slow = StreamingSource(name: "bay0", accessTime: .milliseconds(5), bytesPerSecond: 40_000_000, simulator: simulator)
        let rig = ShelfRig(devices: [slow], red: configuration, simulator: simulator)
        let path = rig.red.scsiDevices(port: 0)[0]
        #expect(path.queueDepth == configuration.queueDepth)
        for tag in 0..<path.queueDepth { try rig.recorder.submit(rig.read(512, tag: UInt64(tag)), to: path) }
        #expect(throws: SCSIGenericError.queueFull) { try rig.recorder.submit(rig.read(512, tag: 99), to: path) }
        rig.simulator.run()
        #expect(rig.recorder.completions.count == configuration.queueDepth)
        #expect(rig.recorder.completions.allSatisfy { $0.isGood })
        try rig.recorder.submit(rig.read(512, tag: 100), to: path)
    }

    @Test("a pulled bay: outstanding commands complete with DID_NO_CONNECT, new submits throw deviceGone")
    func pulledDevice() throws {
        let simulator = Simulator(seed: 1)
        let slow = StreamingSource(name: "bay0", accessTime: .milliseconds(5), bytesPerSecond: 40_000_000, simulator: simulator)
        let rig = ShelfRig(devices: [slow], simulator: simulator)
        let path = rig.red.scsiDevices(port: 0)[0]
        try rig.recorder.submit(rig.read(512, tag: 1), to: path)
        rig.simulator.run(until: Instant.zero + .milliseconds(1))
        rig.shelf.pull(bay: 0)
        #expect(rig.shelf.isPulled(bay: 0))
        #expect(throws: SCSIGenericError.deviceGone) { try rig.recorder.submit(rig.read(512, tag: 2), to: path) }
        rig.simulator.run()
        #expect(rig.recorder.completions.map(\.hostStatus) == [.noConnect])
        rig.shelf.reinsert(bay: 0)
        try rig.recorder.submit(rig.read(512, tag: 3), to: path)
        rig.simulator.run()
        #expect(rig.recorder.completions.last?.isGood == true)
    }

    @Test("a PCI error on the DMA completes with DID_ERROR (abort) or DID_PARITY (parity error)",
        arguments: [(PCITransactionStatus.targetAbort, SCSIHostStatus.error), (.masterAbort, .error), (.parityError, .parity)])
    func pciError(fault: PCITransactionStatus, expected: SCSIHostStatus) throws {
        let rig = ShelfRig(devices: [InstantResponder(name: "bay0")])
        rig.redBus.setFaults([PCIFaultRule(fault, probability: 1, in: 1)])
        try rig.recorder.submit(rig.read(8192, tag: 1), to: rig.red.scsiDevices(port: 0)[0])
        try rig.recorder.submit(rig.write(8192, tag: 2), to: rig.red.scsiDevices(port: 0)[0])
        rig.simulator.run()
        #expect(rig.recorder.completions.map(\.hostStatus) == [expected, expected])
        #expect(rig.red.statistics.hostErrors == 2)
    }
}
