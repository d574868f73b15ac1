/// Why a real-mode process cannot go on: one line naming the device, file or peer and what
/// failed (the command prints it and exits 1).
public struct RealModeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
