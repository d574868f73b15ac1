import Glibc

/// A fresh directory under `/tmp` for one test, removed with its files by ``remove()``.
struct TestDirectory {
    let path: String

    init() {
        var template = Array("/tmp/iofabric-realhardware-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: \(String(cString: strerror(errno)))")
        path = String(cString: made!)
    }

    /// Creates an empty file `name` in the directory, with `mode`, and returns its path.
    @discardableResult
    func createFile(_ name: String, mode: mode_t = 0o644) -> String {
        let filePath = path + "/" + name
        let fd = open(filePath, O_CREAT | O_WRONLY | O_CLOEXEC, mode)
        precondition(fd >= 0, "cannot create \(filePath): \(String(cString: strerror(errno)))")
        close(fd)
        // open() applies the umask; set the mode exactly.
        precondition(chmod(filePath, mode) == 0)
        return filePath
    }

    /// The names in `directory`, without `.` and `..`; empty when it cannot be read.
    static func entries(of directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes the files in the directory and the directory itself.
    func remove() {
        for name in Self.entries(of: path) {
            unlink(path + "/" + name)
        }
        rmdir(path)
    }
}
