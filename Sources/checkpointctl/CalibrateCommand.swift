import Appliance
import ArgumentParser
import Foundation
import Screening
import Store
import Thermal

/// `checkpointctl calibrate …`: the technician's calibration of a lane, stored with its history in the lane's
/// database. The service applies the latest of each kind when it starts.
struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Calibrate a lane: the blackbody reference, the skin-to-screening offset, a check, the history.",
        discussion: """
            Stop the service first when calibrating from the camera (systemctl stop checkpointd), and start it
            again afterwards: it applies the latest calibration of each kind when it starts.
            Every stored calibration names the technician (--technician) and is kept in the history.
            """,
        subcommands: [Reference.self, Offset.self, Check.self, History.self])

    struct Reference: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find the blackbody reference, measure how steady it is, and store its place and set-point.",
            discussion: """
                Watches the reference for --seconds (30 by default) and reports its noise (standard deviation about
                its trend) and its drift per minute. It is stored only when the noise is at most 0.1 °C.
                """)

        @OptionGroup var options: CalibrationOptions

        @Option(help: "The blackbody's set-point in °C (from its display or certificate; default: the configuration's).")
        var setpoint: Double?

        @Option(help: "Where the disc is, x,y,radius in the upright image (default: found automatically).")
        var region: String?

        @Option(help: "Seconds to watch the reference.")
        var seconds: Double = 30

        @Option(help: "Your name, stored in the history.")
        var technician: String

        @Flag(help: "Measure and report, but store nothing.")
        var dryRun = false

        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() async throws {
            let (config, lane) = try options.load()
            let setpointC = setpoint ?? lane.screening.referenceSetpointC
            guard (25.0...45.0).contains(setpointC) else { fail("--setpoint \(setpointC) is outside 25–45 °C") }
            let store = try options.openStore(config)
            var survey = ReferenceSurvey(region: parseRegion(region), setpointC: setpointC)
            var progress = ProgressLine()
            var firstT: Double?
            for await frame in options.frames(of: lane, wallSeconds: seconds + 30) {
                let t0 = firstT ?? frame.timestamp
                firstT = t0
                switch survey.add(frame) {
                case .searching: progress.show("looking for the reference… \(format(frame.timestamp - t0, 0)) s", at: frame.timestamp)
                case .lost(let reason): progress.show("the reference was lost (\(reason.rawValue)): starting over", at: frame.timestamp)
                case .measuring(let x, let y, let r, let samples):
                    let noise = survey.result.map { " noise \(format($0.noiseC, 3)) °C" } ?? ""
                    progress.show("reference at (\(x), \(y)) radius \(r): \(samples) readings\(noise)", at: frame.timestamp)
                }
                if let result = survey.result, result.seconds >= seconds { break }
            }
            progress.done()
            guard let result = survey.result else {
                fail("no steady reference found\(options.recording == nil ? " within \(Int(seconds + 30)) s" : " in the recording"): check that the blackbody is on, in view in the lower part of the image, and at least 1.5 °C warmer than its surroundings")
            }
            let stable = result.noiseC <= ReferenceSurvey.maxNoiseC
            if json {
                print(try jsonText(result))
            } else {
                print("reference at (\(result.x), \(result.y)), radius \(result.radius) px, \(format(result.contrastC, 1)) °C warmer than its surroundings")
                print("over \(format(result.seconds, 1)) s: noise \(format(result.noiseC, 3)) °C (limit \(ReferenceSurvey.maxNoiseC)), drift \(signed(result.driftCPerMinute, 3)) °C/min")
                print("set-point \(format(setpointC, 1)) °C")
            }
            if abs(result.driftCPerMinute) > ReferenceSurvey.warmUpDriftCPerMinute {
                warn("warning: the camera's readings drift by \(signed(result.driftCPerMinute)) °C/min; it is probably still warming up (allow 15–30 min after power-on)")
            }
            guard stable else {
                warn("error: the reference is too unsteady to correct readings to 0.1 °C: check the blackbody's power and that nothing moves in front of it; nothing stored")
                throw ExitCode(1)
            }
            if dryRun { return print("dry run: nothing stored") }
            let summary = "reference at (\(result.x), \(result.y)) r \(result.radius), set-point \(format(setpointC, 1)) °C, noise \(format(result.noiseC, 3)) °C, drift \(signed(result.driftCPerMinute, 3)) °C/min"
            try await store.addCalibration(lane: lane.id, kind: .reference, technician: technician, summary: summary, values: result)
            print("stored for lane \(lane.id); restart the service to apply it (systemctl restart checkpointd)")
        }
    }

    struct Offset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit the skin-to-screening offset against a clinical thermometer, person by person.",
            discussion: """
                Each person stands on the mark; when the lane has measured them, type their clinical (e.g. oral or
                tympanic) reading in °C and press Enter; 's' skips the person, 'q' finishes. At least 5 people.
                Uses the stored reference calibration. The offset is the mean of (clinical − skin).
                """)

        @OptionGroup var options: CalibrationOptions

        @Option(help: "Stop after this many people (at least 5).")
        var people: Int = 10

        @Option(help: "Your name, stored in the history.")
        var technician: String

        @Flag(help: "Fit and report, but store nothing.")
        var dryRun = false

        func run() async throws {
            let (config, lane) = try options.load()
            guard people >= OffsetFit.minPairs else { fail("--people must be at least \(OffsetFit.minPairs)") }
            let store = try options.openStore(config)
            var screening = try options.screening(of: lane, store: store)
            screening.offsetC = 0  // the skin reading itself is what is paired
            var engine = ScreeningEngine(config: screening)
            var pairs: [OffsetPair] = []
            var finished = false
            print("person 1: please stand on the mark and look at the camera")
            for await frame in options.frames(of: lane, wallSeconds: 3600) {
                for event in engine.process(frame) {
                    switch event {
                    case .paused(let reason): print("screening paused: \(reason.rawValue)")
                    case .retry(let reason): print("retry: \(reason.rawValue)")
                    case .measured(let m):
                        print("person \(pairs.count + 1): skin \(format(m.skinC)) °C (site \(m.siteX),\(m.siteY), ±\(format(m.uncertaintyC, 1)))")
                        switch Self.askClinical() {
                        case .reading(let clinical): pairs.append(OffsetPair(skinC: m.skinC, clinicalC: clinical))
                        case .skip: print("skipped")
                        case .quit: finished = true
                        }
                        if pairs.count >= people { finished = true }
                        if !finished { print("person \(pairs.count + 1): please stand on the mark and look at the camera") }
                    default: break
                    }
                }
                if finished { break }
            }
            let fit: OffsetCalibration
            do { fit = try OffsetFit.fit(pairs) } catch { fail("\(error)") }
            print("person  skin °C  clinical °C  residual °C")
            for (i, pair) in fit.pairs.enumerated() {
                print(String(format: "%6d  %7.2f  %11.2f  %+11.2f", i + 1, pair.skinC, pair.clinicalC, pair.residualC))
            }
            print("offset \(signed(fit.offsetC)) °C from \(fit.pairs.count) people; residuals RMS \(format(fit.rmsResidualC)) °C")
            if fit.rmsResidualC > 0.3 {
                warn("warning: the residuals are large (RMS > 0.3 °C): check the readings were typed for the right person, and that people waited 10 min indoors before measuring")
            }
            if dryRun { return print("dry run: nothing stored") }
            let summary = "offset \(signed(fit.offsetC)) °C from \(fit.pairs.count) people, residual RMS \(format(fit.rmsResidualC)) °C"
            try await store.addCalibration(lane: lane.id, kind: .offset, technician: technician, summary: summary, values: fit)
            print("stored for lane \(lane.id); restart the service to apply it (systemctl restart checkpointd)")
        }

        enum Answer { case reading(Double), skip, quit }

        /// Reads the technician's answer from standard input, asking again until it is usable. End of input quits.
        static func askClinical() -> Answer {
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
                Exit code 0 on PASS, 1 on FAIL. The result is kept in the history.
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
            let (config, lane) = try options.load()
            let store = try options.openStore(config)
            let screening = try options.screening(of: lane, store: store)
            guard case .region(let x, let y, let r) = screening.reference else {
                fail("lane \(lane.id) has no reference place yet: run 'checkpointctl calibrate reference' first")
            }
            var check = ReferenceCheck(
                reference: (x, y, r), setpointC: screening.referenceSetpointC, knownC: referenceTemp, toleranceC: tolerance,
                secondRegion: parseRegion(region))
            var progress = ProgressLine()
            var firstMeasured: Double?
            for await frame in options.frames(of: lane, wallSeconds: seconds + 30) {
                switch check.add(frame) {
                case .referenceMissing: progress.show("the lane's reference is not where it was calibrated", at: frame.timestamp)
                case .searching: progress.show("looking for the second reference…", at: frame.timestamp)
                case .measuring(let samples):
                    let t0 = firstMeasured ?? frame.timestamp
                    firstMeasured = t0
                    progress.show("reading the second reference: \(samples) frames", at: frame.timestamp)
                }
                if let t0 = firstMeasured, frame.timestamp - t0 >= seconds, check.result != nil { break }
            }
            progress.done()
            guard let result = check.result else {
                fail("could not read a second reference next to the lane's: is it on, in view, and away from the lane's reference?")
            }
            let verdict = result.passed ? "PASS" : "FAIL"
            if json {
                print(try jsonText(result))
            } else {
                print("second reference at (\(result.x), \(result.y)) radius \(result.radius): measured \(format(result.measuredC)) °C, true \(format(result.knownC)) °C")
                print("error \(signed(result.errorC)) °C (tolerance ±\(format(result.toleranceC, 1))): \(verdict)")
            }
            let summary = "check against \(format(result.knownC)) °C: measured \(format(result.measuredC)) °C, error \(signed(result.errorC)) °C, \(verdict)"
            try await store.addCalibration(lane: lane.id, kind: .check, technician: technician, summary: summary, values: result)
            if !result.passed { throw ExitCode(1) }
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
            if entries.isEmpty && !json { print("no calibration stored yet") }
            for entry in entries {
                if json {
                    let values = (try? JSONSerialization.jsonObject(with: Data(entry.json.utf8))) ?? [:]
                    let object: [String: Any] = [
                        "id": entry.id ?? 0, "lane": entry.lane, "kind": entry.kind.rawValue, "at": entry.recordedAt,
                        "technician": entry.technician, "summary": entry.summary, "values": values,
                    ]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print("\(entry.recordedAt)  lane \(entry.lane)  \(entry.kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) by \(entry.technician): \(entry.summary)")
                }
            }
        }
    }
}
