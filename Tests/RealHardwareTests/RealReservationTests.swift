import Agents
import Glibc
import Hardware
import RealHardware
import Synchronization
import Testing

/// The persistent-reservation disks the VM builds with LIO (Tests/VM/lio-setup.sh): disk red0
/// seen from initiator red and from initiator blue, two I_T nexuses of one LU.
enum LIOReservationDisk {
    static let red = "/dev/iofabric/sg-red0-red"
    static let blue = "/dev/iofabric/sg-red0-blue"
    static let status = "/run/iofabric-lio.status"

    /// The two paths when the first exists; nil and one line saying why otherwise.
    static func paths(_ test: String) -> (red: String, blue: String)? {
        guard access(red, F_OK) == 0 else {
            var reason = "no \(red) here (the VM's LIO disks)"
            if let file = fopen(status, "r") {
                var line = [CChar](repeating: 0, count: 512)
                if fgets(&line, Int32(line.count), file) != nil {
                    reason += "; LIO setup said: \(String(cString: line).split(separator: "\n").first ?? "")"
                }
                fclose(file)
            }
            print("\(test): \(reason), skipped")
            return nil
        }
        return (red, blue)
    }

    /// `path` and what it links to, e.g. `/dev/iofabric/sg-red0-red (/dev/sg1)`.
    static func describe(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return "\(path) (\(String(cString: resolved)))"
    }
}

/// A fake SG_IO that answers GOOD to everything and keeps the CDBs it was given.
final class RecordingSGIOExecutor: SGIOExecutor {
    let cdbs = Mutex<[[UInt8]]>([])

    func execute(_ command: SGIOCommand) -> SGIOResult {
        cdbs.withLock { $0.append(command.cdb) }
        return SGIOResult(executionTime: .microseconds(1))
    }
}

/// PREEMPT AND ABORT on a LIO tcm_loop LUN goes out as PREEMPT (`PreemptAndAbortOnTCMLoop`):
/// the CDB mapping, the detection of a tcm_loop host in sysfs, the device's switch. Runs
/// everywhere (a fake executor, a fake sysfs tree).
@Suite("PREEMPT AND ABORT on tcm_loop")
struct PreemptAndAbortOnTCMLoopTests {
    static let preemptAndAbort = CDB.PersistentReserveOut(serviceAction: .preemptAndAbort, type: .writeExclusive).bytes

    @Test("PREEMPT AND ABORT (05h) becomes PREEMPT (04h), scope/type and the rest kept; other commands untouched")
    func replacement() throws {
        let original = Self.preemptAndAbort
        let replaced = try #require(PreemptAndAbortOnTCMLoop.replacement(for: original))
        #expect(replaced == CDB.PersistentReserveOut(serviceAction: .preempt, type: .writeExclusive).bytes)
        #expect(replaced[1] & 0x1F == PersistentReserveOutAction.preempt.rawValue)
        #expect(replaced[2] == original[2] && Array(replaced[3...]) == Array(original[3...]))
        for action in [PersistentReserveOutAction.register, .reserve, .release, .clear, .preempt, .registerAndIgnoreExistingKey] {
            #expect(PreemptAndAbortOnTCMLoop.replacement(for: CDB.PersistentReserveOut(serviceAction: action).bytes) == nil)
        }
        #expect(PreemptAndAbortOnTCMLoop.replacement(for: CDB.SynchronizeCache10().bytes) == nil)
        #expect(PreemptAndAbortOnTCMLoop.replacement(for: []) == nil)
    }

