import Appliance
import ArgumentParser
import Foundation
import LaneControl
import Store
import Thermal

extension CameraCommand {
    struct Pixels: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find dead, stuck, hot or cold pixels and store a map the screening repairs them with.",
            discussion: """
                Best with the camera on a plain wall (or the lens covered). A pixel is bad when, in most frames, it
                is more than 3 °C warmer or colder than all but one of its 8 neighbours, or when it never changes
                while its neighbours show noise. The map is stored in the sensor's own orientation, with the history
                of calibrations.
                """)

        @OptionGroup var options: CalibrationOptions

        @Option(help: "Seconds to capture.")
        var seconds: Double = 3

        @Option(help: "Your name, stored in the history.")
        var technician: String

        @Flag(help: "Report, but store nothing.")
        var dryRun = false

        @Flag(help: "Print the findings as JSON.")
        var json = false

        func run() async throws {
            let context = try options.context()
            if !dryRun { _ = try Technician.validated(technician) }
            let store = try context.openStore()
            var frames: [ThermalFrame] = []
            for try await frame in try options.source.frames(of: context.lane, sensorOrientation: true, wallSeconds: seconds + 20) {
                frames.append(frame)
                if frame.timestamp - frames[0].timestamp >= seconds && frames.count >= BadPixelFinder.minFrames { break }
            }
            let found: (map: PixelMap, findings: [BadPixelFinder.Finding])
            do { found = try BadPixelFinder.find(in: frames) } catch { throw ControlFailure(.notAcceptable, "\(error)") }
            if json {
                struct Shown: Encodable { let x: Int, y: Int, kind: String, offsetC: Double }
                print(try jsonText(found.findings.map { Shown(x: $0.x, y: $0.y, kind: $0.kind.rawValue, offsetC: $0.offsetCK / 100) }))
            } else {
                print("\(frames.count) frames of \(frames[0].width)x\(frames[0].height): \(found.findings.count) bad pixels")
                for finding in found.findings {
                    print("  (\(finding.x), \(finding.y)) \(finding.kind.rawValue)" + (finding.kind == .stuck ? "" : " \(signed(finding.offsetCK / 100, 1)) °C"))
                }
            }
            if dryRun { return note("dry run: nothing stored") }
            let summary = "\(found.findings.count) bad pixels in \(found.map.width)x\(found.map.height)"
                + (found.findings.isEmpty ? "" : ": " + found.findings.prefix(8).map { "(\($0.x),\($0.y)) \($0.kind.rawValue)" }.joined(separator: ", "))
                + (found.findings.count > 8 ? ", …" : "")
            try await store.addCalibration(
                lane: context.lane.id, kind: CalibrationEntry.Kind.pixels, technician: try Technician.validated(technician), summary: summary,
                values: found.map)
            note("stored for lane \(context.lane.id); restart the service to apply it (systemctl restart checkpointd)")
        }
    }
}
