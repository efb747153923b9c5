import Screening
import Testing
import TestSupport
import Thermal

/// What real stations throw at the engine, rebuilt in the simulator where the truth is known: a disc cut by the
/// frame's edge on a housing larger than a face, a traveller in view from the first frame, masks, helmets,
/// someone waiting behind, a hot tent, a reference configured outside the image.
@Suite struct RealSceneGateTests {
    typealias Scene = SimulatedSceneTests

    static func autoConfig() -> ScreeningConfig {
        var config = Scene.config()
        config.reference = .auto
        return config
    }

    /// The disc against the right edge (2 px of it cut off), low in a warm housing 34 × 46 px.
    static var edgeSettings: SceneSettings {
        var settings = SceneSettings()
        settings.reference = SceneSettings.ReferenceDisc(x: settings.width - 3, y: settings.height - 18, radius: 6, temperatureC: 35)
        settings.housing = SceneSettings.Housing(width: 34, height: 46, warmthK: 5)
        return settings
    }

    @Test func aDiscCutByTheEdgeOnItsHousingIsFoundWithinASecondAndRead() async throws {
        let events = try await Scene.runOffPool([SceneTraveller(arrival: 2, dwell: 5, canthusC: 37.9)], settings: Self.edgeSettings, config: Self.autoConfig())
        let resumed = try #require(events.first { $0.event == .resumed }, "the disc was never found")
        #expect(resumed.t <= 1.5, "found after \(resumed.t) s")
        let readings = Scene.measurements(events)
        #expect(readings.count == 1)
        let reading = try #require(readings.first)
        #expect(reading.referenced && abs(reading.skinC - 37.9) <= 0.15, "read \(reading.skinC)")
        #expect(reading.verdict == .elevated)
    }

    @Test func aHousingLargerThanAFaceIsNeverAPerson() async throws {
        let events = try await Scene.runOffPool([], settings: Self.edgeSettings, config: Self.autoConfig())
        #expect(events.contains { $0.event == .resumed })
        #expect(Scene.measurements(events).isEmpty)
        #expect(GateTests.retries(events).isEmpty, "retries for nobody: \(GateTests.retries(events))")
    }

    @Test func aTravellerAtTheMarkFromTheFirstFrameIsMeasuredOnce() async throws {
        // Standing from t = −0.3 s: the recording starts with them in view, the disc still to be found.
        let traveller = SceneTraveller(arrival: -SceneTraveller.approachSeconds - 0.3, dwell: 5, canthusC: 36.7)
        let events = try await Scene.runOffPool([traveller], settings: Self.edgeSettings, config: Self.autoConfig())
        let readings = Scene.measurements(events)
        #expect(readings.count == 1)
        let reading = try #require(readings.first)
        #expect(abs(reading.skinC - 36.7) <= 0.15, "read \(reading.skinC)")
        #expect(reading.time <= 2.0, "verdict after \(reading.time) s")
    }

    @Test(arguments: [(true, false), (false, true), (true, true)])
    func masksAndHelmetsLeaveTheEyesToBeRead(mask: Bool, helmet: Bool) async throws {
        var traveller = SceneTraveller(arrival: 2, dwell: 5, canthusC: 38.1)
        traveller.mask = mask
        traveller.helmet = helmet
        let events = try await Scene.runOffPool([traveller])
        let readings = Scene.measurements(events)
        #expect(readings.count == 1, "retries: \(GateTests.retries(events))")
        let reading = try #require(readings.first)
        #expect(abs(reading.skinC - 38.1) <= 0.15, "read \(reading.skinC)")
        #expect(reading.verdict == .elevated)
    }

    @Test func someoneWaitingBehindDoesNotStopTheTraveller() async throws {
        var traveller = SceneTraveller(arrival: 2, dwell: 5, canthusC: 36.6, offsetX: 6)
        traveller.queueBehind = true
        let events = try await Scene.runOffPool([traveller])
        #expect(!GateTests.retries(events).contains(.onePersonAtATime))
        let reading = try #require(Scene.measurements(events).first)
        #expect(abs(reading.skinC - 36.6) <= 0.15, "read \(reading.skinC) (the one behind is 36.4)")
    }

    @Test(arguments: [30.0, 33.0, 36.0])
    func aHotTentWithTheDiscAboveTheAirIsStillScreened(ambient: Double) async throws {
        var settings = SceneSettings()
        settings.ambientC = ambient
        settings.reference = SceneSettings.ReferenceDisc(x: 148, y: 100, radius: 6, temperatureC: ambient + 4)
        var config = Scene.config()
        config.referenceSetpointC = ambient + 4
        let events = try await Scene.runOffPool([SceneTraveller(arrival: 2, dwell: 5, canthusC: 37.0)], settings: settings, config: config)
        let readings = Scene.measurements(events)
        // Measured right, or not at all: never a wrong number.
        #expect(readings.count <= 1)
        for reading in readings { #expect(abs(reading.skinC - 37.0) <= 0.15, "at \(ambient) °C read \(reading.skinC)") }
        if ambient <= 33 { #expect(readings.count == 1, "at \(ambient) °C: \(GateTests.retries(events))") }
    }

    @Test(arguments: [(300, 100), (-20, 60), (100, 500), (159, 119)])
    func aReferenceOutsideTheImageIsAPauseNotACrash(x: Int, y: Int) async throws {
        // A position from another rotation (the lane turned 90°, the default place of a 160-wide image), or a typo.
        var config = Scene.config()
        config.reference = .region(x: x, y: y, radius: 6)
        var settings = SceneSettings()
        settings.width = 120
        settings.height = 160
        settings.reference = SceneSettings.ReferenceDisc(x: 20, y: 130, radius: 6, temperatureC: 35)
        let events = try await Scene.runOffPool([SceneTraveller(arrival: 1, dwell: 3, canthusC: 36.6)], settings: settings, config: config)
        #expect(Scene.measurements(events).isEmpty)
        let paused = events.compactMap { if case .paused(let r) = $0.event { r } else { nil } }
        #expect(paused.first == .referenceOutsideImage || paused.first == .referenceMissing, "paused: \(paused)")
        if x >= 120 + 6 || x < -6 || y >= 160 + 6 { #expect(paused.first == .referenceOutsideImage) }
    }
}
