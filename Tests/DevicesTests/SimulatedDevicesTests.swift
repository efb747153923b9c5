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

    /// At the every-frame pace a slow lane still gets every frame of the scene in order, each scan arrives once the
    /// scene reaches it, and the camera goes no further than the lane has screened.
    @Test(.timeLimit(.minutes(2))) func everyFramePaceDropsNothingForASlowLane() async throws {
        let scenario = SimulatedScenario.queue(count: 2, feverShare: 0, seed: 3)
        let timeline = SimulationTimeline.everyFrame()
        let scanning = Task {
            var scans: [Scan] = []
            for await event in SimulatedScanner(scenario: scenario, timeline: timeline).events() {
                // A scan comes when the scene reaches it: never before the camera's newest frame does.
                if case .scan(let scan) = event {
                    #expect(timeline.now() >= scan.time)
                    scans.append(scan)
                }
            }
            return scans
        }
        var frames: [ThermalFrame] = []
        for await event in SimulatedCamera(scenario: scenario, timeline: timeline).events() {
            guard case .frame(let frame) = event else { continue }
            // The camera waits for this frame to be screened: the scene has not gone past it.
            #expect(timeline.now() == frame.timestamp)
            frames.append(frame)
            try await Task.sleep(for: .milliseconds(3))  // a lane slower than the scene's 114 ms per frame at 40x
            timeline.frameScreened(at: frame.timestamp)
        }
        let expected = Int((scenario.end * 8.77).rounded(.down)) + 1
        let ffcFrames = (0..<expected).filter { SceneSimulator(settings: scenario.settings, travellers: scenario.travellers).isInFFC(at: Double($0) / 8.77) }.count
        #expect(frames.count == expected - ffcFrames, "\(frames.count) frames of \(expected) (\(ffcFrames) in flat-field correction)")
        #expect(frames.map(\.sequence) == Array(0..<UInt64(frames.count)), "no frame dropped")
        let scans = await scanning.value
        #expect(scans.map(\.payload) == scenario.payloads)
        // After the scene, time runs on at real speed (so the lane's timeouts still fire).
        let ended = timeline.now()
        try await Task.sleep(for: .milliseconds(50))
        #expect(timeline.now() > ended)
    }
}
