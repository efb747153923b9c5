import Screening
import Thermal

/// Replays labelled real recordings through the production engine and scores it as the checkpoint would: every
/// person at the mark measured exactly once, none measured twice, no reading of an empty scene or a passer-by, the
/// disc found where it is, and how long a person stands at the mark before the verdict. Pure: frames in (already
/// upright), a report out.
public enum RecordingEvaluation {
    /// A reading belongs to a person when it comes while they stand at the mark, or this long around it (the
    /// labelled still stretch is read off frames by eye, to a frame or two).
    public static let slackBeforeSeconds = 0.5
    public static let slackAfterSeconds = 1.0

    public struct Result: Sendable {
        public var label: RecordingLabels.Recording
        public var frames: Int
        /// Seconds from the first frame until screening resumed (the disc found), nil when it never was.
        public var referenceFoundAfter: Double?
        /// The disc the engine read at the end, and how far (px) its centre is from the labelled one.
        public var disc: (x: Int, y: Int, radius: Int)?
        public var discErrorPx: Double? {
            disc.map { d in
                let dx = Double(d.x - label.disc.x), dy = Double(d.y - label.disc.y)
                return (dx * dx + dy * dy).squareRoot()
            }
        }
        /// Where the engine's readings were taken (site), and when.
        public var readings: [(t: Double, m: Measurement)]
        public var retries: [(t: Double, reason: RetryReason)]
        public var pauses: [(t: Double, reason: PauseReason)]
        /// Per labelled person: the readings attributed to them.
        public var readingsPerPerson: [Int]
        /// Readings that belong to nobody at the mark.
        public var strayReadings: Int
        /// Per person with a reading: seconds from standing still at the mark to the verdict (0 when it came sooner).
        public var timesToVerdict: [Double]
        /// The same for the people whose eyes could be read (`expect` reading).
        public var timesToVerdictMeasurable: [Double]

        /// Each person as expected, no stray reading, and the disc read where it is.
        public var passed: Bool { strayReadings == 0 && personFailures.isEmpty && (discErrorPx ?? .infinity) <= 2 }

        /// What went wrong, person by person, in words.
        public var personFailures: [String] {
            label.people.enumerated().compactMap { i, person in
                let n = readingsPerPerson[i]
                let ok: Bool
                switch person.expect {
                case .reading: ok = n == 1
                case .readingOrRetry: ok = n <= 1
                case .none: ok = n == 0
                }
                if ok { return nil }
                return "person \(i + 1) (\(person.expect.rawValue), eyes \(person.eyes)): \(n) readings"
            }
        }

        /// Everything that did not go as labelled.
        public var failures: [String] {
            var list = personFailures
            if strayReadings > 0 { list.append("\(strayReadings) stray reading(s)") }
            if let error = discErrorPx, error > 2 { list.append("disc \(fixed(error, 0)) px from its place") }
            if disc == nil { list.append("disc never found") }
            return list
        }

        /// Retries by reason, most common first ("too-far 2, moving 1").
        public var retrySummary: String {
            var counts: [String: Int] = [:]
            for r in retries { counts[r.reason.rawValue, default: 0] += 1 }
            return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
    }

    /// Runs one recording's upright frames through a fresh engine.
    public static func run(_ label: RecordingLabels.Recording, frames: [ThermalFrame], config: ScreeningConfig) -> Result {
        var engine = ScreeningEngine(config: config)
        let t0 = frames.first?.timestamp ?? 0
        var readings: [(Double, Measurement)] = [], retries: [(Double, RetryReason)] = [], pauses: [(Double, PauseReason)] = []
        var found: Double?
        if config.reference == .none || { if case .region = config.reference { true } else { false } }() { found = 0 }
        for frame in frames {
            let t = frame.timestamp - t0
            for event in engine.process(frame) {
                switch event {
                case .measured(let m): readings.append((t, m))
                case .retry(let reason): retries.append((t, reason))
                case .paused(let reason):
                    pauses.append((t, reason))
                case .resumed: if found == nil { found = t }
                case .left: break
                }
            }
        }
        var perPerson = [Int](repeating: 0, count: label.people.count)
        var stray = 0
        var times: [Double] = [], measurableTimes: [Double] = []
        for (t, _) in readings {
            // The person whose still stretch (with slack) holds the reading; the nearest one if several do.
            let owner = label.people.indices
                .filter { t >= label.people[$0].from - slackBeforeSeconds && t <= label.people[$0].to + slackAfterSeconds }
                .min { abs(t - label.people[$0].from) < abs(t - label.people[$1].from) }
            guard let owner else {
                stray += 1
                continue
            }
            perPerson[owner] += 1
            let person = label.people[owner]
            if person.expect != .none { times.append(max(0, t - (person.stillFrom ?? person.from))) }
            if person.expect == .reading { measurableTimes.append(max(0, t - (person.stillFrom ?? person.from))) }
        }
        return Result(
            label: label, frames: frames.count, referenceFoundAfter: found, disc: engine.referenceDisc, readings: readings, retries: retries,
            pauses: pauses, readingsPerPerson: perPerson, strayReadings: stray, timesToVerdict: times,
            timesToVerdictMeasurable: measurableTimes)
    }

