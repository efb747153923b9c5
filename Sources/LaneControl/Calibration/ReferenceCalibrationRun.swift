import Foundation
import Screening
import Store
import Thermal

/// `calibrate reference`: find the lane's blackbody (or read it where the technician says), watch it, and store
/// its place and set-point only when it is fit to correct readings.
public struct ReferenceCalibrationRun: Sendable {
    public var region: (x: Int, y: Int, radius: Int)?
    public var setpointC: Double
    public var seconds: Double

    /// A survey shorter than this cannot tell noise from drift.
    public static let minSeconds = 20.0

    public init(region: (x: Int, y: Int, radius: Int)?, setpointC: Double, seconds: Double) throws(ControlFailure) {
        guard (25.0...45.0).contains(setpointC) else { throw ControlFailure(.usage, "--setpoint \(setpointC) is outside 25–45 °C") }
        guard seconds >= Self.minSeconds else {
            throw ControlFailure(.usage, "--seconds \(seconds) is too short: watch the reference at least \(Int(Self.minSeconds)) s to tell its noise from its drift")
        }
        self.region = region
        self.setpointC = setpointC
        self.seconds = seconds
    }

    public enum Progress: Sendable, Equatable {
        case searching(seconds: Double)
        case lost(PauseReason)
        case measuring(x: Int, y: Int, radius: Int, samples: Int, noiseC: Double?)
    }

    /// Watches the frames until `seconds` of the disc have been read (or the frames end).
    /// `progress` gets each step with the frame's time (seconds on the recording's or camera's timeline).
    public func survey(_ frames: AsyncThrowingStream<ThermalFrame, any Error>, progress: (Progress, Double) -> Void = { _, _ in }) async throws(ControlFailure)
        -> ReferenceCalibration
    {
        var survey = ReferenceSurvey(region: region, setpointC: setpointC)
        var firstT: Double?
        do {
            for try await frame in frames {
                let t0 = firstT ?? frame.timestamp
                firstT = t0
                switch survey.add(frame) {
                case .searching: progress(.searching(seconds: frame.timestamp - t0), frame.timestamp)
                case .lost(let reason): progress(.lost(reason), frame.timestamp)
                case .measuring(let x, let y, let r, let samples):
                    progress(.measuring(x: x, y: y, radius: r, samples: samples, noiseC: survey.result?.noiseC), frame.timestamp)
                }
                if let result = survey.result, result.seconds >= seconds { break }
            }
        } catch let failure as ControlFailure {
            throw failure
        } catch {
            throw ControlFailure(.cannotRun, "\(error)")
        }
        guard let result = survey.result else {
            let cause = survey.lastLost.map { " (last lost: \($0.rawValue))" } ?? ""
            let scene = survey.sceneC.map { String(format: "; the scene reads %.1f °C", $0) } ?? ""
            throw ControlFailure(
                .notAcceptable,
                "no steady reference found\(cause)\(scene): check that the blackbody is on, in view in the lower part of the image, and at least 3 °C warmer than its surroundings")
        }
        return result
    }

    /// Why a surveyed disc may not be stored (empty: it may).
    public func refusals(_ result: ReferenceCalibration) -> [String] {
        var reasons: [String] = []
        if result.noiseC > ReferenceSurvey.maxNoiseC {
            reasons.append(String(format: "the reference is too unsteady (noise %.3f °C, limit %.1f): check the blackbody's power and that nothing moves in front of it", result.noiseC, ReferenceSurvey.maxNoiseC))
        }
        if abs(result.driftCPerMinute) > ReferenceSurvey.warmUpDriftCPerMinute {
            reasons.append(String(format: "the readings drift by %+.2f °C/min (limit ±%.1f): the camera or the blackbody is still warming up; wait 15–30 min (45 in the cold) and calibrate again", result.driftCPerMinute, ReferenceSurvey.warmUpDriftCPerMinute))
        }
        if result.seconds < Self.minSeconds {
            reasons.append(String(format: "the disc was read for only %.1f s (at least %.0f): a longer recording, or a longer watch", result.seconds, Self.minSeconds))
        }
        return reasons
    }

    /// Stores the surveyed disc for `lane`, or refuses with every reason.
    public func store(_ result: ReferenceCalibration, lane: String, technician: String, in store: LaneStore) async throws(ControlFailure) -> CalibrationEntry {
        let name = try Technician.validated(technician)
        let reasons = refusals(result)
        guard reasons.isEmpty else { throw ControlFailure(.notAcceptable, reasons.joined(separator: "; ") + "; nothing stored") }
        let summary = String(
            format: "reference at (%d, %d) r %d, set-point %.1f °C, noise %.3f °C, drift %+.3f °C/min, contrast %.1f °C",
            result.x, result.y, result.radius, setpointC, result.noiseC, result.driftCPerMinute, result.contrastC)
        do {
            return try await store.addCalibration(lane: lane, kind: .reference, technician: name, summary: summary, values: result)
        } catch {
            throw ControlFailure(.cannotRun, "cannot store the calibration: \(error)")
        }
    }
}
