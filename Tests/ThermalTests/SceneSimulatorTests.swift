import Testing
import Thermal

@Suite struct SceneSimulatorTests {
    @Test func theSameSeedGivesTheSameFrames() {
        let travellers = SceneScript.queue(count: 2, seed: 4)
        var a = SceneSimulator(travellers: travellers), b = SceneSimulator(travellers: travellers)
        #expect(a.frame(at: 3, sequence: 0) == b.frame(at: 3, sequence: 0))
        var c = SceneSimulator(settings: { var s = SceneSettings(); s.seed = 99; return s }(), travellers: travellers)
        #expect(a.frame(at: 3.1, sequence: 1).pixels != c.frame(at: 3.1, sequence: 1).pixels)
    }

    @Test func theCanthusReadsTheTruthPlusTheSensorBias() {
        var settings = SceneSettings()
        settings.noiseMK = 0
        let traveller = SceneTraveller(arrival: 0, dwell: 5, canthusC: 37.9)
        var sim = SceneSimulator(settings: settings, travellers: [traveller])
        let frame = sim.frame(at: 2, sequence: 0)
        let hottestFace = frame.pixels.max()!
        // The disc (35 °C) is cooler than the canthus, so the hottest pixel is the eye corner: 37.9 °C − 1.8 K.
        #expect(abs(CentiKelvin.celsius(Double(hottestFace)) - (37.9 - 1.8)) <= 0.01)
        let disc = frame[148, 100]
        #expect(abs(CentiKelvin.celsius(Double(disc)) - (35.0 - 1.8)) <= 0.01)
    }

    @Test func noiseHasTheConfiguredSpread() {
        let settings = SceneSettings()
        var sim = SceneSimulator(settings: settings, travellers: [])
        let a = sim.frame(at: 0, sequence: 0), b = sim.frame(at: 0, sequence: 1)
        // The difference of two noisy frames of the same scene has σ·√2.
        let diffs = zip(a.pixels, b.pixels).map { Double(Int($0) - Int($1)) }
        let sd = (diffs.map { $0 * $0 }.reduce(0, +) / Double(diffs.count)).squareRoot()
        #expect(abs(sd - 5 * 2.0.squareRoot()) < 0.6, "σ of the difference: \(sd) cK")
    }

    @Test func queuedTravellersComeOneAtATime() {
        let queue = SceneScript.queue(count: 30, feverShare: 0.3, seed: 8)
        for (a, b) in zip(queue, queue.dropFirst()) { #expect(b.arrival >= a.departure + 1.0) }
        for t in queue { #expect(t.dwell >= 3 && t.dwell <= 6) }
        let fevers = queue.filter { $0.canthusC >= 37.5 }
        #expect(!fevers.isEmpty && fevers.allSatisfy { $0.canthusC >= 38.0 })
    }
}
