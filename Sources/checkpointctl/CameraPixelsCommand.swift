import Appliance
import ArgumentParser
import Foundation
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
            let (config, lane) = try options.load()
            let store = try options.openStore(config)
            var frames: [ThermalFrame] = []
            for await frame in options.frames(of: lane, sensorOrientation: true, wallSeconds: seconds + 20) {
                frames.append(frame)
                if frame.timestamp - frames[0].timestamp >= seconds && frames.count >= BadPixelFinder.minFrames { break }
            }
            let found: (map: PixelMap, findings: [BadPixelFinder.Finding])
            do { found = try BadPixelFinder.find(in: frames) } catch { fail("\(error)") }
            if json {
                struct Shown: Encodable { let x: Int, y: Int, kind: String, offset_c: Double }
                print(try jsonText(found.findings.map { Shown(x: $0.x, y: $0.y, kind: $0.kind.rawValue, offset_c: $0.offsetCK / 100) }))
            } else {
                print("\(frames.count) frames of \(frames[0].width)x\(frames[0].height): \(found.findings.count) bad pixels")
                for finding in found.findings {
                    print("  (\(finding.x), \(finding.y)) \(finding.kind.rawValue)" + (finding.kind == .stuck ? "" : " \(signed(finding.offsetCK / 100, 1)) °C"))
                }
            }
            if dryRun { return print("dry run: nothing stored") }
            let summary = "\(found.findings.count) bad pixels in \(found.map.width)x\(found.map.height)"
                + (found.findings.isEmpty ? "" : ": " + found.findings.prefix(8).map { "(\($0.x),\($0.y)) \($0.kind.rawValue)" }.joined(separator: ", "))
                + (found.findings.count > 8 ? ", …" : "")
            try await store.addCalibration(lane: lane.id, kind: .pixels, technician: technician, summary: summary, values: found.map)
            print("stored for lane \(lane.id); restart the service to apply it (systemctl restart checkpointd)")
        }
    }
}
