import Appliance
import Devices
import Foundation
import LaneControl
import Screening
import Store
import Testing
import TestSupport
import Thermal

/// The technician's calibration, called in-process on simulated frames and an in-memory store: what is stored,
/// and every piece of bad work that is refused, with its reason.
@Suite struct CalibrationRunTests {
    static let disc = SceneSettings().reference!

    static func stream(_ frames: [ThermalFrame]) -> AsyncThrowingStream<ThermalFrame, any Error> {
        AsyncThrowingStream { continuation in
            for frame in frames { continuation.yield(frame) }
            continuation.finish()
        }
    }

    static func scene(_ settings: SceneSettings = SceneSettings(), travellers: [SceneTraveller] = [], seconds: Double) -> [ThermalFrame] {
        var simulator = SceneSimulator(settings: settings, travellers: travellers)
        var frames: [ThermalFrame] = []
        playScene(&simulator, until: seconds) { frames.append($0) }
        return frames
    }

    static func failure(_ body: () async throws -> Void) async -> ControlFailure? {
        do {
            try await body()
            return nil
        } catch let failure as ControlFailure {
            return failure
        } catch {
            Issue.record("not a ControlFailure: \(error)")
            return nil
        }
    }

    // MARK: reference

    @Test func aSteadyDiscIsStoredWithTheTechniciansName() async throws {
        let store = try LaneStore()
        let run = try ReferenceCalibrationRun(region: nil, setpointC: 35, seconds: 20)
        let result = try await run.survey(Self.stream(Self.scene(seconds: 24)))
        #expect(abs(result.x - Self.disc.x) <= 1 && abs(result.y - Self.disc.y) <= 1, "\(result)")
        #expect(run.refusals(result).isEmpty, "\(run.refusals(result))")
        let entry = try await run.store(result, lane: "lane-1", technician: "  Nguyễn Lan ", in: store)
        #expect(entry.technician == "Nguyễn Lan" && entry.kind == .reference)
        #expect(try store.calibration(lane: "lane-1").reference?.x == result.x)
    }

    @Test func aBlankNameAShortWatchAndADriftingDiscAreRefused() async throws {
        let store = try LaneStore()
        // A survey asked to be short is refused before it starts.
        let short = await Self.failure { _ = try ReferenceCalibrationRun(region: nil, setpointC: 35, seconds: 2) }
        #expect(short?.status == .usage && short?.message.contains("at least 20 s") == true, "\(short?.message ?? "accepted")")

        let run = try ReferenceCalibrationRun(region: nil, setpointC: 35, seconds: 20)
        let steady = try await run.survey(Self.stream(Self.scene(seconds: 24)))
        let blank = await Self.failure { _ = try await run.store(steady, lane: "lane-1", technician: "   ", in: store) }
        #expect(blank?.status == .usage && blank?.message.contains("--technician is blank") == true)

        // A recording that ends after 6 s: read, but too short to store.
        let brief = try await run.survey(Self.stream(Self.scene(seconds: 6)))
        #expect(run.refusals(brief).contains { $0.contains("read for only") }, "\(run.refusals(brief))")
        let briefStored = await Self.failure { _ = try await run.store(brief, lane: "lane-1", technician: "Lan", in: store) }
        #expect(briefStored?.status == .notAcceptable)

        // A camera still warming up: the scene drifts 2 °C a minute.
        var warming = SceneSettings()
        warming.driftCKPerMinute = 200
        let drifting = try await run.survey(Self.stream(Self.scene(warming, seconds: 24)))
        let refused = await Self.failure { _ = try await run.store(drifting, lane: "lane-1", technician: "Lan", in: store) }
        #expect(refused?.status == .notAcceptable && refused?.message.contains("still warming up") == true, "\(refused?.message ?? "stored")")
        #expect(try await store.calibrationHistory().isEmpty, "nothing was stored")
    }

    // MARK: offset

