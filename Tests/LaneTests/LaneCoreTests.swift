import Declarations
import Lane
import Screening
import Testing
import TestSupport
import Thermal

/// The whole lane logic, without I/O: frames and scans from a simulated queue in time order.
@Suite struct LaneCoreTests {
    @Test(arguments: [false, true]) func twentyTravellersGiveTwentyCorrectlyPairedPassages(scansDeliveredEarly: Bool) {
        let travellers = SceneScript.queue(count: 20, feverShare: 0.25, seed: 3)
        let payloads = travellers.indices.map { i in
            "0791900\(String(10000 + i).suffix(5))||Người Thứ \(i)|15041990|Nam|Hà Nội|01072021"
        }
        var scans = zip(travellers, payloads).map { Scan(time: $0.arrival + 0.4, payload: $1, device: "sim", transport: "simulated") }
        var screening = ScreeningConfig()
        screening.reference = .region(x: 148, y: 100, radius: 6)
        var core = LaneCore(laneID: "lane-1", screening: screening, pairing: PairingConfig())
        var simulator = SceneSimulator(travellers: travellers)
        var passages: [Passage] = []
        var events: [LaneEvent] = []
        playScene(&simulator, until: travellers.last!.departure + 20) { frame in
            // Either each scan arrives at its moment, or (a lagging camera) every scan arrives before any frame:
            // the passages must be the same.
            while let next = scans.first, scansDeliveredEarly || next.time <= frame.timestamp {
                let step = core.handle(.scan(scans.removeFirst()))
                passages += step.passages
                events += step.events
            }
            let step = core.handle(.frame(frame))
            passages += step.passages
            events += step.events
            let tick = core.handle(.tick(frame.timestamp))
            passages += tick.passages
        }
        #expect(passages.count == 20)
        for (i, passage) in passages.enumerated() {
            #expect(passage.outcome == .complete)
            #expect(passage.declaration?.name == "Người Thứ \(i)")
            let feverish = travellers[i].canthusC >= 37.5
            #expect(passage.measurement?.verdict == (feverish ? .elevated : .normal), "traveller \(i)")
        }
        #expect(travellers.contains { $0.canthusC >= 37.5 } && travellers.contains { $0.canthusC < 37.5 })
        #expect(events.filter { $0.type == .measured }.count == 20)
        // Every event a page shows carries an instruction for the traveller in Vietnamese and English.
        for event in events where [.measured, .retry, .left].contains(event.type) {
            #expect(event.prompt != nil)
        }
    }

    /// With the reference gone screening pauses; from then on a scan, a traveller leaving or a passage without a
    /// reading must not send anyone to the camera: every prompt asks them to wait for the staff.
    @Test(arguments: PairingMode.allCases) func whilePausedEveryPromptAsksToWaitForTheStaff(mode: PairingMode) {
        var screening = ScreeningConfig()
        screening.reference = .region(x: 20, y: 100, radius: 6)  // the simulated disc is at (148, 100)
        var pairing = PairingConfig()
        pairing.mode = mode
        pairing.windowSeconds = 2
        var core = LaneCore(laneID: "l", screening: screening, pairing: pairing)
        var simulator = SceneSimulator(travellers: SceneScript.queue(count: 2, feverShare: 0, seed: 1))
        var events: [LaneEvent] = []
        var scanned = false
        playScene(&simulator, until: 16) { frame in
            events += core.handle(.frame(frame)).events
            if !scanned, events.contains(where: { $0.type == .paused }) {
                scanned = true
                let payload = "079190012345||Người Thử|15041990|Nam|Hà Nội|01072021"
                events += core.handle(.scan(Scan(time: frame.timestamp, payload: payload, device: "s", transport: "simulated"))).events
            }
            events += core.handle(.tick(frame.timestamp)).events
        }
        let afterPause = events.drop { $0.type != .paused }
        #expect(afterPause.first?.reason == "reference-missing")
        #expect(afterPause.contains { $0.type == .scanned } && afterPause.contains { $0.type == .passage })
        let prompts = afterPause.compactMap(\.prompt)
        #expect(!prompts.isEmpty && prompts.allSatisfy { $0 == .paused }, "\(afterPause.map { "\($0.type) \($0.prompt?.id ?? "-")" })")
    }

    @Test func aBadScanIsRejectedWithAPromptAndNothingIsPaired() {
        var core = LaneCore(laneID: "l", screening: ScreeningConfig(), pairing: PairingConfig())
        #expect(core.handle(.scan(Scan(time: 1, payload: "bad\u{0}data", device: "s", transport: "hid-pos"))).isEmpty)
        // With no camera frames at all, held scans are released after a second of ticks.
        var step = LaneCore.Step()
        for t in [1.25, 1.5, 1.75, 2.0] { step = core.handle(.tick(t)) }
        #expect(step.passages.isEmpty)
        #expect(step.events.map(\.type) == [.scanRejected])
        #expect(step.events.first?.prompt == .scanAgain)
    }
}
