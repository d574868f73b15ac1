import RealHardware

/// `iofabric devices`: the real RDMA and SCSI generic devices this machine offers.
enum DevicesCommand {
    static var spec: CommandSpec {
        CommandSpec(
            path: ["iofabric", "devices"],
            abstract: "List the real RDMA devices (libibverbs) and SCSI generic devices (SG_IO) on this machine.",
            discussion: """
                libibverbs is loaded at run time (libibverbs.so.1), so iofabric runs without it; \
                this command says plainly when it is missing or finds no device. Each /dev/sgN \
                is identified with a standard INQUIRY through SG_IO.
                """,
            options: [
                OptionSpec(name: "sg-directory", valueName: "dir", help: "Where to look for sgN devices.", defaultValue: "/dev"),
            ],
            run: run)
    }

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        print("RDMA devices:")
        do {
            for device in try listRDMADevices() {
                print("  " + device.description)
                for port in device.ports { print("    " + port.description) }
            }
        } catch {
            print("  none: \(error)")
        }
        let directory = arguments.string("sg-directory") ?? "/dev"
        print("SCSI generic devices:")
        do {
            let paths = try listSCSIGenericDevices(in: directory)
            if paths.isEmpty { print("  none in \(directory)") }
            for path in paths {
                do {
                    print("  " + (try probeSCSIGenericDevice(path: path)).description)
                } catch {
                    print("  \(path): \(error)")
                }
            }
        } catch {
            print("  none: \(error)")
        }
        return Tool.ExitCode.success
    }
}
