import Foundation
import Screening
import Store
import Thermal

/// `calibrate check`: a second blackbody of known temperature, read through the lane's reference as faces are,
/// must come out within the tolerance. The lane's own disc is never the second one.
public struct CheckCalibrationRun: Sendable {
    public let reference: (x: Int, y: Int, radius: Int)
    public let setpointC: Double
    public let knownC: Double
    public let toleranceC: Double
    public let secondRegion: (x: Int, y: Int, radius: Int)?
    public let seconds: Double

    public init(
        screening: ScreeningConfig, lane: String, knownC: Double, toleranceC: Double = ReferenceCheck.defaultToleranceC,
        secondRegion: (x: Int, y: Int, radius: Int)?, seconds: Double
    ) throws(ControlFailure) {
        guard case .region(let x, let y, let r) = screening.reference else {
            throw ControlFailure(.cannotRun, "lane \(lane) has no reference place yet: run 'checkpointctl calibrate reference' first")
        }
        guard (25.0...45.0).contains(knownC) else { throw ControlFailure(.usage, "--reference-temp \(knownC) is outside 25–45 °C") }
        guard toleranceC > 0, toleranceC <= 2 else { throw ControlFailure(.usage, "--tolerance must be more than 0 and at most 2 °C") }
        if let second = secondRegion, ReferenceCheck.overlaps(second, (x, y, r)) {
            throw ControlFailure(
                .usage,
                "--region \(second.x),\(second.y),\(second.radius) is the lane's own reference at (\(x), \(y)): a check needs a second blackbody, away from the first")
        }
        reference = (x, y, r)
        setpointC = screening.referenceSetpointC
        self.knownC = knownC
        self.toleranceC = toleranceC
        self.secondRegion = secondRegion
        self.seconds = seconds
    }

    public enum Progress: Sendable, Equatable {
        case referenceMissing
        case searching
        case measuring(samples: Int)
    }

    /// `progress` gets each step with the frame's time.
    public func run(_ frames: AsyncThrowingStream<ThermalFrame, any Error>, progress: (Progress, Double) -> Void = { _, _ in }) async throws(ControlFailure)
        -> ReferenceCheckResult
    {
        var check = ReferenceCheck(reference: reference, setpointC: setpointC, knownC: knownC, toleranceC: toleranceC, secondRegion: secondRegion)
        var firstMeasured: Double?
        do {
            for try await frame in frames {
                switch check.add(frame) {
                case .referenceMissing: progress(.referenceMissing, frame.timestamp)
                case .searching: progress(.searching, frame.timestamp)
                case .measuring(let samples):
                    let t0 = firstMeasured ?? frame.timestamp
                    firstMeasured = t0
                    progress(.measuring(samples: samples), frame.timestamp)
                }
                if let t0 = firstMeasured, frame.timestamp - t0 >= seconds, check.result != nil { break }
            }
        } catch let failure as ControlFailure {
            throw failure
        } catch {
            throw ControlFailure(.cannotRun, "\(error)")
        }
        guard let result = check.result else {
            throw ControlFailure(
                .notAcceptable, "could not read a second reference next to the lane's: is it on, in view, and away from the lane's reference?")
        }
        return result
    }

    /// Keeps the check in the history (a failed one too: it is evidence).
    public static func store(_ result: ReferenceCheckResult, lane: String, technician: String, in store: LaneStore) async throws(ControlFailure)
        -> CalibrationEntry
    {
        let name = try Technician.validated(technician)
        let summary = String(
            format: "check against %.2f °C: measured %.2f °C, error %+.2f °C, ", result.knownC, result.measuredC, result.errorC)
            + (result.passed ? "PASS" : "FAIL")
        do {
            return try await store.addCalibration(lane: lane, kind: .check, technician: name, summary: summary, values: result)
        } catch {
            throw ControlFailure(.cannotRun, "cannot store the check: \(error)")
        }
    }
}