    static func pairs(_ differences: [Double]) -> [OffsetPair] {
        differences.enumerated().map { i, d in OffsetPair(skinC: 35.0 + Double(i) * 0.1, clinicalC: 35.0 + Double(i) * 0.1 + d) }
    }

    @Test func anOutlierIsShownAndRefusedUntilLeftOut() async throws {
        let store = try LaneStore()
        // Five people about 1.9 °C apart from their skin reading, one typed for the wrong person (−1.75 off).
        let pairs = Self.pairs([1.9, 2.0, 1.8, 1.95, 0.2, 1.85])
        let review = try OffsetCalibrationRun.review(pairs)
        #expect(review.outliers == [5], "\(review.people.map(\.apartC))")
        let refused = await Self.failure { _ = try await OffsetCalibrationRun.store(review, lane: "l", technician: "Lan", in: store) }
        #expect(refused?.status == .notAcceptable && refused?.message.contains("person 5 differs by") == true, "\(refused?.message ?? "stored")")
        #expect(try await store.calibrationHistory().isEmpty)

        let without = try OffsetCalibrationRun.review(pairs, leavingOut: [5])
        #expect(without.outliers.isEmpty && without.fit.pairs.count == 5)
        #expect(abs(without.fit.offsetC - 1.9) < 0.01)
        let entry = try await OffsetCalibrationRun.store(without, lane: "l", technician: "Lan", in: store)
        #expect(entry.summary.contains("person 5 left out"))
        #expect(try store.calibration(lane: "l").offset?.offsetC == without.fit.offsetC)
        let nobody = await Self.failure { _ = try OffsetCalibrationRun.review(pairs, leavingOut: [9]) }
        #expect(nobody?.status == .usage)
    }

    @Test func theLaneMeasuresEachPersonAndTheAnswersArePaired() async throws {
        var settings = SceneSettings()
        settings.seed = 3
        let travellers = SceneScript.queue(count: 6, feverShare: 0, seed: 4)
        let frames = Self.scene(settings, travellers: travellers, seconds: (travellers.last?.departure ?? 0) + 2)
        var screening = ScreeningConfig()
        screening.reference = .region(x: Self.disc.x, y: Self.disc.y, radius: Self.disc.radius)
        let run = try OffsetCalibrationRun(screening: screening, people: 5)
        var asked: [Int] = []
        let pairs = try await run.collect(Self.stream(frames)) { m, person in
            asked.append(person)
            return person == 2 && !asked.dropLast().contains(2) ? .skip : .reading(((m.skinC + 1.9) * 100).rounded() / 100)
        }
        #expect(pairs.count == 5, "asked \(asked)")
        #expect(pairs.allSatisfy { abs($0.clinicalC - $0.skinC - 1.9) < 0.011 })
        #expect(asked.first == 1 && asked.filter { $0 == 2 }.count == 2, "a skipped person is asked for again: \(asked)")
    }

    // MARK: check

    @Test func theLanesOwnDiscIsNeverTheSecondReference() async throws {
        var screening = ScreeningConfig()
        screening.reference = .region(x: Self.disc.x, y: Self.disc.y, radius: Self.disc.radius)
        let own = await Self.failure {
            _ = try CheckCalibrationRun(
                screening: screening, lane: "l", knownC: 35, secondRegion: (Self.disc.x + 1, Self.disc.y, Self.disc.radius), seconds: 3)
        }
        #expect(own?.status == .usage && own?.message.contains("the lane's own reference") == true, "\(own?.message ?? "accepted")")
        // Searched for, with nothing but the lane's disc in view: no second reference, never a PASS.
        let run = try CheckCalibrationRun(screening: screening, lane: "l", knownC: 35, secondRegion: nil, seconds: 3)
        let alone = await Self.failure { _ = try await run.run(Self.stream(Self.scene(seconds: 8))) }
        #expect(alone?.status == .notAcceptable, "\(alone?.message ?? "passed against its own disc")")
        // A real second disc passes.
        let second = try await run.run(Self.stream(framesWithSecondDisc(secondC: 35, seconds: 6)))
        #expect(second.passed && abs(second.x - 30) <= 1, "\(second)")
    }

