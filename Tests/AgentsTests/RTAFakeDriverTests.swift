import AgentTestDoubles
import Agents
import Hardware
import SimCore
import SimHardware
import Testing

@Suite("RTA fake driver (test double)")
struct RTAFakeDriverTests {
    @Test("reads return what was written, else the LBA pattern, after serviceTime")
    func readBack() {
        let simulator = Simulator(seed: 3)
        let runtime = SimNodeRuntime(nodeName: "n", simulator: simulator)
        let driver = RTAFakeDriver(name: "d", runtime: runtime, blockLength: 4)
        final class Sink: DeviceDriverDelegate {
            var results: [UInt64: DeviceResult] = [:]
            func deviceCompleted(_ driver: any DeviceDriver, tag: UInt64, result: DeviceResult) { results[tag] = result }
        }
        let sink = Sink()
        driver.delegate = sink
        driver.write(lba: 1, data: [9, 9, 9, 9], forceUnitAccess: false, tag: 1)
        simulator.run()
        driver.read(lba: 0, blocks: 2, tag: 2)
        simulator.run()
        #expect(sink.results[2]?.data == RTAFakeDriver.pattern(lba: 0, blockLength: 4) + [9, 9, 9, 9])
        #expect(sink.results[2]?.duration == driver.serviceTime)
    }
}
