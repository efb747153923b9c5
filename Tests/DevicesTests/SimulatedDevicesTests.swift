import Declarations
import Devices
import Lane
import Testing
import Thermal

@Suite struct SimulatedDevicesTests {
    @Test func generatedDeclarationsParseCleanlyWithTheirDiacritics() throws {
        let parser = DeclarationParser()
        var kinds: Set<DeclarationKind> = []
        for i in 0..<24 {
            let d = try parser.parse(DemoDeclarations.payload(index: i, seed: 3))
            kinds.insert(d.kind)
            #expect(d.warnings.isEmpty, "payload \(i): \(d.warnings)")
            #expect(d.name != nil && d.dateOfBirth != nil)
        }
        #expect(kinds == [.cccd, .personalQR])
        #expect(try parser.parse(DemoDeclarations.payload(index: 1, seed: 3)).name == "Trần Thị Bích Ngọc")
        #expect(try parser.parse(DemoDeclarations.payload(index: 4, seed: 3)).name == "HOANG MINH DUC")
    }

    @Test(.timeLimit(.minutes(1))) func cameraAndScannerShareOneSpedUpTimeline() async {
        // A queue long enough (about 3 minutes of scene, 45 s at 4×) that the camera is still streaming after 60
        // frames however many a busy machine makes it drop: with two travellers the scene ended after ~20 s, and
        // on a loaded CI box only 16 frames had been delivered by then.
        let scenario = SimulatedScenario.queue(count: 30, feverShare: 0, seed: 2)
        let timeline = SimulationTimeline(speed: 4)
        var frames: [ThermalFrame] = [], statuses: [DeviceStatus] = []
        for await event in SimulatedCamera(scenario: scenario, timeline: timeline).events() {
            switch event {
            case .frame(let f): frames.append(f)
            case .status(let s): statuses.append(s)
            case .problem(let p): Issue.record("unexpected problem: \(p)")
            }
            if frames.count == 60 { break }
        }
        #expect(statuses == [.online])
        // Frames may be dropped when the machine is busy (a sensor keeps its pace), but never reordered, and each
        // frame's time is its sequence number at 8.77 frames per second.
        #expect(frames.count == 60)
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $1.sequence > $0.sequence })
        let first = frames[0]
        #expect(frames.allSatisfy { abs(($0.timestamp - first.timestamp) - Double($0.sequence - first.sequence) / 8.77) < 1e-6 })
        #expect(frames.allSatisfy { $0.width == 160 && $0.height == 120 })

        var scans: [Scan] = []
        for await event in SimulatedScanner(scenario: scenario, timeline: SimulationTimeline(speed: 50)).events() {
            if case .scan(let scan) = event { scans.append(scan) }
        }
        #expect(scans.map(\.payload) == scenario.payloads)
        #expect(zip(scans, scenario.travellers).allSatisfy { abs($0.time - ($1.arrival + 0.4)) < 1e-9 })
    }
}