    // MARK: revert

    @Test func revertPutsBackWhatWasBeforeAndASecondRevertUndoesIt() async throws {
        let store = try LaneStore()
        func reference(_ x: Int) -> ReferenceCalibration {
            ReferenceCalibration(x: x, y: 100, radius: 6, setpointC: 35, noiseC: 0.02, driftCPerMinute: 0, contrastC: 9, seconds: 30)
        }
        try await store.addCalibration(lane: "l", kind: .reference, technician: "Lan", summary: "first", values: reference(140))
        try await store.addCalibration(lane: "l", kind: .reference, technician: "Lan", summary: "second", values: reference(20))
        let back = try await CalibrationRevert.revert(.reference, lane: "l", technician: "Minh", in: store)
        #expect(back.summary.contains("back to #1"))
        #expect(try store.calibration(lane: "l").reference?.x == 140)
        _ = try await CalibrationRevert.revert(.reference, lane: "l", technician: "Minh", in: store)
        #expect(try store.calibration(lane: "l").reference?.x == 20)
        // Back to before the first calibration: the configuration's values.
        try await store.addCalibration(lane: "m", kind: .offset, technician: "Lan", summary: "only", values: try OffsetFit.fit(Self.pairs([1.2, 1.2, 1.2, 1.2, 1.2])))
        _ = try await CalibrationRevert.revert(.offset, lane: "m", technician: "Minh", in: store)
        #expect(try store.calibration(lane: "m").offset == nil)
        let nothing = await Self.failure { _ = try await CalibrationRevert.revert(.pixels, lane: "m", technician: "Minh", in: store) }
        #expect(nothing?.status == .notAcceptable)
        #expect(try await store.calibrationHistory().count == 6, "reverts add to the history, never remove")
    }

    // MARK: frames

    /// A lane whose camera is missing: every command that reads it fails within the deadline, saying so.
    @Test(.timeLimit(.minutes(1))) func noCameraFailsSayingSo() async throws {
        let config = try ApplianceConfig.parse(
            "[[lane]]\nid = \"l\"\n[lane.camera]\nsource = \"v4l2\"\ndevice = \"/dev/video-none\"\n[lane.scanner]\nsource = \"none\"\n")
        let frames = try FrameSource.camera.frames(of: config.lanes[0], wallSeconds: 3600)
        let failure = await Self.failure { for try await _ in frames {} }
        #expect(failure?.status == .noDevice && failure?.message.contains("no frames from lane l's camera within 4 s") == true, "\(failure?.message ?? "no failure")")
    }

    /// A lane's recording follows the lane's rotation unless told otherwise.
    @Test func aRecordingIsTurnedAsTheLanesCamera() async throws {
        let path = temporaryDirectory() + "/sideways.cptv"
        try CPTVFile.write(thermalFrames: Self.scene(seconds: 1), deviceName: "test", startMicros: 0, to: path)
        let config = try ApplianceConfig.parse(
            "[[lane]]\nid = \"l\"\n[lane.camera]\nsource = \"replay\"\nfile = \"\(path)\"\nrotation = 90\n[lane.scanner]\nsource = \"none\"\n")
        var turned: ThermalFrame?
        for try await frame in try FrameSource.recording(path: path, rotation: nil).frames(of: config.lanes[0], wallSeconds: 10) { turned = frame }
        #expect(turned?.width == 120 && turned?.height == 160)
        var asIs: ThermalFrame?
        for try await frame in try FrameSource.recording(path: path, rotation: 0).frames(of: config.lanes[0], wallSeconds: 10) { asIs = frame }
        #expect(asIs?.width == 160 && asIs?.height == 120)
        let bad = await Self.failure { _ = try FrameSource.recording(path: path, rotation: 45).frames(of: config.lanes[0], wallSeconds: 1) }
        #expect(bad?.status == .usage)
    }
}
