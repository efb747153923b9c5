import Screening
import Testing
import TestSupport
import Thermal

/// Each gate of the engine on a constructed scene: the traveller hears the reason, and no number is made up.
@Suite struct GateTests {
    typealias Scene = SimulatedSceneTests

    static func retries(_ events: [(t: Double, event: ScreeningEvent)]) -> [RetryReason] {
        events.compactMap { if case .retry(let r) = $0.event { r } else { nil } }
    }

    @Test func standingTooFarIsToldToComeCloserAndNotMeasured() async throws {
        let events = try await Scene.runOffPool([SceneTraveller(arrival: 2, dwell: 5, canthusC: 36.8, faceWidthPx: 24)])
        #expect(Self.retries(events) == [.tooFar])
        #expect(Scene.measurements(events).isEmpty)
    }

    @Test func walkingUpToTheMarkIsNotToldToComeCloser() async throws {
        // Faces grow from small to 44 px during the approach; the engine waits instead of nagging.
        let travellers = SceneScript.queue(count: 5, feverShare: 0, seed: 21)
        let events = try await Scene.runOffPool(travellers)
        #expect(!Self.retries(events).contains(.tooFar))
        #expect(Scene.measurements(events).count == 5)
    }

    @Test func tooCloseIsToldToStepBack() async throws {
        let events = try await Scene.runOffPool([SceneTraveller(arrival: 2, dwell: 5, canthusC: 36.8, faceWidthPx: 110)])
        #expect(Self.retries(events).contains(.tooClose))
        #expect(Scene.measurements(events).isEmpty)
    }

    @Test func twoPeopleAtOnceAreAskedToComeOneAtATime() async throws {
        // The blackbody on the left, so the companion (to the traveller's right) does not cover it; when they do,
        // the engine says "reference missing" first, which is just as honest.
        var settings = SceneSettings()
        settings.reference = SceneSettings.ReferenceDisc(x: 12, y: 100, radius: 6, temperatureC: 35.0)
        var config = Scene.config()
        config.reference = .region(x: 12, y: 100, radius: 6)
        let events = try await Scene.runOffPool(
            [SceneTraveller(arrival: 2, dwell: 5, canthusC: 36.8, companion: true)], settings: settings, config: config)
        #expect(Self.retries(events).contains(.onePersonAtATime))
        #expect(Scene.measurements(events).isEmpty)
    }

    @Test func aFlatFieldCorrectionHoldsTheReadingBack() async throws {
        var settings = SceneSettings()
        settings.reference = Scene.reference
        settings.ffcTimes = [2.5]  // while the traveller walks up
        let traveller = SceneTraveller(arrival: 2, dwell: 12, canthusC: 37.9)
        let events = try await Scene.runOffPool([traveller], settings: settings)
        #expect(Self.retries(events).contains(.afterFlatField))
        let reading = try #require(Scene.measurements(events).first)
        // Not within the hold-off (5 s from the correction, as the camera's telemetry counts it), and still right.
        #expect(reading.time >= 2.5 + 4.9)
        #expect(abs(reading.skinC - 37.9) <= 0.15)
        #expect(reading.verdict == .elevated)
    }

    @Test func aStuckHotPixelOnTheFaceDoesNotRaiseTheReading() async throws {
        var settings = SceneSettings()
        settings.reference = Scene.reference
        // Hot pixels around where the face's upper part is when standing at the mark (image centre, upper half).
        settings.hotPixels = (0..<12).map { PixelPosition(x: 74 + $0 % 6 * 2, y: 30 + $0 / 6 * 4) }
        let events = try await Scene.runOffPool([SceneTraveller(arrival: 2, dwell: 5, canthusC: 36.6)], settings: settings)
        let reading = try #require(Scene.measurements(events).first)
        #expect(abs(reading.skinC - 36.6) <= 0.15, "read \(reading.skinC)")
        #expect(reading.verdict == .normal)
    }

