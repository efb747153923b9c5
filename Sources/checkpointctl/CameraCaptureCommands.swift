import ArgumentParser
import Devices
import Foundation
import Lane
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

        @Argument(help: "Output .cptv file.")
        var output: String

        func run() async throws {
            let frames = try await captureFrames(device: device, rotate: rotate, seconds: seconds)
            try CPTVFile.write(
                thermalFrames: frames, deviceName: ProcessInfo.processInfo.hostName,
                startMicros: UInt64(Date().timeIntervalSince1970 * 1e6), to: output)
            print("recorded \(frames.count) frames (\(frames[0].width)x\(frames[0].height)) to \(output)")
        }
    }

    struct Snapshot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Save one frame as a false-colour PNG with a temperature scale bar.",
            discussion: "From the camera, or with --recording from a CPTV file (frame --frame, counted from 0).")

        @Option(help: "The device node (default: the first supported camera).")
        var device: String?

        @Option(help: "Read the frame from this recording instead of a camera.")
        var recording: String?

        @Option(help: "Frame number in the recording.")
        var frame: Int = 0

        @Option(help: "Turn the image clockwise by 0, 90, 180 or 270 degrees.")
        var rotate: Int = 0

        @Argument(help: "Output .png file.")
        var output: String

        @Option(help: "Also write the frame's exact readings: width × height little-endian centi-kelvin (for analysis and the hardware lab).")
        var raw: String?

        func run() async throws {
            let picture: ThermalFrame
            if let recording {
                let contents: CPTVFile.Contents
                do { contents = try CPTVFile.read(path: recording) } catch {
                    FileHandle.standardError.write(Data("snapshot: \(error.description)\n".utf8))
                    throw ExitCode(2)
                }
                guard let orientation = try? Orientation(rotation: rotate) else { throw ValidationError("--rotate must be 0, 90, 180 or 270") }
                let frames = ReplayCamera.frames(of: contents, orientation: orientation, start: 0)
                guard frames.indices.contains(frame) else { throw ValidationError("the recording has \(frames.count) frames") }
                picture = frames[frame]
            } else {
                picture = try await captureFrames(device: device, rotate: rotate, seconds: 0).last!
            }
            if let raw {
                var bytes = [UInt8]()
                bytes.reserveCapacity(picture.pixels.count * 2)
                for value in picture.pixels { bytes += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)] }
                guard FileManager.default.createFile(atPath: raw, contents: Data(bytes)) else {
                    FileHandle.standardError.write(Data("snapshot: cannot write \(raw)\n".utf8))
                    throw ExitCode(1)
                }
            }
            let (image, low, high) = FalseColour.render(picture)
            do { try PNGFile.write(image, to: output) } catch {
                FileHandle.standardError.write(Data("snapshot: \(error.description)\n".utf8))
                throw ExitCode(1)
            }
            print(String(format: "wrote %@ (%dx%d frame, %.1f to %.1f °C)", output, picture.width, picture.height, low, high))
        }
    }
}
