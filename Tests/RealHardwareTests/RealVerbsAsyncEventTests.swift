import Glibc
import Hardware
import Testing

@testable import RealHardware

private final class AsyncEventRecorder: VerbsAsyncEventHandler {
    var events: [VerbsAsyncEvent] = []
    func verbsAsyncEvent(_ event: VerbsAsyncEvent) { events.append(event) }
}

/// Asynchronous events from a real device, read from its async fd on the loop. Taking a port
/// down disturbs every other test on the device, so it runs only when the VM run asks for it
/// with IOFABRIC_VERBS_TOGGLE_NETDEV=<netdev of the port> (dummy0 for rxe0), alone.
@Suite("Real verbs async events", .serialized)
struct RealVerbsAsyncEventTests {
    @Test("netdev down then up: port error then port active reach the handler on the loop")
    func portDownAndUp() throws {
        guard let netdev = getenv("IOFABRIC_VERBS_TOGGLE_NETDEV").map({ String(cString: $0) }) else {
            print("RealVerbs async events: skipped (set IOFABRIC_VERBS_TOGGLE_NETDEV=dummy0 in the VM to run)")
            return
        }
        guard let bed = try RealVerbsTestBed.open("RealVerbs async events") else { return }
        defer { bed.context.close() }
        let recorder = AsyncEventRecorder()
        bed.context.setAsyncEventHandler(recorder)
        #expect(system("ip link set \(netdev) down") == 0)
        #expect(bed.run { recorder.events.contains { $0.type == .portError } })
        #expect(try bed.context.queryPort(bed.port).state != .active)
        #expect(system("ip link set \(netdev) up") == 0)
        #expect(bed.run { recorder.events.contains { $0.type == .portActive } })
        #expect(recorder.events.contains(VerbsAsyncEvent(type: .portError, element: .port(bed.port))))
        #expect(recorder.events.contains(VerbsAsyncEvent(type: .portActive, element: .port(bed.port))))
        print("RealVerbs async events on \(bed.context.device.name): \(recorder.events.map(\.description).joined(separator: "; "))")
    }
}
