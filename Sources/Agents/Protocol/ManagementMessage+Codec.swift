// Placeholder until the codec lands (helper); the API is fixed.
extension ManagementMessage {
    /// The message's bytes on the wire.
    public func encoded() -> [UInt8] { fatalError("ManagementMessage codec not yet written") }

    /// Decodes one whole message; throws on anything malformed, never traps.
    public init(decoding bytes: [UInt8]) throws(MessageDecodingError) {
        throw .badHeader
    }
}
