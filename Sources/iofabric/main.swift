import SimCore
import Foundation
let e = UInt64(CommandLine.arguments.dropFirst().first ?? "2000000")!
let start = DispatchTime.now().uptimeNanoseconds
let r = PHOLD.run(.init(events: e))
let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
print(r.events, r.finalTime.picoseconds, r.traceDigest.hex, wall, Double(r.events)/wall)