    /// One traveller walking up to the mark; `deadColumns` read a constant −23 °C (a failed readout column, a
    /// common defect of microbolometers).
    static func events(deadColumns: [Int], map: PixelMap?) -> [ScreeningEvent] {
        var settings = SceneSettings()
        settings.reference = Scene.reference
        var simulator = SceneSimulator(settings: settings, travellers: [SceneTraveller(arrival: 2, dwell: 5, canthusC: 37.9)])
        var config = Scene.config()
        config.badPixels = map
        var engine = ScreeningEngine(config: config)
        var events: [ScreeningEvent] = []
        playScene(&simulator, until: 9) { frame in
            var frame = frame
            for x in deadColumns { for y in 0..<frame.height { frame.pixels[y * frame.width + x] = 25000 } }
            events += engine.process(frame)
        }
        return events
    }

    @Test func deadColumnsThroughTheFaceAreRepairedWithTheCalibratedMap() async throws {
        // Without the map the face is cut in two: two "heads", or half a face too narrow to read.
        let columns = [78, 79]
        let spoiled = try await cpuHeavy { Self.events(deadColumns: columns, map: nil) }
        #expect(!spoiled.contains { if case .measured = $0 { true } else { false } }, "\(spoiled)")
        #expect(spoiled.contains { if case .retry = $0 { true } else { false } })
        let map = PixelMap(width: 160, height: 120, bad: columns.flatMap { x in (0..<120).map { $0 * 160 + x } })
        let repaired = try await cpuHeavy { Self.events(deadColumns: columns, map: map) }
        let readings = repaired.compactMap { if case .measured(let m) = $0 { m } else { nil } }
        #expect(readings.count == 1, "\(repaired)")
        #expect(abs((readings.first?.skinC ?? 0) - 37.9) <= 0.15, "with the map: \(readings)")
        #expect(readings.first?.verdict == .elevated)
    }

    @Test func framesThatAreNotTemperaturesPauseScreening() async throws {
        var engine = ScreeningEngine(config: Scene.config())
        // 8-bit video values in a 16-bit frame: nothing near a room temperature in centi-kelvin.
        let frame = ThermalFrame(width: 160, height: 120, pixels: [UInt16](repeating: 128, count: 160 * 120), timestamp: 0, sequence: 0)
        #expect(engine.process(frame) == [.paused(.notRadiometric)])
        #expect(engine.pausedReason == .notRadiometric)
    }

    @Test func oneMeasuredEventPerTravellerEvenWhenTheyStayLong() async throws {
        let events = try await Scene.runOffPool([SceneTraveller(arrival: 2, dwell: 20, canthusC: 36.9)])
        #expect(Scene.measurements(events).count == 1)
        #expect(events.filter { $0.event == .left }.count == 1)
    }
}

extension GateTests {
    @Test func glassesHidingTheEyeCornersAreAskedOffInsteadOfReadingTheForehead() async throws {
        let events = try await Scene.runOffPool([SceneTraveller(arrival: 2, dwell: 5, canthusC: 38.2, glasses: true)])
        // Measuring the forehead instead would read 0.7 °C low and pass this feverish traveller as normal.
        #expect(Scene.measurements(events).isEmpty)
        #expect(Self.retries(events).contains(.faceNotReadable))
    }
}

extension GateTests {
    @Test func anAutomaticReferenceIsFoundAndCorrectsTheSensorBias() async throws {
        var config = Scene.config()
        config.reference = .auto
        let events = try await Scene.runOffPool([SceneTraveller(arrival: 3, dwell: 5, canthusC: 37.8)], config: config)
        let reading = try #require(Scene.measurements(events).first)
        #expect(reading.referenced)
        #expect(abs(reading.skinC - 37.8) <= 0.15, "read \(reading.skinC)")  // the −1.8 K sensor bias is gone
    }