    @Test("a tcm_loop LUN is told by its host's proc_name, through a symbolic link to its sg node")
    func detection() throws {
        let directory = TestDirectory()
        let root = directory.path
        let sysfs = root + "/sys"
        let lun = sysfs + "/devices/host3/target3:0:1/3:0:1:0"
        var made: [String] = []
        for folder in [
            "/sys", "/sys/devices", "/sys/devices/host3", "/sys/devices/host3/target3:0:1",
            "/sys/devices/host3/target3:0:1/3:0:1:0", "/sys/class", "/sys/class/scsi_generic",
            "/sys/class/scsi_generic/sg7", "/sys/class/scsi_host", "/sys/class/scsi_host/host3", "/dev",
        ] {
            #expect(mkdir(root + folder, 0o755) == 0)
            made.append(root + folder)
        }
        #expect(symlink(lun, sysfs + "/class/scsi_generic/sg7/device") == 0)
        let node = root + "/dev/sg7"
        let link = root + "/dev/sg-red0-red"
        let procName = sysfs + "/class/scsi_host/host3/proc_name"
        #expect(close(open(node, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)) == 0)
        #expect(symlink(node, link) == 0)
        func writeProcName(_ text: String) {
            let fd = open(procName, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
            _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, text.utf8.count) }
            close(fd)
        }
        defer {
            for file in [procName, link, node, sysfs + "/class/scsi_generic/sg7/device"] { unlink(file) }
            for folder in made.reversed() { rmdir(folder) }
            rmdir(root)
        }
        writeProcName("tcm_loopback\n")
        #expect(PreemptAndAbortOnTCMLoop.isTCMLoopDevice(path: link, sysfs: sysfs))
        #expect(PreemptAndAbortOnTCMLoop.isTCMLoopDevice(path: node, sysfs: sysfs))
        writeProcName("scsi_debug\n")
        #expect(!PreemptAndAbortOnTCMLoop.isTCMLoopDevice(path: link, sysfs: sysfs))
        #expect(!PreemptAndAbortOnTCMLoop.isTCMLoopDevice(path: root + "/dev/none", sysfs: sysfs))
        #expect(!PreemptAndAbortOnTCMLoop.isTCMLoopDevice(path: "/dev/null"))
    }

    @Test("the device sends PREEMPT for PREEMPT AND ABORT only when told to, and counts it")
    func deviceSwitch() throws {
        for sendsPreempt in [false, true] {
            let runtime = try RealNodeRuntime(nodeName: "host0", seed: 5)
            let executor = RecordingSGIOExecutor()
            let device = try RealSCSIGenericDevice(
                name: "fake-lio", executor: executor, runtime: runtime,
                configuration: RealSCSIGenericDeviceConfiguration(preemptAndAbortAsPreempt: sendsPreempt))
            defer { device.close() }
            #expect(device.sendsPreemptAndAbortAsPreempt == sendsPreempt)
            let log = CompletionLog()
            let parameters = PersistentReserveOutParameters(reservationKey: 2, serviceActionReservationKey: 1).bytes
            try device.submit(
                SCSIRequest(cdb: Self.preemptAndAbort, dataTransfer: .toDevice(parameters), timeout: .seconds(5), tag: 1),
                handler: log)
            try device.submit(SCSIRequest(CDB.SynchronizeCache10(), timeout: .seconds(5), tag: 2), handler: log)
            runtime.run(until: { log.completions.count == 2 }, deadline: runtime.now + runtimeTestDeadline)
            #expect(log.completions.allSatisfy { $0.isGood })
            let sent = executor.cdbs.withLock { $0 }
            #expect(sent.count == 2)
            #expect(sent.first?[1] == (sendsPreempt ? 0x04 : 0x05), "service action sent")
            #expect(sent.last == CDB.SynchronizeCache10().bytes)
            #expect(device.statistics.preemptAndAbortSentAsPreempt == (sendsPreempt ? 1 : 0))
        }
    }
}

/// The fence's reservation sequence (README "Takeover", "Drain barrier") by two unchanged SCSI
/// DDMs, one per I_T nexus of one real disk with SCSI-3 persistent reservations (the VM's LIO
/// disk red0, through tcm_loop: `/dev/iofabric/sg-red0-red` and `/dev/iofabric/sg-red0-blue`).
/// Skips where that disk is absent, naming the devices where it runs.
@Suite("Persistent reservations on a real disk, two initiators", .serialized)
struct RealReservationTests {
    final class Results: DeviceDriverDelegate {
        var results: [UInt64: DeviceResult] = [:]
        func deviceCompleted(_ driver: any DeviceDriver, tag: UInt64, result: DeviceResult) { results[tag] = result }
    }

    /// One DDM over one nexus, on the shared runtime.
    struct Nexus {
        let name: String
        let device: RealSCSIGenericDevice
        let driver: SCSIDeviceDriver
        let results = Results()
    }

