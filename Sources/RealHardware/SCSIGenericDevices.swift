import Glibc

/// The SCSI generic device nodes in `directory`: the paths of its `sg<number>` entries,
/// sorted by number (`/dev/sg1`, `/dev/sg2`, `/dev/sg10`).
///
/// Only names are looked at: whether a node is a working SCSI device is for
/// ``probeSCSIGenericDevice(path:timeoutMilliseconds:)`` to find out.
///
/// - Parameter directory: where to look; `/dev` unless testing.
/// - Throws: ``RealDeviceError/openFailed(path:errno:)`` when the directory cannot be read.
public func listSCSIGenericDevices(in directory: String = "/dev") throws(RealDeviceError) -> [String] {
    guard let stream = opendir(directory) else {
        throw .openFailed(path: directory, errno: errno)
    }
    defer { closedir(stream) }

    var names: [String] = []
    while true {
        errno = 0
        guard let entry = readdir(stream) else {
            if errno != 0 { throw .openFailed(path: directory, errno: errno) }
            break
        }
        names.append(TextFormatting.string(fromCArray: entry.pointee.d_name))
    }
    let prefix = directory.hasSuffix("/") ? directory : directory + "/"
    return sortedSCSIGenericDeviceNames(names).map { prefix + $0 }
}

/// The names of the form `sg<decimal number>` among `names`, sorted by number; other names
/// (`sda`, `sg`, `sgx1`) are dropped.
///
/// Directory order is no order, and text order puts `sg10` before `sg2`: device lists go
/// through this so that `sg2` always precedes `sg10`.
public func sortedSCSIGenericDeviceNames(_ names: [String]) -> [String] {
    names.filter(isSCSIGenericName).sorted(by: NaturalOrder.areInIncreasingOrder)
}

/// Whether `name` is `sg` followed by one or more ASCII digits.
private func isSCSIGenericName(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    guard bytes.count > 2, bytes[0] == UInt8(ascii: "s"), bytes[1] == UInt8(ascii: "g") else { return false }
    return bytes[2...].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
}