    /// The table printed by `checkpointctl recording evaluate` and `make eval-recordings`, with totals.
    public static func table(_ results: [Result]) -> String {
        var lines = [
            "recording                 people  measurable  readings  stray  disc found  verdict after  retries (by reason)        ok"
        ]
        for r in results {
            let measurable = r.label.people.filter { $0.expect == .reading }.count
            let people = r.label.people.filter { $0.expect != .none }.count
            var found = r.referenceFoundAfter.map { fixed($0, 1) + " s" } ?? "never"
            if let error = r.discErrorPx, error > 2 { found += " (\(fixed(error, 0)) px off)" }
            let ttv = r.timesToVerdict.isEmpty ? "-" : r.timesToVerdict.map { fixed($0, 1) }.joined(separator: ",")
            lines.append(
                pad(r.label.file, 26) + pad(String(people), 8) + pad(String(measurable), 12) + pad(String(r.readings.count), 10)
                    + pad(String(r.strayReadings), 7) + pad(found, 12) + pad(ttv, 15) + pad(r.retrySummary.isEmpty ? "-" : r.retrySummary, 27)
                    + (r.passed ? "yes" : "NO: " + r.failures.joined(separator: "; ")))
        }
        lines.append(summary(results))
        return lines.joined(separator: "\n")
    }

    /// Totals: recordings right, measurable people measured once, stray readings, time to verdict p50/p95.
    public static func summary(_ results: [Result]) -> String {
        let measurable = results.flatMap { r in r.label.people.indices.filter { r.label.people[$0].expect == .reading }.map { r.readingsPerPerson[$0] } }
        let coveredEyes = results.flatMap { r in r.label.people.indices.filter { r.label.people[$0].expect == .readingOrRetry }.map { r.readingsPerPerson[$0] } }
        let times = results.flatMap(\.timesToVerdict).sorted()
        let stray = results.reduce(0) { $0 + $1.strayReadings }
        let found = results.filter { $0.referenceFoundAfter != nil }.count
        var text = "\(results.filter(\.passed).count) of \(results.count) recordings as labelled; "
        text += "\(measurable.filter { $0 == 1 }.count) of \(measurable.count) measurable people measured exactly once"
        text += " (\(measurable.filter { $0 == 0 }.count) missed, \(measurable.filter { $0 > 1 }.count) measured twice); "
        text += "eyes covered: \(coveredEyes.filter { $0 == 1 }.count) of \(coveredEyes.count) read, \(coveredEyes.filter { $0 > 1 }.count) twice; "
        text += "\(stray) stray readings; disc found in \(found) of \(results.count); "
        let clear = results.flatMap(\.timesToVerdictMeasurable).sorted()
        func p(_ list: [Double], _ q: Double) -> String { list.isEmpty ? "-" : fixed(percentile(list, q), 2) }
        text += "time to verdict, eyes visible: p50 \(p(clear, 0.5)) s, p95 \(p(clear, 0.95)) s; everyone read: p50 \(p(times, 0.5)) s, p95 \(p(times, 0.95)) s"
        return text
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

    static func fixed(_ v: Double, _ digits: Int) -> String { Numbers.fixed(v, digits) }
    static func percentile(_ values: [Double], _ p: Double) -> Double { Numbers.percentile(values, p) }
}
