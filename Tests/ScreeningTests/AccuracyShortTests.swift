import Screening
import ScreeningEvaluation
import Testing
import TestSupport

/// The short form of `make bench-accuracy` (which runs ≥ 1,000 travellers per condition in release): few travellers,
/// loose bounds, so a change that breaks accuracy fails `make test` too.
@Suite struct AccuracyShortTests {
    @Test func normalLaneIsAccurate() async throws {
        let report = try await cpuHeavy { AccuracyEvaluation.run(.normal, travellers: 40, seed: 5) }
        #expect(abs(report.bias) <= 0.2, "\(report.summary)")
        #expect(report.p95AbsoluteError <= 0.5, "\(report.summary)")
        #expect((report.sensitivity ?? 0) >= 0.9 && (report.specificity ?? 0) >= 0.9, "\(report.summary)")
        #expect(report.notMeasured <= 0.1, "\(report.summary)")
        #expect(report.duplicateReadings == 0)
    }

    @Test func withoutReferenceTheBiasIsVisibleNotHidden() async throws {
        let report = try await cpuHeavy { AccuracyEvaluation.run(.noReference, travellers: 10, seed: 6) }
        // The simulated sensor reads 1.8 K low: an engine that nudged readings toward normal would hide it.
        #expect(report.bias < -1.0, "\(report.summary)")
        #expect(report.outcomes.allSatisfy { $0.reading.map { !$0.referenced && $0.uncertaintyC >= 2 } ?? true })
    }
}
