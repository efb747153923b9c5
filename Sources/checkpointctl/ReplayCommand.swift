import Appliance
import ArgumentParser
import Devices
import Foundation
import LaneControl
import Screening
import Store
import Thermal

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run the screening engine over a recording as fast as possible and print what it decides.",
        discussion: """
            Uses the first lane's screening settings from --config, with the calibration stored for that lane
            (`calibrate reference`, `offset`, `pixels`) and the lane's camera rotation, as the service does
            (default: the reference found automatically, threshold 37.5 °C, no rotation).
            With --json, prints one object per event:
              {"t": seconds since the first frame, "event": "measured"|"retry"|"left"|"paused"|"resumed", ...}
            ("measured" carries temperature_c, skin_c, uncertainty_c, verdict, site [x, y], face_width_px;
            "retry" and "paused" carry reason), then {"summary": {"frames": N, "measured": K, "refused": reason or null}}.
            A recording that is not radiometric (raw counts, 8-bit video) is refused.
            """)

    @Argument(help: "The .cptv recording.")
    var file: String

    @Option(help: "Configuration file whose lane's screening settings (and stored calibration) are used.")
    var config: String?

    @Option(help: "With --config: the lane (default: the first).")
    var lane: String?

    @Option(help: "Turn the image clockwise by 0, 90, 180 or 270 degrees so people are upright (default: the lane's rotation with --config, else 0).")
    var rotate: Int?

    @Option(name: .customLong("reference-setpoint"), help: "Blackbody set-point in °C.")
    var referenceSetpoint: Double?

    @Option(help: "Fever threshold in °C (34.0–39.0).")
    var threshold: Double?

    @Flag(help: "Print JSON lines.")
    var json = false

    func run() async throws {
        var screening = ScreeningConfig()
        screening.reference = .auto  // recordings come from stations with a blackbody somewhere in view
        var laneRotation = 0
        if let config {
            do {
                let context = try LaneContext(configPath: config, laneID: lane)
                laneRotation = context.lane.cameraOrientation.rotation
                // The technician's calibration lives in the lane's store: the service applies it, so replay does.
                screening = FileManager.default.fileExists(atPath: context.databasePath)
                    ? try context.screening(store: try context.existingStore()) : context.lane.screening
            } catch {
                FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
                throw ExitCode(error.status.rawValue)
            }
        }
        let rotate = self.rotate ?? laneRotation
        if let referenceSetpoint { screening.referenceSetpointC = referenceSetpoint }
        if let threshold {
            guard (34.0...39.0).contains(threshold) else {
                FileHandle.standardError.write(Data("replay: --threshold \(threshold) is outside 34.0–39.0\n".utf8))
                throw ExitCode(64)
            }
            screening.thresholdC = threshold
        }
        guard let orientation = try? Orientation(rotation: rotate) else {
            FileHandle.standardError.write(Data("replay: --rotate must be 0, 90, 180 or 270\n".utf8))
            throw ExitCode(64)
        }
        var reader: CPTVFile.Reader
        do { reader = try CPTVFile.Reader(path: file) } catch {
            FileHandle.standardError.write(Data("replay: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        var engine = ScreeningEngine(config: screening)
        var measured = 0, count = 0
        var refused: String?
        // A frame at a time: a recording from the field is never held whole.
        var clock = ReplayCamera.FrameClock(header: reader.header, orientation: orientation, start: 0)
        while let cptv = reader.next() {
            let frame = clock.frame(cptv)
            count += 1
            for event in engine.process(frame) {
                if case .measured = event { measured += 1 }
                if case .paused(.notRadiometric) = event { refused = PauseReason.notRadiometric.rawValue }
                emit(event, at: frame.timestamp)
            }
            if refused != nil { break }
        }
        if json {
            let summary: [String: Any] = ["frames": count, "measured": measured, "refused": refused ?? NSNull()]
            print(try jsonLine(["summary": summary]))
        } else {
            print("\(count) frames, \(measured) measured" + (refused.map { ", refused: \($0)" } ?? ""))
        }
        if let problem = reader.problem { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
    }

    func emit(_ event: ScreeningEvent, at t: Double) {
        var object: [String: Any] = ["t": (t * 1000).rounded() / 1000, "event": event.name]
        switch event {
        case .measured(let m):
            object["temperature_c"] = m.temperatureC
            object["skin_c"] = m.skinC
            object["uncertainty_c"] = m.uncertaintyC
            object["verdict"] = m.verdict.rawValue
            object["site"] = [m.siteX, m.siteY]
            object["face_width_px"] = m.faceWidthPx
            object["referenced"] = m.referenced
        case .retry(let reason): object["reason"] = reason.rawValue
        case .paused(let reason): object["reason"] = reason.rawValue
        case .left, .resumed: break
        }
        if json {
            print((try? jsonLine(object)) ?? "{}")
        } else {
            let detail = object.filter { $0.key != "t" && $0.key != "event" }.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            print(String(format: "%7.2f s  %@  %@", t, event.name, detail))
        }
    }

    func jsonLine(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }
}