    /// Keys of this test (assumption: any nonzero 8-byte keys; the cluster's own are its roles').
    static let redKey: UInt64 = 0x1F0F_AB00_0000_00AA
    static let blueKey: UInt64 = 0x1F0F_AB00_0000_00BB
    /// A block no other test writes on this disk, near its end (red0 is 65536 blocks of 512).
    static let lba: UInt64 = 60_000

    @Test("register both, reserve from red, blue's write conflicts, blue preempts (and aborts), drains, reserves; red's write conflicts, blue's write and read verified")
    func fenceSequence() throws {
        guard let paths = LIOReservationDisk.paths("Real reservation test") else { return }
        print(
            "Real reservation test runs on \(LIOReservationDisk.describe(paths.red)) and \(LIOReservationDisk.describe(paths.blue))"
        )
        let runtime = try RealNodeRuntime(nodeName: "host0", seed: 8)
        let deadline = runtime.now + runtimeTestDeadline
        var tag: UInt64 = 0
        func open(_ path: String, _ name: String) throws -> Nexus {
            let device = try RealSCSIGenericDevice(path: path, runtime: runtime)
            let driver = SCSIDeviceDriver(name: name, device: device, runtime: runtime)
            let nexus = Nexus(name: name, device: device, driver: driver)
            driver.delegate = nexus.results
            return nexus
        }
        let red = try open(paths.red, "red")
        defer { red.device.close() }
        let blue = try open(paths.blue, "blue")
        defer { blue.device.close() }
        #expect(red.device.name == paths.red && blue.device.name == paths.blue, "devices named by the paths given")

        func wait(_ nexus: Nexus, _ start: (UInt64) -> Void) throws -> DeviceResult {
            tag += 1
            let mine = tag
            start(mine)
            runtime.run(until: { nexus.results.results[mine] != nil }, deadline: deadline)
            return try #require(nexus.results.results[mine], "\(nexus.name): no answer to tag \(mine)")
        }
        func reserve(_ nexus: Nexus, _ request: ReservationRequest) throws -> DeviceResult {
            let result = try wait(nexus) { nexus.driver.reserve(request, tag: $0) }
            print("  \(nexus.name): \(request) → \(result.status)\(result.reservation.map { " \($0)" } ?? "")")
            return result
        }
        /// PERSISTENT RESERVE OUT CLEAR with `key` (not a DDM operation: the test's own clean
        /// slate), sent again after a UNIT ATTENTION.
        func clear(_ nexus: Nexus, key: UInt64) throws {
            let log = CompletionLog()
            for attempt in 1...3 {
                try nexus.device.submit(
                    SCSIRequest(
                        CDB.PersistentReserveOut(serviceAction: .clear),
                        dataTransfer: .toDevice(PersistentReserveOutParameters(reservationKey: key).bytes),
                        timeout: .seconds(10), tag: UInt64(900 + attempt)),
                    handler: log)
                runtime.run(until: { log.completions.count == attempt }, deadline: deadline)
                let completion = try #require(log.completions.last)
                if completion.isGood { return }
                print("  \(nexus.name): CLEAR: \(nexus.device.describe(completion))")
                guard completion.senseData?.senseKey == .unitAttention else { break }
            }
            Issue.record("\(nexus.name): PERSISTENT RESERVE OUT CLEAR failed")
        }

        // Identify: the unchanged DDM on LIO (INQUIRY, VPD 80h and 83h, READ CAPACITY(16)).
        var identities: [DeviceIdentity] = []
        for nexus in [red, blue] {
            let result = try wait(nexus) { nexus.driver.identify(tag: $0) }
            let identity = try #require(result.identity, "\(nexus.name): identify \(result.status)")
            print("  \(nexus.name) identify: \(identity)")
            #expect(result.status == .good)
            #expect(identity.vendor == "LIO-ORG")
            identities.append(identity)
        }
        #expect(identities[0] == identities[1], "one logical unit behind both nexuses")
        let blockLength = Int(identities[0].blockLength)
        #expect(Self.lba < identities[0].blockCount)

        // A clean slate (an earlier run may have left keys), then both register as the UMA's
        // boot does: REGISTER AND IGNORE EXISTING KEY.
        #expect(try reserve(red, .registerIgnoringExisting(key: Self.redKey)).status == .good)
        try clear(red, key: Self.redKey)
        #expect(try reserve(red, .registerIgnoringExisting(key: Self.redKey)).status == .good)
        #expect(try reserve(blue, .registerIgnoringExisting(key: Self.blueKey)).status == .good)
        let keys = try reserve(blue, .readKeys).reservation?.keys ?? []
        #expect(Set(keys) == [Self.redKey, Self.blueKey])

        // Red reserves (WRITE EXCLUSIVE): red writes, blue's write conflicts, blue may read.
        #expect(try reserve(red, .reserve(key: Self.redKey)).status == .good)
        #expect(try reserve(blue, .readReservation).reservation?.holder == Self.redKey)
        let redData = (0..<(8 * blockLength)).map { UInt8(truncatingIfNeeded: $0 &* 5 &+ 0x21) }
        let blueData = (0..<(8 * blockLength)).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ 0x7B) }
        #expect(try wait(red) { red.driver.write(lba: Self.lba, data: redData, forceUnitAccess: false, tag: $0) }.status == .good)
        let blueRefused = try wait(blue) { blue.driver.write(lba: Self.lba, data: blueData, forceUnitAccess: false, tag: $0) }
        print("  blue: write while red holds the reservation → \(blueRefused.status)")
        #expect(blueRefused.status == .reservationConflict)
        let blueSawRed = try wait(blue) { blue.driver.read(lba: Self.lba, blocks: 8, tag: $0) }
        #expect(blueSawRed.status == .good && blueSawRed.data == redData, "WRITE EXCLUSIVE lets a registrant read")

        // The fence: blue preempts red (PREEMPT AND ABORT), drains, reserves.
        #expect(try reserve(blue, .preempt(key: Self.blueKey, victim: Self.redKey)).status == .good)
        print(
            "  blue's device sent PREEMPT AND ABORT as PREEMPT: \(blue.device.sendsPreemptAndAbortAsPreempt) "
                + "(\(blue.device.statistics.preemptAndAbortSentAsPreempt) time(s))")
        #expect(try reserve(blue, .drain).status == .good)
        #expect(try reserve(blue, .reserve(key: Self.blueKey)).status == .good)
        #expect(try reserve(blue, .readReservation).reservation?.holder == Self.blueKey)
        #expect(try reserve(blue, .readKeys).reservation?.keys == [Self.blueKey])

        // Red is fenced: its next write conflicts (after the UNIT ATTENTION "registrations
        // preempted", which the DDM answers by sending the write again).
        let redRefused = try wait(red) { red.driver.write(lba: Self.lba, data: redData, forceUnitAccess: false, tag: $0) }
        print("  red: write after the fence → \(redRefused.status) (\(red.driver.statistics.unitAttentionRetries) UNIT ATTENTION retries)")
        #expect(redRefused.status == .reservationConflict)

        // Blue owns the disk: its write lands, and both read blue's bytes back.
        let blueWrite = try wait(blue) { blue.driver.write(lba: Self.lba, data: blueData, forceUnitAccess: true, tag: $0) }
        print("  blue: write (FUA) after the fence → \(blueWrite.status)")
        #expect(blueWrite.status == .good)
        let blueRead = try wait(blue) { blue.driver.read(lba: Self.lba, blocks: 8, tag: $0) }
        #expect(blueRead.status == .good && blueRead.data == blueData, "blue reads back its \(blueData.count) bytes")
        let redRead = try wait(red) { red.driver.read(lba: Self.lba, blocks: 8, tag: $0) }
        #expect(redRead.status == .good && redRead.data == blueData, "red reads blue's bytes (not its own refused write)")
        print("  blue's write of \(blueData.count) bytes at LBA \(Self.lba) read back byte for byte from both nexuses")

        // Leave the disk clean for the next user.
        try clear(blue, key: Self.blueKey)
        #expect(red.driver.inProgress == 0 && blue.driver.inProgress == 0, "red \(red.driver.inProgress), blue \(blue.driver.inProgress) in progress")
    }
}
