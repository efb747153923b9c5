import Screening
import Testing
import TestSupport
import Thermal

/// The engine against simulated travellers whose true temperatures are known.
@Suite struct SimulatedSceneTests {
    static let reference = SceneSettings.ReferenceDisc(x: 148, y: 100, radius: 6, temperatureC: 35.0)

    static func config() -> ScreeningConfig {
        var config = ScreeningConfig()
        config.reference = .region(x: reference.x, y: reference.y, radius: reference.radius)
        config.referenceSetpointC = reference.temperatureC
        return config
    }

    static func run(_ travellers: [SceneTraveller], settings: SceneSettings = SceneSettings(), config: ScreeningConfig = config())
        -> [(t: Double, event: ScreeningEvent)]
    {
        var simulator = SceneSimulator(settings: settings, travellers: travellers)
        var engine = ScreeningEngine(config: config)
        var events: [(Double, ScreeningEvent)] = []
        let end = (travellers.map(\.departure).max() ?? 0) + 2
        playScene(&simulator, until: end) { frame in
            for event in engine.process(frame) { events.append((frame.timestamp, event)) }
        }
        return events
    }

    /// `run` on a thread of its own: these scenes keep a core busy for seconds, and the cooperative pool (two
    /// threads here) must stay free for the tests that wait on devices and servers.
    static func runOffPool(
        _ travellers: [SceneTraveller], settings: SceneSettings = SceneSettings(), config: ScreeningConfig = config()
    ) async throws -> [(t: Double, event: ScreeningEvent)] {
        try await cpuHeavy { run(travellers, settings: settings, config: config) }
    }

    static func measurements(_ events: [(t: Double, event: ScreeningEvent)]) -> [Measurement] {
        events.compactMap { if case .measured(let m) = $0.event { m } else { nil } }
    }

    @Test func oneMeasurementPerTravellerAtTheTrueTemperature() async throws {
        let travellers = SceneScript.queue(count: 6, feverShare: 0.5, seed: 11)
        let events = try await Self.runOffPool(travellers)
        let readings = Self.measurements(events)
        #expect(readings.count == travellers.count)
        #expect(events.filter { $0.event == .left }.count == travellers.count)
        for (reading, traveller) in zip(readings, travellers) {
            // The bias of the sensor (−1.8 K) is removed by the reference; what is left is noise and the site choice.
            #expect(abs(reading.skinC - traveller.canthusC) <= 0.15, "read \(reading.skinC), truth \(traveller.canthusC)")
            #expect(reading.verdict == (traveller.canthusC >= 37.5 ? .elevated : .normal))
            #expect(reading.referenced)
            #expect(reading.time >= traveller.standingFrom && reading.time < traveller.standingUntil)
        }
    }

    @Test func withoutReferenceTheSensorBiasShowsAndTheUncertaintySaysSo() async throws {
        var config = Self.config()
        config.reference = .none
        let travellers = [SceneTraveller(arrival: 2, dwell: 4, canthusC: 36.8)]
        let readings = Self.measurements(try await Self.runOffPool(travellers, config: config))
        let reading = try #require(readings.first)
        #expect(!reading.referenced)
        // The camera reads 1.8 K low and nothing corrects it: an honest engine reports that value, not 36.8.
        #expect(abs(reading.skinC - (36.8 - 1.8)) <= 0.15)
        #expect(reading.uncertaintyC >= 2.0)
    }

    @Test func withoutReferenceAFeverIsNotPassedAsNormal() async throws {
        var config = Self.config()
        config.reference = .none
        // A fever the camera reads 1.8 K low, below the threshold: only its uncertainty band reaches 37.5.
        let readings = Self.measurements(try await Self.runOffPool([SceneTraveller(arrival: 2, dwell: 4, canthusC: 37.9)], config: config))
        let reading = try #require(readings.first)
        #expect(reading.temperatureC < reading.thresholdC, "read \(reading.temperatureC)")
        #expect(reading.temperatureC + reading.uncertaintyC >= reading.thresholdC)
        #expect(reading.verdict == .elevated, "a fever cannot be ruled out: secondary check, not normal")
    }

    @Test func coveredReferencePausesAndNoReadingIsMade() async throws {
        var settings = SceneSettings()
        settings.reference = nil
        let events = try await Self.runOffPool([SceneTraveller(arrival: 2, dwell: 4, canthusC: 36.8)], settings: settings)
        #expect(events.contains { $0.event == .paused(.referenceMissing) })
        #expect(Self.measurements(events).isEmpty)
        #expect(events.contains { $0.event == .retry(.referenceMissing) })
    }
}
