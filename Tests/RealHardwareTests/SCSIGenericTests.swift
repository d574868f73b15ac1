import Glibc
import Testing

@testable import RealHardware

@Suite struct SCSIGenericProbeTests {
    @Test func missingPathIsReportedAsENOENTNamingThePath() {
        let path = "/dev/sg-iofabric-no-such-device"
        do {
            _ = try probeSCSIGenericDevice(path: path)
            Issue.record("probed a device that does not exist")
        } catch {
            #expect(error == .openFailed(path: path, errno: ENOENT))
            #expect(error.description == "cannot open /dev/sg-iofabric-no-such-device: No such file or directory")
        }
    }

    @Test func devNullIsNotASCSIGenericDevice() {
        do {
            _ = try probeSCSIGenericDevice(path: "/dev/null")
            Issue.record("/dev/null answered INQUIRY")
        } catch {
            #expect(error == .notSCSIGeneric(path: "/dev/null"))
            #expect(error.description == "/dev/null is not a SCSI generic device")
        }
    }

    @Test func regularFileIsNotASCSIGenericDevice() {
        let directory = TestDirectory()
        defer { directory.remove() }
        let path = directory.createFile("disk.img")
        #expect(throws: RealDeviceError.notSCSIGeneric(path: path)) {
            try probeSCSIGenericDevice(path: path)
        }
    }

    @Test func directoryCannotBeOpenedForWriting() {
        #expect(throws: RealDeviceError.openFailed(path: "/", errno: EISDIR)) {
            try probeSCSIGenericDevice(path: "/")
        }
        #expect(RealDeviceError.openFailed(path: "/", errno: EISDIR).description == "cannot open /: Is a directory")
    }

    // Root opens any file, so permissions can only be refused to another user.
    @Test(.enabled(if: geteuid() != 0, "root bypasses file permissions"))
    func unreadableNodeIsReportedAsPermissionDenied() {
        let directory = TestDirectory()
        defer { directory.remove() }
        let path = directory.createFile("sg0", mode: 0)
        #expect(throws: RealDeviceError.permissionDenied(path: path)) {
            try probeSCSIGenericDevice(path: path)
        }
    }

    @Test func realSCSIGenericDevicesAreProbedWhenPresent() throws {
        let paths = try listSCSIGenericDevices()
        guard let path = paths.first else {
            print("SCSI generic devices: none in /dev")
            return
        }
        print("SCSI generic probe runs on \(path)")
        do {
            let identity = try probeSCSIGenericDevice(path: path)
            print("  \(identity)")
            #expect(identity.path == path)
            #expect(identity.sgVersion >= 30_000, "sg driver 3.x or later")
            #expect(identity.inquiryData.count >= 36)
            #expect(identity.peripheralDeviceType == identity.inquiryData[0] & 0x1f)
            #expect(!identity.vendor.isEmpty || !identity.product.isEmpty)
        } catch .permissionDenied(let denied) {
            // A user outside the disk group sees this; it is the documented answer.
            #expect(denied == path)
            print("  permission denied")
        }
    }
}

@Suite struct SCSIGenericListingTests {
    @Test func namesSortNumericallyNotAsText() {
        #expect(sortedSCSIGenericDeviceNames(["sg10", "sg2", "sg1"]) == ["sg1", "sg2", "sg10"])
        #expect(
            sortedSCSIGenericDeviceNames(["sg100", "sg9", "sg10", "sg11", "sg0", "sg99"])
                == ["sg0", "sg9", "sg10", "sg11", "sg99", "sg100"])
    }

    @Test func onlySgFollowedByDigitsIsKept() {
        let names = ["sda", "sg", "sgx", "sg1a", "sg3", "sg 4", "loop0", "sg-1", "sg2", "bsg"]
        #expect(sortedSCSIGenericDeviceNames(names) == ["sg2", "sg3"])
    }

    @Test func sortingDoesNotDependOnInputOrder() {
        let names = (0..<40).map { "sg\($0)" }
        let expected = names
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            #expect(sortedSCSIGenericDeviceNames(names.shuffled(using: &generator)) == expected)
        }
    }

    @Test func listingADirectoryReturnsSortedPaths() throws {
        let directory = TestDirectory()
        defer { directory.remove() }
        for name in ["sg10", "sg2", "sg1", "sda", "sgfoo", "sg"] {
            directory.createFile(name)
        }
        #expect(
            try listSCSIGenericDevices(in: directory.path)
                == ["sg1", "sg2", "sg10"].map { directory.path + "/" + $0 })
        #expect(
            try listSCSIGenericDevices(in: directory.path + "/")
                == ["sg1", "sg2", "sg10"].map { directory.path + "/" + $0 })
    }

    @Test func listingDevIsSortedAndOnlySg() throws {
        let paths = try listSCSIGenericDevices()
        let names = paths.map { String($0.dropFirst("/dev/".count)) }
        #expect(paths.allSatisfy { $0.hasPrefix("/dev/sg") })
        #expect(names == sortedSCSIGenericDeviceNames(TestDirectory.entries(of: "/dev")))
        print("SCSI generic devices: \(paths.isEmpty ? "none" : paths.joined(separator: ", "))")
    }

    @Test func listingAMissingDirectoryIsAnOpenError() {
        #expect(throws: RealDeviceError.openFailed(path: "/iofabric-no-such-directory", errno: ENOENT)) {
            try listSCSIGenericDevices(in: "/iofabric-no-such-directory")
        }
    }
}
