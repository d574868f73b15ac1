import Glibc
import Testing

@testable import RealHardware

/// Whether libibverbs can be loaded here, asked of the dynamic linker directly, so that the
/// tests know which outcome to expect instead of accepting whatever happens.
private let libibverbsIsLoadable: Bool = {
    guard let handle = dlopen("libibverbs.so.1", RTLD_NOW | RTLD_LOCAL) else { return false }
    dlclose(handle)
    return true
}()

/// The RDMA devices the kernel has (the entries of /sys/class/infiniband), sorted.
private let kernelRDMADevices: [String] = TestDirectory.entries(of: "/sys/class/infiniband").sorted()

@Suite struct VerbsLibraryTests {
    @Test func sharedLibraryIsLoadedExactlyWhenTheDynamicLinkerFindsIt() {
        do {
            let library = try VerbsLibrary.shared()
            #expect(libibverbsIsLoadable, "loaded libibverbs although dlopen cannot")
            #expect(library.libraryName == "libibverbs.so.1")
            print("libibverbs: loaded \(library.libraryName)")
        } catch {
            #expect(!libibverbsIsLoadable, "dlopen finds libibverbs.so.1, yet: \(error)")
            guard case .libraryNotFound(let library, let reason) = error else {
                Issue.record("expected libraryNotFound, got \(error)")
                return
            }
            #expect(library == "libibverbs.so.1")
            #expect(!reason.isEmpty)
            #expect(error.description.contains("libibverbs"))
            #expect(error.description.hasPrefix("libibverbs not found (libibverbs.so.1: "))
            #expect(error.description.hasSuffix("); install Debian's libibverbs1 and ibverbs-providers"))
            print("libibverbs: \(error)")
        }
    }

    @Test func sharedLibraryLoadsOnce() throws {
        guard libibverbsIsLoadable else { return }
        let first = try VerbsLibrary.shared()
        let second = try VerbsLibrary.shared()
        #expect(first === second)
    }

    @Test func missingLibraryIsReportedWithDlerrorText() {
        let name = "libiofabric-no-such-library.so.1"
        #expect(throws: RealDeviceError.self) { try VerbsLibrary.load(name) }
        do {
            _ = try VerbsLibrary.load(name)
        } catch {
            guard case .libraryNotFound(let library, let reason) = error else {
                Issue.record("expected libraryNotFound, got \(error)")
                return
            }
            #expect(library == name)
            #expect(reason.contains("No such file or directory"))
            // dlerror() already names the file: the message names it once.
            #expect(
                error.description
                    == "libibverbs not found (\(reason)); install Debian's libibverbs1 and ibverbs-providers")
            #expect(error.description.hasPrefix("libibverbs not found (\(name): "))
        }
    }

    @Test func libraryWithoutVerbsIsReportedByItsFirstMissingFunction() {
        // libc loads fine and has no ibv_* functions: the symbol lookup path, on any machine.
        do {
            _ = try VerbsLibrary.load("libc.so.6")
            Issue.record("libc.so.6 passed for libibverbs")
        } catch {
            guard case .librarySymbolMissing(let library, let symbol, let reason) = error else {
                Issue.record("expected librarySymbolMissing, got \(error)")
                return
            }
            #expect(library == "libc.so.6")
            #expect(symbol == "ibv_get_device_list")
            #expect(reason.contains("ibv_get_device_list"))
            #expect(error.description.hasPrefix("libc.so.6 is unusable: it has no ibv_get_device_list ("))
        }
    }

    @Test func listingGivesTheKernelsDevicesOrTheExactErrorMessage() {
        do {
            let devices = try listRDMADevices()
            #expect(libibverbsIsLoadable)
            #expect(!devices.isEmpty)
            #expect(devices.map(\.name) == kernelRDMADevices.sorted(by: NaturalOrder.areInIncreasingOrder))
            for device in devices {
                print("RDMA device: \(device)")
                for port in device.ports { print("  \(port)") }
                #expect(!device.ports.isEmpty)
                #expect(device.ports.map(\.number) == Array(1...device.ports.count))
                for port in device.ports {
                    #expect(port.gids.map(\.index) == port.gids.map(\.index).sorted())
                    #expect(port.gids.allSatisfy { !$0.isZero && $0.index < port.gidTableLength })
                }
            }
        } catch .noDevices {
            #expect(libibverbsIsLoadable)
            #expect(kernelRDMADevices.isEmpty, "the kernel has \(kernelRDMADevices) but libibverbs lists none")
            #expect(RealDeviceError.noDevices.description == "no RDMA devices found")
            print("RDMA devices: none (no RDMA devices found)")
        } catch .libraryNotFound(let library, let reason) {
            #expect(!libibverbsIsLoadable)
            let error = RealDeviceError.libraryNotFound(library: library, reason: reason)
            #expect(error.description.hasPrefix("libibverbs not found (libibverbs.so.1: "))
            print("RDMA devices: \(error)")
        } catch {
            Issue.record("unexpected error listing RDMA devices: \(error)")
        }
    }

    @Test func unknownDeviceNameIsReportedWithTheAvailableOnes() throws {
        guard libibverbsIsLoadable else { return }
        let library = try VerbsLibrary.shared()
        let name = "iofabric-no-such-device"
        do {
            _ = try library.device(named: name)
            Issue.record("found a device called \(name)")
        } catch {
            if kernelRDMADevices.isEmpty {
                #expect(error == .noDevices)
            } else {
                let available = kernelRDMADevices.sorted(by: NaturalOrder.areInIncreasingOrder)
                #expect(error == .deviceNotFound(name: name, available: available))
                let names = available.joined(separator: ", ")
                #expect(error.description == "RDMA device 'iofabric-no-such-device' not found (available: \(names))")
            }
        }
    }

    @Test(.enabled(if: libibverbsIsLoadable && !kernelRDMADevices.isEmpty, "needs an RDMA device"))
    func realDevicePortsCanBeQueriedOneByOne() throws {
        let library = try VerbsLibrary.shared()
        let device = try library.device(named: kernelRDMADevices[0])
        print("RDMA port test runs on \(device.name)")

        let port = try library.queryPort(1, ofDevice: device.name)
        print("  \(port)")
        #expect(port.number == 1)
        #expect((1...5).contains(port.state))
        #expect(port.state == device.ports[0].state)
        #expect(port.gids == device.ports[0].gids)
        #expect(port.activeMTUBytes != nil)

        let missing = device.ports.count + 1
        do {
            _ = try library.queryPort(missing, ofDevice: device.name)
            Issue.record("port \(missing) of \(device.name) answered")
        } catch {
            #expect(error == .portQueryFailed(device: device.name, port: missing, errno: EINVAL))
            #expect(error.description == "cannot query port \(missing) of \(device.name): Invalid argument")
        }
    }
}
