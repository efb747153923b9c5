import Appliance
import ArgumentParser
import Foundation
import LaneControl
import Screening
import Store
import Thermal

/// `checkpointctl calibrate …`: the technician's calibration of a lane, stored with its history in the lane's
/// database. The service applies the latest of each kind when it starts. The work is LaneControl's.
struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Calibrate a lane: the blackbody reference, the skin-to-screening offset, a check, revert, the history.",
        discussion: """
            Stop the service first when calibrating from the camera (systemctl stop checkpointd), and start it
            again afterwards: it applies the latest calibration of each kind when it starts.
            Every stored calibration names the technician (--technician) and is kept in the history.

            Exit codes:
            \(ExitStatus.table)
            """,
        subcommands: [Reference.self, Offset.self, Check.self, Revert.self, History.self])

    struct Reference: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find the blackbody reference, measure how steady it is, and store its place and set-point.",
            discussion: """
                Watches the reference for --seconds (30 by default, at least 20) and reports its noise (standard
                deviation about its trend) and its drift per minute. It is stored only when the noise is at most
                0.1 °C and the drift at most 0.5 °C/min (a camera or blackbody still warming up is refused).
                """)

        @OptionGroup var options: CalibrationOptions

        @Option(help: "The blackbody's set-point in °C (from its display or certificate; default: the configuration's).")
        var setpoint: Double?

        @Option(help: "Where the disc is, x,y,radius in the upright image (default: found automatically).")
        var region: String?

        @Option(help: "Seconds to watch the reference (at least 20).")
        var seconds: Double = 30

        @Option(help: "Your name, stored in the history.")
        var technician: String

        @Flag(help: "Measure and report, but store nothing.")
        var dryRun = false

        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() async throws {
            let context = try options.context()
            if !dryRun { _ = try Technician.validated(technician) }
            let run = try ReferenceCalibrationRun(
                region: try parseRegion(region), setpointC: setpoint ?? context.lane.screening.referenceSetpointC, seconds: seconds)
            let store = try context.openStore()
            var progress = ProgressLine()
            let result = try await run.survey(try options.source.frames(of: context.lane, wallSeconds: seconds + 30)) { step, t in
                switch step {
                case .searching(let s): progress.show("looking for the reference… \(format(s, 0)) s", at: t)
                case .lost(let reason): progress.show("the reference was lost (\(reason.rawValue)): starting over", at: t)
                case .measuring(let x, let y, let r, let samples, let noise):
                    progress.show("reference at (\(x), \(y)) radius \(r): \(samples) readings\(noise.map { " noise \(format($0, 3)) °C" } ?? "")", at: t)
                }
            }
            progress.done()
            if json {
                print(try jsonText(result))
            } else {
                print("reference at (\(result.x), \(result.y)), radius \(result.radius) px, \(format(result.contrastC, 1)) °C warmer than its surroundings")
                print("over \(format(result.seconds, 1)) s: noise \(format(result.noiseC, 3)) °C (limit \(ReferenceSurvey.maxNoiseC)), drift \(signed(result.driftCPerMinute, 3)) °C/min")
                print("set-point \(format(run.setpointC, 1)) °C")
            }
            if dryRun {
                for reason in run.refusals(result) { warn(reason) }
                return note("dry run: nothing stored")
            }
            _ = try await run.store(result, lane: context.lane.id, technician: technician, in: store)
            note("stored for lane \(context.lane.id); restart the service to apply it (systemctl restart checkpointd)")
        }
    }

    struct Offset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit the skin-to-screening offset against a clinical thermometer, person by person.",
            discussion: """
                Each person stands on the mark; when the lane has measured them, type their clinical (e.g. oral or
                tympanic) reading in °C and press Enter; 's' skips the person, 'q' finishes. At least 5 people.
                Uses the stored reference calibration. The offset is the mean of (clinical − skin).
                The fit is shown with each person's difference from the others; a person more than 1 °C apart is
                an outlier and must be left out (type their number, or --leave-out N) before it can be stored.
                It is stored after you answer 'y' (or with --yes).
                """)

        @OptionGroup var options: CalibrationOptions

        @Option(help: "Stop after this many people (at least 5).")
        var people: Int = 10

        @Option(help: "Your name, stored in the history.")
        var technician: String

        @Option(name: .customLong("leave-out"), help: "Leave person N out of the fit (repeatable).")
        var leaveOut: [Int] = []

        @Flag(help: "Store without asking (outliers still refuse).")
        var yes = false

        @Flag(help: "Fit and report, but store nothing.")
        var dryRun = false

        func run() async throws {
            let context = try options.context()
            if !dryRun { _ = try Technician.validated(technician) }
            let store = try context.openStore()
            let run = try OffsetCalibrationRun(screening: try context.screening(store: store), people: people)
            let pairs = try await run.collect(try options.source.frames(of: context.lane, wallSeconds: 3600)) { m, person in
                print("person \(person): skin \(format(m.skinC)) °C (site \(m.siteX),\(m.siteY), ±\(format(m.uncertaintyC, 1)))")
                return Self.askClinical()
            } progress: { step in
                switch step {
                case .nextPerson(let n): print("person \(n): please stand on the mark and look at the camera")
                case .paused(let reason): print("screening paused: \(reason.rawValue)")
                case .retry(let reason): print("retry: \(reason.rawValue)")
                }
            }
            var leftOut = Set(leaveOut)
            while true {
                let review = try OffsetCalibrationRun.review(pairs, leavingOut: leftOut)
                Self.show(review)
                if dryRun { return note("dry run: nothing stored") }
                // Asked unless --yes; an outlier still in the fit refuses the store either way.
                if yes {
                    _ = try await OffsetCalibrationRun.store(review, lane: context.lane.id, technician: technician, in: store)
                    return note("stored for lane \(context.lane.id); restart the service to apply it (systemctl restart checkpointd)")
                }
                switch Self.confirm(people: pairs.count) {
                case .store:
                    _ = try await OffsetCalibrationRun.store(review, lane: context.lane.id, technician: technician, in: store)
                    return note("stored for lane \(context.lane.id); restart the service to apply it (systemctl restart checkpointd)")
                case .leaveOut(let person): leftOut.insert(person)
                case .cancel: throw ControlFailure(.notAcceptable, "not confirmed; nothing stored")
                }
            }
        }

        static func show(_ review: OffsetCalibrationRun.Review) {
            print("person  skin °C  clinical °C  residual °C")
            for person in review.people {
                let residual = review.fit.pairs.first { $0.skinC == person.pair.skinC && $0.clinicalC == person.pair.clinicalC }?.residualC
                let mark = person.leftOut ? "  left out" : person.isOutlier ? String(format: "  OUTLIER: %+.2f °C from the others", person.apartC) : ""
                print(String(format: "%6d  %7.2f  %11.2f  ", person.number, person.pair.skinC, person.pair.clinicalC)
                    + (residual.map { String(format: "%+11.2f", $0) } ?? "          –") + mark)
            }
            print("offset \(signed(review.fit.offsetC)) °C from \(review.fit.pairs.count) people; residuals RMS \(format(review.fit.rmsResidualC)) °C")
            if review.fit.rmsResidualC > 0.3 {
                warn("the residuals are large (RMS > 0.3 °C): check the readings were typed for the right person, and that people waited 10 min indoors before measuring")
            }
        }

        enum Confirmation { case store, leaveOut(Int), cancel }

        /// "y" stores, a person's number leaves them out, anything else (or end of input) stores nothing.
        static func confirm(people: Int) -> Confirmation {
            print("store this offset? y = yes, a number = leave that person out, n = no: ", terminator: "")
            fflush(nil)
            guard let line = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() else { return .cancel }
            if line == "y" || line == "yes" { return .store }
            if let n = Int(line), (1...people).contains(n) { return .leaveOut(n) }
            return .cancel
        }

        /// Reads the technician's answer from standard input, asking again until it is usable. End of input quits.
        static func askClinical() -> OffsetCalibrationRun.Answer {
            while true {
                print("  clinical reading °C (s = skip, q = finish): ", terminator: "")
                fflush(nil)  // the prompt has no newline
                guard let line = readLine()?.trimmingCharacters(in: .whitespaces) else { return .quit }
                switch line.lowercased() {
                case "s", "skip": return .skip
                case "q", "quit", "done": return .quit
                default:
                    if let value = Double(line.replacingOccurrences(of: ",", with: ".")), OffsetFit.clinicalRangeC.contains(value) {
                        return .reading(value)
                    }
                    print("  '\(line)' is not a reading between 34 and 43 °C")
                }
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify the lane against a second reference of known temperature: prints the error and PASS or FAIL.",
            discussion: """
                Hold or place a second blackbody (a different one from the lane's reference) in view. Its reading,
                corrected through the lane's reference exactly as faces are, is compared with --reference-temp.
                A --region on the lane's own disc is refused. Exit code 0 on PASS, 1 on FAIL. The result is kept in
                the history.
                """)

        @OptionGroup var options: CalibrationOptions

        @Option(name: .customLong("reference-temp"), help: "The second reference's true temperature in °C.")
        var referenceTemp: Double

        @Option(help: "Largest acceptable error in °C.")
        var tolerance = ReferenceCheck.defaultToleranceC

        @Option(help: "Where the second reference is, x,y,radius in the upright image (default: found automatically).")
        var region: String?

        @Option(help: "Seconds to read the second reference.")
        var seconds: Double = 10

        @Option(help: "Your name, stored in the history.")
        var technician: String

        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() async throws {
            let context = try options.context()
            _ = try Technician.validated(technician)
            let store = try context.openStore()
            let run = try CheckCalibrationRun(
                screening: try context.screening(store: store), lane: context.lane.id, knownC: referenceTemp, toleranceC: tolerance,
                secondRegion: try parseRegion(region), seconds: seconds)
            var progress = ProgressLine()
            let result = try await run.run(try options.source.frames(of: context.lane, wallSeconds: seconds + 30)) { step, t in
                switch step {
                case .referenceMissing: progress.show("the lane's reference is not where it was calibrated", at: t)
                case .searching: progress.show("looking for the second reference…", at: t)
                case .measuring(let samples): progress.show("reading the second reference: \(samples) frames", at: t)
                }
            }
            progress.done()
            let verdict = result.passed ? "PASS" : "FAIL"
            if json {
                print(try jsonText(result))
            } else {
                print("second reference at (\(result.x), \(result.y)) radius \(result.radius): measured \(format(result.measuredC)) °C, true \(format(result.knownC)) °C")
                print("error \(signed(result.errorC)) °C (tolerance ±\(format(result.toleranceC, 1))): \(verdict)")
            }
            _ = try await CheckCalibrationRun.store(result, lane: context.lane.id, technician: technician, in: store)
            if !result.passed { throw ExitCode(ExitStatus.notAcceptable.rawValue) }
        }
    }

    struct Revert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Undo the last reference, offset or pixels calibration of a lane.",
            discussion: """
                Adds an entry to the history that puts back the values before the last change of that kind (or the
                configuration's own, when there was none before). A second revert undoes the first. Restart the
                service to apply it.
                """)

        @OptionGroup var options: CalibrationOptions

        @Argument(help: "What to revert: reference, offset or pixels.")
        var kind: String

        @Option(help: "Your name, stored in the history.")
        var technician: String

        @Flag(help: "Print the stored entry as JSON.")
        var json = false

        struct Shown: Encodable {
            var id: Int64?
            var lane: String, kind: String, at: String, technician: String, summary: String
        }

        func run() async throws {
            guard let kind = CalibrationEntry.Kind(rawValue: kind), kind != .check else {
                throw ControlFailure(.usage, "'\(kind)' is not reference, offset or pixels")
            }
            let context = try options.context()
            let entry = try await CalibrationRevert.revert(kind, lane: context.lane.id, technician: technician, in: try context.openStore())
            print(json
                ? try jsonText(Shown(id: entry.id, lane: entry.lane, kind: entry.kind.rawValue, at: entry.recordedAt, technician: entry.technician, summary: entry.summary))
                : entry.summary)
            note("stored for lane \(context.lane.id); restart the service to apply it (systemctl restart checkpointd)")
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What was calibrated when, and by whom (oldest first).")

        @Option(help: "The configuration file.")
        var config = "/etc/checkpoint-lane/checkpoint.toml"

        @Option(help: "Only this lane.")
        var lane: String?

        @Option(help: "State directory holding passages.sqlite (default: $STATE_DIRECTORY or the configuration's).")
        var state: String?

        @Flag(help: "One JSON object per line.")
        var json = false

        func run() async throws {
            let store = try existingStore(config: config, state: state)
            let entries = try await store.calibrationHistory(lane: lane)
            if entries.isEmpty && !json { note("no calibration stored yet") }
            for entry in entries {
                if json {
                    let values = (try? JSONSerialization.jsonObject(with: Data(entry.json.utf8), options: .fragmentsAllowed)) ?? NSNull()
                    let object: [String: Any] = [
                        "id": entry.id ?? 0, "lane": entry.lane, "kind": entry.kind.rawValue, "at": entry.recordedAt,
                        "technician": entry.technician, "summary": entry.summary, "values": Self.snakeCased(values),
                    ]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print("\(entry.recordedAt)  lane \(entry.lane)  \(entry.kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) by \(entry.technician): \(entry.summary)")
                }
            }
        }

        /// The stored values' keys as every other JSON output spells them.
        static func snakeCased(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return Dictionary(uniqueKeysWithValues: object.map { key, inner in
                    (key.replacing(/([a-z0-9])([A-Z])/) { "\($0.1)_\($0.2.lowercased())" }, snakeCased(inner))
                })
            }
            if let array = value as? [Any] { return array.map(snakeCased) }
            return value
        }
    }
}
