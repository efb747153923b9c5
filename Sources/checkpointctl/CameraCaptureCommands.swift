import Appliance
import ArgumentParser
import Devices
import Foundation
import Lane
import LaneControl
import Screening
import Thermal

/// Reads upright frames from a camera for `seconds` (at least one frame). Gives up 5 s after that with the
/// camera's last problem: a missing camera goes quiet after saying so once, so only a timer can end the wait.
func captureFrames(device: String?, rotate: Int, seconds: Double) async throws -> [ThermalFrame] {
    guard let orientation = try? Orientation(rotation: rotate) else { throw ProbeFailure("--rotate must be 0, 90, 180 or 270") }
    let camera = V4L2Camera(selector: CameraSelector(devicePath: device), orientation: orientation)
    let reading = Task { () -> (frames: [ThermalFrame], problem: String?) in
        var frames: [ThermalFrame] = []
        var problem: String?
        for await event in camera.events() {
            switch event {
            case .frame(let frame):
                frames.append(frame)
                if frame.timestamp - frames[0].timestamp >= seconds { return (frames, problem) }
            case .problem(let p): problem = p
            case .status: break
            }
        }
        return (frames, problem)  // cancelled by the timer, or the camera stream ended
    }
    let timer = Task {
        try await Task.sleep(for: .seconds(seconds + 5))
        reading.cancel()
    }
    let (frames, problem) = await reading.value
    timer.cancel()
    if frames.isEmpty { throw ProbeFailure("no frames from the camera: \(problem ?? "nothing answered")") }
    return frames
}

extension CameraCommand {
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the camera to a CPTV file (centi-kelvin, upright), for audits and for replay.")

        @Option(help: "Seconds to record.")
        var seconds: Double = 10

        @Option(help: "The device node (default: the first supported camera).")
        var device: String?

        @Option(help: "Turn the image clockwise by 0, 90, 180 or 270 degrees.")
        var rotate: Int = 0

        @Option(help: "Record a lane's camera, chosen as the service chooses it (frames stay as the sensor delivers them: replay and calibration turn them as the lane does).")
        var config: String?

        @Option(help: "The lane's id (with --config; default: the first lane).")
        var lane: String?

        @Argument(help: "Output .cptv file.")
        var output: String

        @Flag(help: "Print the result as JSON.")
        var json = false

        struct Written: Encodable {
            var file: String
            var frames: Int, width: Int, height: Int
        }

        func run() async throws {
            try await record()
        }

