import Screening
import Testing
import TestSupport
import Thermal

/// "The reference is missing" always says which cause it is: a scene nearly as warm as the disc (a roadside tent
/// in the southern summer), something in front of it, or nothing there; and the engine reports the disc's
/// contrast and the scene's temperature. A reading skin cannot have is a retry, not a verdict.
@Suite struct ReferenceCauseTests {
    struct Run {
        var pauses: [PauseReason] = []
        var retries: [RetryReason] = []
        var readings: [Measurement] = []
        var contrastC: Double?
        var sceneC: Double?
    }

    /// Plays `travellers` in `settings` through the engine; `alter` may change each frame first.
    static func run(
        _ travellers: [SceneTraveller], settings: SceneSettings, config: ScreeningConfig = SimulatedSceneTests.config(),
        until end: Double? = nil, alter: (inout ThermalFrame) -> Void = { _ in }
    ) -> Run {
        var simulator = SceneSimulator(settings: settings, travellers: travellers)
        var engine = ScreeningEngine(config: config)
        var run = Run()
        playScene(&simulator, until: end ?? (travellers.map(\.departure).max() ?? 0) + 2) { original in
            var frame = original
            alter(&frame)
            for event in engine.process(frame) {
                switch event {
                case .paused(let reason): run.pauses.append(reason)
                case .retry(let reason): run.retries.append(reason)
                case .measured(let m): run.readings.append(m)
                default: break
                }
            }
        }
        run.contrastC = engine.referenceContrastC
        run.sceneC = engine.sceneC
        return run
    }

    @Test func aSceneNearlyAsWarmAsTheDiscPausesForLowContrastAndSaysHowLittle() {
        var settings = SceneSettings()
        settings.ambientC = 34.6
        let run = Self.run([], settings: settings, until: 6)
        #expect(run.pauses == [.referenceLowContrast], "\(run.pauses)")
        #expect(run.contrastC.map { $0 < 1.0 && $0 > -1.0 } == true, "contrast \(run.contrastC ?? .nan)")
        // The scene reads the air's temperature within the camera's bias (−1.8 K in the simulator) and a margin.
        #expect(run.sceneC.map { abs($0 - (34.6 - 1.8)) < 1.0 } == true, "scene \(run.sceneC ?? .nan)")
    }

    @Test func theSameDiscInAnOrdinaryRoomIsRead() {
        let run = Self.run([], settings: SceneSettings(), until: 6)
        #expect(run.pauses.isEmpty, "\(run.pauses)")
        #expect(run.contrastC.map { $0 > 5 } == true, "contrast \(run.contrastC ?? .nan)")
    }

    /// A hand (30 °C) over the disc after it was read: covered, not missing, not low contrast.
    @Test func aHandOverTheDiscIsCovered() {
        let disc = SimulatedSceneTests.reference
        let run = Self.run([], settings: SceneSettings(), until: 8) { frame in
            guard frame.timestamp >= 4 else { return }
            for y in (disc.y - 9)...(disc.y + 9) {
                for x in (disc.x - 9)...min(frame.width - 1, disc.x + 9) { frame.pixels[y * frame.width + x] = UInt16(CentiKelvin.fromCelsius(30)) }
            }
        }
        #expect(run.pauses == [.referenceCovered], "\(run.pauses)")
    }

    @Test func aDiscSwitchedOffFromTheStartIsMissing() {
        var settings = SceneSettings()
        settings.reference = nil
        let run = Self.run([], settings: settings, until: 6)
        #expect(run.pauses == [.referenceMissing], "\(run.pauses)")
    }

    /// An offset that pushes a feverish reading above what skin can be (43 °C): a retry to the secondary check,
    /// never a verdict.
    @Test func aReadingSkinCannotHaveIsARetryNotAVerdict() {
        var config = SimulatedSceneTests.config()
        config.offsetC = 5
        let hot = SceneTraveller(arrival: 1, dwell: 5, canthusC: 39.0)
        let fine = SceneTraveller(arrival: 9, dwell: 5, canthusC: 36.0)
        let run = Self.run([hot, fine], settings: SceneSettings(), config: config)
        #expect(run.retries.filter { $0 == .implausibleReading }.count == 1, "\(run.retries)")
        #expect(run.readings.count == 1 && run.readings.allSatisfy { ScreeningConfig.plausibleC.contains($0.temperatureC) })
    }
}
