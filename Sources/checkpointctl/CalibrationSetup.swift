import Appliance
import ArgumentParser
import Devices
import Foundation
import Lane
import Screening
import Store
import Thermal

/// What every calibration command needs: the lane (from the configuration), its store, and a source of frames —
/// the lane's own camera, or a recording. The service must be stopped while a camera is calibrated: a V4L2
/// camera streams to one process at a time.
struct CalibrationOptions: ParsableArguments {
    @Option(help: "The configuration file.")
    var config = "/etc/checkpoint-lane/checkpoint.toml"

    @Option(help: "The lane's id (default: the first lane in the configuration).")
    var lane: String?

    @Option(help: "Read frames from this CPTV recording instead of the lane's camera.")
    var recording: String?

    @Option(help: "With --recording: turn its frames clockwise by 0, 90, 180 or 270 degrees.")
    var rotate: Int = 0

    @Option(help: "State directory holding passages.sqlite (default: $STATE_DIRECTORY or the configuration's).")
    var state: String?

    func load() throws -> (config: ApplianceConfig, lane: ApplianceConfig.LaneConfig) {
        let config: ApplianceConfig
        do { config = try ApplianceConfig.load(path: self.config) } catch { fail("\(self.config): \(error)") }
        guard let lane = self.lane.map({ id in config.lanes.first { $0.id == id } }) ?? config.lanes.first else {
            fail("no lane '\(self.lane ?? "")' in \(self.config) (lanes: \(config.lanes.map(\.id).joined(separator: ", ")))")
        }
        return (config, lane)
    }

    func openStore(_ config: ApplianceConfig) throws -> LaneStore {
        let directory = state ?? CheckpointService.stateDirectory(config: config, environment: ProcessInfo.processInfo.environment)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            return try LaneStore(path: directory + "/passages.sqlite")
        } catch {
            fail("cannot open the lane's database in \(directory): \(error)")
        }
    }

    /// Upright frames (or, with `sensorOrientation`, frames as the sensor delivers them), for at most
    /// `wallSeconds` of real time. A recording is read as fast as possible.
    func frames(of lane: ApplianceConfig.LaneConfig, sensorOrientation: Bool = false, wallSeconds: Double) -> AsyncStream<ThermalFrame> {
        if let recording {
            let contents: CPTVFile.Contents
            do { contents = try CPTVFile.read(path: recording) } catch { fail("\(recording): \(error.description)") }
            guard let orientation = try? Orientation(rotation: sensorOrientation ? 0 : rotate) else {
                fail("--rotate must be 0, 90, 180 or 270")
            }
            let frames = ReplayCamera.frames(of: contents, orientation: orientation, start: 0)
            return AsyncStream { continuation in
                for frame in frames { continuation.yield(frame) }
                continuation.finish()
            }
        }
        var lane = lane
        if sensorOrientation, case .v4l2(var settings) = lane.camera {
            settings.orientation = .upright
            lane.camera = .v4l2(settings)
        }
        return Self.liveFrames(of: lane, wallSeconds: wallSeconds)
    }

    /// Frames from the lane's own camera for `wallSeconds`.
    static func liveFrames(of lane: ApplianceConfig.LaneConfig, wallSeconds: Double) -> AsyncStream<ThermalFrame> {
        let camera = LaneCamera(lane).camera
        let (stream, continuation) = AsyncStream.makeStream(of: ThermalFrame.self, bufferingPolicy: .bufferingNewest(16))
        let reading = Task {
            var lastProblem: String?
            for await event in camera.events() {
                switch event {
                case .frame(let frame): continuation.yield(frame)
                case .problem(let problem) where problem != lastProblem:
                    lastProblem = problem
                    FileHandle.standardError.write(Data("camera: \(problem)\n".utf8))
                    if problem.contains("busy") {
                        FileHandle.standardError.write(Data("(stop the service first: systemctl stop checkpointd)\n".utf8))
                    }
                default: break
                }
            }
            continuation.finish()
        }
        let timer = Task {
            try? await Task.sleep(for: .seconds(wallSeconds))
            continuation.finish()
        }
        continuation.onTermination = { _ in
            reading.cancel()
            timer.cancel()
        }
        return stream
    }

    /// The screening settings with everything calibrated so far in force.
    func screening(of lane: ApplianceConfig.LaneConfig, store: LaneStore) throws -> ScreeningConfig {
        let calibration: LaneCalibration
        do { calibration = try store.calibration(lane: lane.id) } catch { fail("\(error)") }
        return lane.screening.applying(calibration, cameraOrientation: lane.cameraOrientation)
    }
}

/// The lane database that must already exist (reports and purges do not create one): in `state`, or in the
/// configuration's state directory ($STATE_DIRECTORY first).
func existingStore(config: String, state: String?) throws -> LaneStore {
    let directory: String
    if let state {
        directory = state
    } else {
        let appliance: ApplianceConfig
        do { appliance = try ApplianceConfig.load(path: config) } catch { fail("\(config): \(error) (or give --state DIR)") }
        directory = CheckpointService.stateDirectory(config: appliance, environment: ProcessInfo.processInfo.environment)
    }
    guard FileManager.default.fileExists(atPath: directory + "/passages.sqlite") else { fail("no passages.sqlite in \(directory)") }
    return try LaneStore(path: directory + "/passages.sqlite")
}

/// Progress lines for a technician's terminal: rewritten in place on a terminal, one line a second otherwise.
struct ProgressLine {
    private let interactive = isatty(STDERR_FILENO) == 1
    private var lastShown = -Double.infinity

    mutating func show(_ text: String, at t: Double) {
        if interactive {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
        } else if t - lastShown >= 1 {
            lastShown = t
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }

    func done() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// Parses "x,y,r" (pixels in the upright image).
func parseRegion(_ text: String?) -> (x: Int, y: Int, radius: Int)? {
    guard let text else { return nil }
    let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 3, let x = parts[0], let y = parts[1], let r = parts[2], x >= 0, y >= 0, (2...30).contains(r) else {
        fail("--region must be x,y,radius in pixels (radius 2–30), like 148,100,6")
    }
    return (x, y, r)
}

func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
func signed(_ value: Double, _ digits: Int = 2) -> String { String(format: "%+.\(digits)f", value) }