        func record() async throws {
            var frames: [ThermalFrame] = []
            if config != nil || lane != nil {
                let context = try LaneContext(configPath: config ?? "/etc/checkpoint-lane/checkpoint.toml", laneID: lane)
                for try await frame in try FrameSource.camera.frames(of: context.lane, sensorOrientation: true, wallSeconds: seconds + 5) {
                    frames.append(frame)
                    if frame.timestamp - frames[0].timestamp >= seconds { break }
                }
            } else {
                do { frames = try await captureFrames(device: device, rotate: rotate, seconds: seconds) } catch {
                    throw ControlFailure(.noDevice, "\(error)")
                }
            }
            guard !frames.isEmpty else { throw ControlFailure(.noDevice, "no frames from the camera") }
            try CPTVFile.write(
                thermalFrames: frames, deviceName: ProcessInfo.processInfo.hostName,
                startMicros: UInt64(Date().timeIntervalSince1970 * 1e6), to: output)
            if json { return print(try jsonText(Written(file: output, frames: frames.count, width: frames[0].width, height: frames[0].height))) }
            print("recorded \(frames.count) frames (\(frames[0].width)x\(frames[0].height)) to \(output)")
        }
    }

    struct Snapshot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Save one frame as a false-colour PNG with a temperature scale bar (with --marked: what the engine sees).",
            discussion: """
                From a camera (--device), a lane's camera (--lane or --config: turned as the lane's camera is), or
                with --recording from a CPTV file (frame --frame, counted from 0). --marked runs the lane's screening
                (with its calibration) over --seconds of frames and draws the blackbody disc it uses (configured or
                found), the traveller's head and measurement site, and two distance guides along the bottom: a face
                narrower than the short green bar is too far, wider than the long white bar too close.
                """)

        @Option(help: "The device node (default: the first supported camera).")
        var device: String?

        @Option(help: "The configuration file, to read a lane's camera as the service does.")
        var config: String?

        @Option(help: "The lane's id (with --config; default: the first lane).")
        var lane: String?

        @Flag(help: "Draw the disc, head, measurement site and distance guides the lane's screening sees.")
        var marked = false

        @Option(help: "With --marked: seconds of frames the screening watches before the picture is taken.")
        var seconds: Double = 3

        @Option(help: "Read the frame from this recording instead of a camera.")
        var recording: String?

        @Option(help: "Frame number in the recording.")
        var frame: Int = 0

        @Option(help: "Turn the image clockwise by 0, 90, 180 or 270 degrees (default: as the lane's camera is, or 0).")
        var rotate: Int?

        @Argument(help: "Output .png file.")
        var output: String

        @Option(help: "Also write the frame's exact readings: width × height little-endian centi-kelvin (for analysis and the hardware lab).")
        var raw: String?

        @Flag(help: "Print the result as JSON.")
        var json = false

        struct Written: Encodable {
            var file: String
            var width: Int, height: Int
            var lowC: Double, highC: Double
        }

        func run() async throws {
            var marks: MarkedView.Marks?
            let picture: ThermalFrame
            if config != nil || lane != nil || marked {
                (picture, marks) = try await laneView()
            } else if let recording {
                var reader: CPTVFile.Reader
                do { reader = try CPTVFile.Reader(path: recording) } catch { throw ControlFailure(.cannotRun, "\(error.description)") }
                guard let orientation = try? Orientation(rotation: rotate ?? 0) else { throw ControlFailure(.usage, "--rotate must be 0, 90, 180 or 270") }
                // Read up to the frame asked for, one at a time.
                var clock = ReplayCamera.FrameClock(header: reader.header, orientation: orientation, start: 0)
                var found: ThermalFrame?
                while found == nil, let cptv = reader.next() {
                    let upright = clock.frame(cptv)
                    if clock.index - 1 == frame { found = upright }
                }
                guard frame >= 0, let found else { throw ControlFailure(.usage, "the recording has \(clock.index) frames") }
                picture = found
            } else {
                do { picture = try await captureFrames(device: device, rotate: rotate ?? 0, seconds: 0).last! } catch {
                    throw ControlFailure(.noDevice, "\(error)")
                }
            }
            if let raw {
                var bytes = [UInt8]()
                bytes.reserveCapacity(picture.pixels.count * 2)
                for value in picture.pixels { bytes += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)] }
                guard FileManager.default.createFile(atPath: raw, contents: Data(bytes)) else { throw ControlFailure(.cannotRun, "cannot write \(raw)") }
            }
            var (image, low, high) = FalseColour.render(picture)
            if let marks { MarkedView.draw(marks, width: picture.width, height: picture.height, scale: 4, into: &image) }
            do { try PNGFile.write(image, to: output) } catch { throw ControlFailure(.cannotRun, "\(error)") }
            if json {
                return print(try jsonText(Written(
                    file: output, width: picture.width, height: picture.height, lowC: (low * 10).rounded() / 10, highC: (high * 10).rounded() / 10)))
            }
            print(String(format: "wrote %@ (%dx%d frame, %.1f to %.1f °C)", output, picture.width, picture.height, low, high))
        }

        /// The lane's frames through its screening (calibration in force): the last frame, and what was seen.
        func laneView() async throws(ControlFailure) -> (ThermalFrame, MarkedView.Marks?) {
            let context = try LaneContext(configPath: config ?? "/etc/checkpoint-lane/checkpoint.toml", laneID: lane)
            let source: FrameSource = recording.map { .recording(path: $0, rotation: rotate) } ?? .camera
            var screening = context.lane.screening
            if FileManager.default.fileExists(atPath: context.databasePath) { screening = try context.screening(store: try context.existingStore()) }
            var engine = ScreeningEngine(config: screening)
            var last: ThermalFrame?
            var firstT: Double?
            var index = 0
            do {
                // Up to frame --frame of a recording, and with --marked at least --seconds of frames.
                for try await picture in try source.frames(of: context.lane, wallSeconds: seconds + 5) {
                    if marked { _ = engine.process(picture) }
                    last = picture
                    let t0 = firstT ?? picture.timestamp
                    firstT = t0
                    let watched = !marked || picture.timestamp - t0 >= seconds
                    if watched && (recording == nil || index >= frame) { break }
                    index += 1
                }
            } catch let failure as ControlFailure {
                throw failure
            } catch {
                throw ControlFailure(.cannotRun, "\(error)")
            }
            guard let last else { throw ControlFailure(.noDevice, "no frames from lane \(context.lane.id)'s camera") }
            guard marked else { return (last, nil) }
            let look = engine.lastLook
            let disc = engine.referenceDisc
            let marks = MarkedView.Marks(
                disc: disc, head: look.map { ($0.centreX - $0.faceWidthPx / 2, $0.headTop, $0.centreX + $0.faceWidthPx / 2, $0.headBottom) },
                site: look.flatMap { l in l.siteX.flatMap { x in l.siteY.map { (x, $0) } } },
                faceWidthRange: screening.minFaceWidthPx...screening.maxFaceWidthPx)
            let discText = disc.map { "disc at (\($0.x), \($0.y)) radius \($0.radius) (\(screening.reference == .auto ? "found" : "configured"))" }
                ?? (screening.reference == .none ? "no disc (reference = none)" : "no disc found")
            let faceText = look.map { "face \($0.faceWidthPx) px wide (\(screening.minFaceWidthPx)–\(screening.maxFaceWidthPx) px reads)" } ?? "nobody in view"
            let siteText = marks.site.map { "site (\($0.x), \($0.y))" } ?? "no site"
            note("\(discText); \(faceText); \(siteText)\(engine.pausedReason.map { "; screening paused: \($0.rawValue)" } ?? "")")
            return (last, marks)
        }
    }
}