    @Test func withoutADiscInViewAutomaticModeStaysPausedAndMeasuresNothing() async throws {
        var settings = SceneSettings()
        settings.reference = nil
        var config = Scene.config()
        config.reference = .auto
        // Four travellers standing still: an earlier locator took a traveller's body for the disc (it is steady
        // for a second too) and then stayed paused on it; the scene is searched only while it is empty now.
        let events = try await Scene.runOffPool(SceneScript.queue(count: 4, seed: 2), settings: settings, config: config)
        #expect(events.contains { $0.event == .paused(.referenceMissing) })
        #expect(!events.contains { $0.event == .resumed })
        #expect(!events.contains { $0.event == .paused(.referenceMoved) })
        #expect(Scene.measurements(events).isEmpty)
    }

    @Test func aDiscSwitchedOnLateIsStillFoundAfterTheSearchSlowsDown() async throws {
        var config = Scene.config()
        config.reference = .auto
        // 30 s with the blackbody off (the search backs off after ~10 s), then it is switched on. It is a new warm
        // thing in the scene (not background), but too small to be a person.
        let auto = config
        let resumedAt = try await cpuHeavy { () -> Double? in
            var off = SceneSettings()
            off.reference = nil
            var dark = SceneSimulator(settings: off, travellers: [])
            var lit = SceneSimulator(settings: SceneSettings(), travellers: [])
            var engine = ScreeningEngine(config: auto)
            var sequence: UInt64 = 0
            var t = 0.0
            while t < 45 {
                let frame = t < 30 ? dark.frame(at: t, sequence: sequence) : lit.frame(at: t, sequence: sequence)
                if engine.process(frame).contains(.resumed) { return t }
                sequence += 1
                t += 1 / 8.77
            }
            return nil
        }
        let resumed = try #require(resumedAt, "never found")
        #expect(resumed >= 30 && resumed < 30 + 4, "found \(resumed - 30) s after it came on")
    }
}

@Suite struct RelativeModeTests {
    @Test func theThresholdFollowsTheCrowdButNeverRisesAboveTheAbsoluteOne() async throws {
        var relative = RelativeThreshold(readings: 5, deviationC: 1.0)
        #expect(relative.thresholdC == nil)
        #expect(relative.effectiveThreshold(absolute: 37.5) == 37.5)
        for t in [35.9, 36.0, 36.1, 36.2, 39.0] { relative.learn(normal: t) }  // one outlier, trimmed away
        // mean of 36.0, 36.1, 36.2 = 36.1, + 1.0
        #expect(abs(relative.thresholdC! - 37.1) < 1e-9)
        #expect(abs(relative.effectiveThreshold(absolute: 37.5) - 37.1) < 1e-9)
        var warm = RelativeThreshold(readings: 3, deviationC: 1.0)
        for t in [37.0, 37.1, 37.2] { warm.learn(normal: t) }
        #expect(warm.effectiveThreshold(absolute: 37.5) == 37.5)  // a warm crowd cannot hide a fever
    }

    @Test func inACoolCrowdAModestRiseIsFlagged() async throws {
        var config = SimulatedSceneTests.config()
        config.relative = RelativeThreshold(readings: 4, deviationC: 0.8)
        // Four travellers around 36.0 °C, then one at 37.1 °C: normal by the absolute 37.5, elevated relative to them.
        let temperatures = [35.9, 36.0, 36.1, 36.0, 37.1]
        var travellers: [SceneTraveller] = []
        var t = 2.0
        for c in temperatures {
            travellers.append(SceneTraveller(arrival: t, dwell: 4, canthusC: c))
            t = travellers.last!.departure + 1.5
        }
        let readings = SimulatedSceneTests.measurements(try await SimulatedSceneTests.runOffPool(travellers, config: config))
        #expect(readings.count == 5)
        #expect(readings.prefix(4).allSatisfy { $0.verdict == .normal })
        #expect(readings.last?.verdict == .elevated)
        #expect(readings.last.map { $0.thresholdC < 37.5 } == true)
    }
}
