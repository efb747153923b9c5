@testable import Appliance
import Testing
import Thermal

@Suite struct ElevatedClipsTests {
    static func frame(_ t: Double) -> ThermalFrame {
        ThermalFrame(width: 2, height: 1, pixels: [1, 2], timestamp: t, sequence: UInt64(t * 10))
    }

    @Test func aClipHoldsTheSecondsBeforeAndAfterTheReading() {
        var clips = ElevatedClips(before: 1, after: 0.5)
        var done: [[ThermalFrame]] = []
        for i in 0..<40 {
            let t = Double(i) / 10
            if i == 20 { clips.trigger(at: t) }
            done += clips.add(Self.frame(t))
        }
        #expect(done.count == 1)
        let times = done[0].map(\.timestamp)
        #expect(abs(times.first! - 1.0) < 1e-9 && abs(times.last! - 2.5) < 1e-9)
        #expect(times.count == 16)
    }
}
