import Foundation
import Screening
import Store
import Thermal

/// `calibrate offset`: the lane measures each person's skin at the inner eye corner, the technician types their
/// clinical reading, and the offset between the two is fitted, reviewed person by person, and stored only when
/// nobody in it disagrees with the others by more than `outlierC` (or the technician left them out).
public struct OffsetCalibrationRun: Sendable {
    public let screening: ScreeningConfig
    public let people: Int

    /// A person whose clinical − skin differs by more than this from everyone else's mean is an outlier: a reading
    /// typed for the wrong person, someone just in from the sun, a thermometer misused. Skin-to-core differences
    /// vary about 0.3–0.4 °C between people; 1 °C is well outside that.
    public static let outlierC = 1.0

    /// `screening`: the lane's settings with its reference calibration in force (the offset itself is set to 0,
    /// since the skin reading is what is paired).
    public init(screening: ScreeningConfig, people: Int) throws(ControlFailure) {
        guard people >= OffsetFit.minPairs else { throw ControlFailure(.usage, "--people must be at least \(OffsetFit.minPairs)") }
        var screening = screening
        screening.offsetC = 0
        self.screening = screening
        self.people = people
    }

    public enum Answer: Sendable, Equatable { case reading(Double), skip, quit }

    public enum Progress: Sendable, Equatable {
        case paused(PauseReason)
        case retry(RetryReason)
        case nextPerson(Int)
    }

    /// Runs the engine over the frames; for each person measured, `ask(skin reading, person number)` returns the
    /// technician's answer. Ends after `people` readings, on `quit`, or when the frames end.
    public func collect(
        _ frames: AsyncThrowingStream<ThermalFrame, any Error>, ask: (Screening.Measurement, Int) async -> Answer,
        progress: (Progress) -> Void = { _ in }
    ) async throws(ControlFailure) -> [OffsetPair] {
        var engine = ScreeningEngine(config: screening)
        var pairs: [OffsetPair] = []
        progress(.nextPerson(1))
        do {
            frames: for try await frame in frames {
                for event in engine.process(frame) {
                    switch event {
                    case .paused(let reason): progress(.paused(reason))
                    case .retry(let reason): progress(.retry(reason))
                    case .measured(let m):
                        switch await ask(m, pairs.count + 1) {
                        case .reading(let clinical): pairs.append(OffsetPair(skinC: m.skinC, clinicalC: clinical))
                        case .skip: break
                        case .quit: break frames
                        }
                        if pairs.count >= people { break frames }
                        progress(.nextPerson(pairs.count + 1))
                    default: break
                    }
                }
            }
        } catch let failure as ControlFailure {
            throw failure
        } catch {
            throw ControlFailure(.cannotRun, "\(error)")
        }
        return pairs
    }

    /// A fit for the technician to look at before it is stored.
    public struct Review: Sendable, Equatable {
        public var fit: OffsetCalibration
        /// Every person typed, numbered from 1, with their difference from everyone else's mean.
        public var people: [Person]
        public var outliers: [Int] { people.filter { $0.isOutlier && !$0.leftOut }.map(\.number) }

        public struct Person: Sendable, Equatable {
            public var number: Int
            public var pair: OffsetPair
            /// (clinical − skin) minus the median of everyone else's: a person far off does not hide in their own
            /// mean, nor make the others look far off.
            public var apartC: Double
            public var leftOut: Bool
            public var isOutlier: Bool { abs(apartC) > OffsetCalibrationRun.outlierC }
        }
    }

    /// Fits the offset without the people numbered in `leavingOut` (from 1).
    public static func review(_ pairs: [OffsetPair], leavingOut: Set<Int> = []) throws(ControlFailure) -> Review {
        if let bad = leavingOut.first(where: { !(1...pairs.count).contains($0) }) {
            throw ControlFailure(.usage, "there is no person \(bad) to leave out (people 1–\(pairs.count))")
        }
        let kept = pairs.enumerated().filter { !leavingOut.contains($0.offset + 1) }.map(\.element)
        let fit: OffsetCalibration
        do { fit = try OffsetFit.fit(kept) } catch { throw ControlFailure(.notAcceptable, "\(error); nothing stored") }
        let differences = pairs.map { $0.clinicalC - $0.skinC }
        let people = pairs.enumerated().map { index, pair in
            let others = differences.enumerated().filter { $0.offset != index && !leavingOut.contains($0.offset + 1) }.map(\.element)
            let apart = others.isEmpty ? 0 : differences[index] - median(others)
            return Review.Person(number: index + 1, pair: pair, apartC: (apart * 100).rounded() / 100, leftOut: leavingOut.contains(index + 1))
        }
        return Review(fit: fit, people: people)
    }

    /// Stores the reviewed fit for `lane`; refused while an outlier is still in it.
    public static func store(_ review: Review, lane: String, technician: String, in store: LaneStore) async throws(ControlFailure) -> CalibrationEntry {
        let name = try Technician.validated(technician)
        if let person = review.people.first(where: { $0.isOutlier && !$0.leftOut }) {
            throw ControlFailure(
                .notAcceptable,
                String(format: "person %d differs by %+.2f °C from the others (more than %.1f): leave them out (--leave-out %d) or measure again; nothing stored", person.number, person.apartC, outlierC, person.number))
        }
        let left = review.people.filter(\.leftOut).map { String($0.number) }
        let summary = String(format: "offset %+.2f °C from %d people, residual RMS %.2f °C", review.fit.offsetC, review.fit.pairs.count, review.fit.rmsResidualC)
            + (left.isEmpty ? "" : ", person \(left.joined(separator: ", ")) left out")
        do {
            return try await store.addCalibration(lane: lane, kind: .offset, technician: name, summary: summary, values: review.fit)
        } catch {
            throw ControlFailure(.cannotRun, "cannot store the calibration: \(error)")
        }
    }
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
