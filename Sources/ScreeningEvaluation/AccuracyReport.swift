import Screening
import Thermal

/// What an accuracy run found, per traveller and in summary.
public struct AccuracyReport: Sendable {
    public var conditions: String
    public var thresholdC: Double
    public var outcomes: [Outcome]

    public struct Outcome: Sendable {
        public var traveller: SceneTraveller
        public var reading: Measurement?
        /// Retry reasons shown before the reading (or instead of it).
        public var retries: [RetryReason] = []
        /// More than one reading for one traveller (should never happen).
        public var extraReadings = 0

        /// Seconds from standing still at the mark (or from the first frame) to the reading.
        public var verdictAfter: Double? { reading.map { $0.time - max(0, traveller.standingFrom) } }

        /// Screening temperature − true canthus temperature (°C), unrounded skin reading + offset.
        public var error: Double? { reading.map { $0.skinC - traveller.canthusC } }
    }

    public var travellers: Int { outcomes.count }
    public var errors: [Double] { outcomes.compactMap(\.error) }
    public var bias: Double { mean(errors) }
    public var meanAbsoluteError: Double { mean(errors.map(abs)) }
    /// The absolute error that 95 % of readings stay within.
    public var p95AbsoluteError: Double { percentile(errors.map(abs), 0.95) }

    /// Of the measured travellers at least 0.3 °C above the threshold, the share called elevated.
    public var sensitivity: Double? {
        share(outcomes.filter { $0.reading != nil && $0.traveller.canthusC >= thresholdC + 0.3 }) { $0.reading!.verdict == .elevated }
    }
    /// Of the measured travellers at least 0.3 °C below the threshold, the share called normal.
    public var specificity: Double? {
        share(outcomes.filter { $0.reading != nil && $0.traveller.canthusC <= thresholdC - 0.3 }) { $0.reading!.verdict == .normal }
    }
    public var measuredWithoutRetry: Double { share(outcomes) { $0.reading != nil && $0.retries.isEmpty } ?? 0 }
    public var measuredAfterRetry: Double { share(outcomes) { $0.reading != nil && !$0.retries.isEmpty } ?? 0 }
    public var notMeasured: Double { share(outcomes) { $0.reading == nil } ?? 0 }
    public var duplicateReadings: Int { outcomes.reduce(0) { $0 + $1.extraReadings } }

    /// The time to verdict that a share `p` of the measured travellers stay within (s).
    public func timeToVerdict(_ p: Double) -> Double? {
        let times = outcomes.compactMap(\.verdictAfter)
        return times.isEmpty ? nil : percentile(times, p)
    }

    /// Retry reasons of travellers never measured, most common first.
    public var unmeasuredReasons: [(RetryReason?, Int)] {
        var counts: [String: (RetryReason?, Int)] = [:]
        for o in outcomes where o.reading == nil {
            let reason = o.retries.last
            counts[reason?.rawValue ?? "none", default: (reason, 0)].1 += 1
        }
        return counts.values.sorted { $0.1 > $1.1 }
    }

    /// One block of text for the terminal and the notes.
    /// The engine's targets with a reference in view (issue 6) that this report misses, in words; empty when it
    /// meets them all: |bias| ≤ 0.1 °C, 95 % of errors within ±0.3 °C, sensitivity and specificity ≥ 99 %,
    /// ≥ 95 % measured without a retry, no traveller read twice.
    public var missedTargets: [String] {
        var missed: [String] = []
        if !(abs(bias) <= 0.1) { missed.append("bias \(fixed(bias, 3)) °C (target: within ±0.1)") }
        if !(p95AbsoluteError <= 0.3) { missed.append("95 % of errors within ±\(fixed(p95AbsoluteError, 3)) °C (target: ±0.3)") }
        if !((sensitivity ?? 0) >= 0.99) { missed.append("sensitivity \(sensitivity.map { fixed($0 * 100, 1) } ?? "n/a") % (target: ≥ 99)") }
        if !((specificity ?? 0) >= 0.99) { missed.append("specificity \(specificity.map { fixed($0 * 100, 1) } ?? "n/a") % (target: ≥ 99)") }
        if !(measuredWithoutRetry >= 0.95) { missed.append("measured without a retry \(fixed(measuredWithoutRetry * 100, 1)) % (target: ≥ 95)") }
        if duplicateReadings > 0 { missed.append("\(duplicateReadings) travellers read twice (target: none)") }
        return missed
    }

    public var summary: String {
        func f(_ v: Double?) -> String { v.map { fixed($0, 2) } ?? "n/a" }
        func pct(_ v: Double?) -> String { v.map { fixed($0 * 100, 1) + " %" } ?? "n/a" }
        var lines = [
            "\(conditions): \(travellers) travellers, threshold \(thresholdC) °C",
            "  bias \(f(bias)) °C, MAE \(f(meanAbsoluteError)) °C, 95 % of errors within ±\(f(p95AbsoluteError)) °C",
            "  sensitivity \(pct(sensitivity)) (≥ +0.3 °C), specificity \(pct(specificity)) (≤ −0.3 °C)",
            "  measured without retry \(pct(measuredWithoutRetry)), after a retry \(pct(measuredAfterRetry)), not measured \(pct(notMeasured)), duplicate readings \(duplicateReadings)",
            "  time to verdict from standing at the mark: p50 \(f(timeToVerdict(0.5))) s, p95 \(f(timeToVerdict(0.95))) s",
        ]
        var before: [String: Int] = [:]
        for o in outcomes where o.reading != nil { for r in Set(o.retries.map(\.rawValue)) { before[r, default: 0] += 1 } }
        if !before.isEmpty {
            lines.append("  retries shown before a reading: " + before.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        let groups: [(String, (Outcome) -> Bool)] = [
            ("plain", { !$0.traveller.glasses && !$0.traveller.hat && !$0.traveller.mask && !$0.traveller.helmet && abs($0.traveller.turnDegrees) < 5 }),
            ("glasses", { $0.traveller.glasses }), ("hat", { $0.traveller.hat }),
            ("turned ≥ 5°", { abs($0.traveller.turnDegrees) >= 5 }),
            ("mask", { $0.traveller.mask }), ("helmet", { $0.traveller.helmet }), ("queue behind", { $0.traveller.queueBehind }),
        ]
        let byGroup = groups.compactMap { name, member -> String? in
            let errors = outcomes.filter(member).compactMap(\.error)
            guard !errors.isEmpty, errors.count < outcomes.count else { return nil }
            return "\(name) n=\(errors.count) bias \(f(mean(errors))) p95 ±\(f(percentile(errors.map(abs), 0.95)))"
        }
        if !byGroup.isEmpty { lines.append("  by group: " + byGroup.joined(separator: "; ")) }
        let reasons = unmeasuredReasons.map { "\($0.0?.rawValue ?? "no reason given") \($0.1)" }
        if !reasons.isEmpty { lines.append("  not measured because: " + reasons.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }

    private func fixed(_ v: Double, _ digits: Int) -> String { Numbers.fixed(v, digits) }

    private func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
    private func percentile(_ values: [Double], _ p: Double) -> Double { Numbers.percentile(values, p) }
    private func share(_ list: [Outcome], _ predicate: (Outcome) -> Bool) -> Double? {
        list.isEmpty ? nil : Double(list.filter(predicate).count) / Double(list.count)
    }
}
