import Appliance
import ArgumentParser
import Foundation
import LaneControl
import Store
import Thermal

/// What every calibration command takes: the configuration, the lane, a recording instead of the camera, and
/// the state directory. The work itself is LaneControl's; this only reads the options.
struct CalibrationOptions: ParsableArguments {
    @Option(help: "The configuration file.")
    var config = "/etc/checkpoint-lane/checkpoint.toml"

    @Option(help: "The lane's id (default: the first lane in the configuration).")
    var lane: String?

    @Option(help: "Read frames from this CPTV recording instead of the lane's camera.")
    var recording: String?

    @Option(help: "With --recording: turn its frames clockwise by 0, 90, 180 or 270 degrees (default: as the lane's camera is turned).")
    var rotate: Int?

    @Option(help: "State directory holding passages.sqlite (default: $STATE_DIRECTORY or the configuration's).")
    var state: String?

    func context() throws(ControlFailure) -> LaneContext {
        try LaneContext(configPath: config, laneID: lane, state: state)
    }

    var source: FrameSource { recording.map { .recording(path: $0, rotation: rotate) } ?? .camera }
}

/// The lane database that must already exist (reports and purges do not create one): in `state`, or in the
/// configuration's state directory ($STATE_DIRECTORY first).
func existingStore(config: String, state: String?) throws -> LaneStore {
    if let state {
        let path = state + "/passages.sqlite"
        guard FileManager.default.fileExists(atPath: path) else { throw ControlFailure(.cannotRun, "no passages.sqlite in \(state)") }
        return try LaneStore(path: path)
    }
    return try LaneContext(configPath: config, state: state).existingStore()
}

/// Parses "x,y,r" (pixels in the upright image).
func parseRegion(_ text: String?) throws(ControlFailure) -> (x: Int, y: Int, radius: Int)? {
    guard let text else { return nil }
    let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 3, let x = parts[0], let y = parts[1], let r = parts[2], x >= 0, y >= 0, (2...30).contains(r) else {
        throw ControlFailure(.usage, "--region must be x,y,radius in pixels (radius 2–30), like 148,100,6")
    }
    return (x, y, r)
}
