import Screening
import Testing
import TestSupport
import Thermal

/// The technicians' calibrations, on constructed frame sequences with known answers.
@Suite struct CalibrationTests {
    static func emptyScene(_ settings: SceneSettings, seconds: Double) -> [ThermalFrame] {
        var simulator = SceneSimulator(settings: settings, travellers: [])
        var frames: [ThermalFrame] = []
        playScene(&simulator, until: seconds) { frames.append($0) }
        return frames
    }

    @Test func theReferenceSurveyFindsTheDiscAndMeasuresItsDrift() async throws {
        var settings = SceneSettings()
        settings.driftCKPerMinute = 30  // a camera warming up: +0.3 °C/min
        let scene = settings
        let (survey, progress) = try await cpuHeavy {
            var survey = ReferenceSurvey(setpointC: 35.0)
            var progress: [ReferenceSurvey.Progress] = []
            for frame in Self.emptyScene(scene, seconds: 20) { progress.append(survey.add(frame)) }
            return (survey, progress)
        }
        #expect(progress.first == .searching)
        let result = try #require(survey.result)
        let disc = try #require(settings.reference)
        #expect(abs(result.x - disc.x) <= 1 && abs(result.y - disc.y) <= 1, "found at \(result.x),\(result.y)")
        #expect(result.radius >= 4 && result.radius <= disc.radius)
        #expect(abs(result.driftCPerMinute - 0.3) < 0.05, "drift \(result.driftCPerMinute)")
        #expect(result.noiseC < 0.03, "noise about the trend \(result.noiseC)")
        #expect(result.noiseC <= ReferenceSurvey.maxNoiseC)
        #expect(result.contrastC > 5)
        #expect(result.setpointC == 35.0)
    }

    @Test func aSurveyOfAPlaceWithoutADiscGivesNoResult() {
        var settings = SceneSettings()
        settings.reference = nil
        var survey = ReferenceSurvey(region: (x: 148, y: 100, radius: 6), setpointC: 35.0)
        for frame in Self.emptyScene(settings, seconds: 5) { _ = survey.add(frame) }
        #expect(survey.result == nil)
        #expect(survey.sampleCount == 0)
    }

    @Test func aFlickeringReferenceIsMeasuredAsNoisy() {
        var survey = ReferenceSurvey(region: (x: 148, y: 100, radius: 6), setpointC: 35.0)
        for (i, frame) in Self.emptyScene(SceneSettings(), seconds: 5).enumerated() {
            var frame = frame
            // A failing heater: the disc swings by ±0.4 K from frame to frame.
            let swing: Int = i % 2 == 0 ? 40 : -40
            for y in 96...104 { for x in 144...152 { frame.pixels[y * frame.width + x] = UInt16(Int(frame[x, y]) + swing) } }
            _ = survey.add(frame)
        }
        let result = survey.result
        #expect(result != nil)
        #expect((result?.noiseC ?? 0) > ReferenceSurvey.maxNoiseC)
    }

    @Test func theOffsetIsTheMeanDifferenceWithResiduals() throws {
        let skin = [35.9, 36.2, 36.0, 36.4, 35.8, 36.1]
        let clinical = [36.8, 37.0, 37.0, 37.2, 36.7, 37.0]
        let fit = try OffsetFit.fit(zip(skin, clinical).map { OffsetPair(skinC: $0, clinicalC: $1) })
        let expected = zip(skin, clinical).map { $1 - $0 }.reduce(0, +) / 6
        #expect(abs(fit.offsetC - expected) < 0.006)
        for pair in fit.pairs { #expect(abs(pair.residualC - (pair.clinicalC - pair.skinC - fit.offsetC)) < 0.006) }
        #expect(abs(fit.pairs.map(\.residualC).reduce(0, +)) < 0.03)
        #expect(fit.rmsResidualC > 0 && fit.rmsResidualC < 0.15)
    }

    @Test func theOffsetNeedsFivePeopleAndPlausibleReadings() {
        let four = (0..<4).map { OffsetPair(skinC: 36.0 + Double($0) / 10, clinicalC: 37.0) }
        #expect(throws: OffsetFit.Failure.tooFewPairs(4)) { try OffsetFit.fit(four) }
        let typo = four + [OffsetPair(skinC: 36.0, clinicalC: 367)]
        #expect(throws: OffsetFit.Failure.implausibleClinical(367)) { try OffsetFit.fit(typo) }
    }

    /// The simulated scene's disc (35.0 °C) as the lane's calibrated reference.
    static let laneReference = (x: 148, y: 100, radius: 6)

    @Test(arguments: [(40.0, true), (40.5, false), (39.7, true), (39.6, false)])
    func theCheckPassesWithinTheTolerance(known: Double, passes: Bool) throws {
        var settings = SceneSettings()
        settings.driftCKPerMinute = 60  // the reference cancels the camera's drift
        var check = ReferenceCheck(reference: Self.laneReference, setpointC: 35.0, knownC: known)
        for frame in framesWithSecondDisc(settings: settings, secondC: 40.0) { _ = check.add(frame) }
        let result = try #require(check.result)
        #expect(abs(result.measuredC - 40.0) < 0.05, "measured \(result.measuredC)")
        #expect(abs(result.errorC - (result.measuredC - known)) < 0.006)
        #expect(result.passed == passes, "error \(result.errorC)")
        #expect(abs(result.x - 30) <= 1 && abs(result.y - 30) <= 1)
    }

    @Test func theCheckWantsTheLanesReferenceInPlace() {
        var settings = SceneSettings()
        settings.reference = nil
        var check = ReferenceCheck(reference: Self.laneReference, setpointC: 35.0, knownC: 40)
        var progress: [ReferenceCheck.Progress] = []
        for frame in framesWithSecondDisc(settings: settings, secondC: 40.0, seconds: 2) { progress.append(check.add(frame)) }
        #expect(progress.allSatisfy { $0 == .referenceMissing })
        #expect(check.result == nil)
    }
}
