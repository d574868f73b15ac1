import Agents
import Hardware
import Testing

@Suite("Agent value types")
struct AgentValueTypeTests {
    @Test("a remote buffer contains only spans inside it with its own rkey")
    func remoteBufferContainment() {
        let region = RemoteBuffer(address: 0x1000, length: 4096, rkey: 7)
        #expect(region.contains(RemoteBuffer(address: 0x1000, length: 4096, rkey: 7)))
        #expect(region.contains(RemoteBuffer(address: 0x1800, length: 2048, rkey: 7)))
        #expect(!region.contains(RemoteBuffer(address: 0x1800, length: 2049, rkey: 7)))
        #expect(!region.contains(RemoteBuffer(address: 0x0fff, length: 1, rkey: 7)))
        #expect(!region.contains(RemoteBuffer(address: 0x1000, length: 16, rkey: 8)))
        // An address far past the end must not wrap around.
        #expect(!region.contains(RemoteBuffer(address: UInt64.max, length: 1, rkey: 7)))
    }

    @Test("a service address prints its protocol, address bytes, QP and Q_Key")
    func serviceAddressText() {
        let address = ServiceAddress(
            protocolName: "infiniband", endpoint: TransportEndpoint(address: [0, 3], queuePairNumber: 0x48, packetSequenceNumber: 0),
            queueKey: 0x1ee7)
        #expect(address.description == "infiniband 00 03 qp 0x48 qkey 0x1ee7")
    }
}
