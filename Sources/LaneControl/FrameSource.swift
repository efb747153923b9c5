import Appliance
import Devices
import Foundation
import Lane
import Synchronization
import Thermal

/// Where a technician's command takes its frames: a CPTV recording, or the lane's own camera.
public enum FrameSource: Sendable {
    /// A recording, turned by `rotation` (nil: as the lane's camera is turned; `camera record` stores frames as
    /// the sensor delivers them, so a lane's recording needs the lane's rotation to stand upright).
    case recording(path: String, rotation: Int?)
    /// The lane's camera (the service must be stopped: a V4L2 camera streams to one process at a time).
    case camera

    /// How long the camera may stay silent before the command gives up: a technician waits seconds, not minutes.
    /// A Lepton delivers its first frame about a second after it is opened; 4 s keeps the whole command, start-up
    /// included, within 5 s (5.1 s measured with a 5 s deadline).
    public static let firstFrameDeadline = Duration.seconds(4)

    /// The upright frames (or, with `sensorOrientation`, as the sensor delivers them), at most `wallSeconds` of
    /// real time from a camera. A recording is read as fast as it can be.
    public func frames(of lane: ApplianceConfig.LaneConfig, sensorOrientation: Bool = false, wallSeconds: Double) throws(ControlFailure)
        -> AsyncThrowingStream<ThermalFrame, any Error>
    {
        switch self {
        case .recording(let path, let rotation):
            do { _ = try CPTVFile.header(path: path) } catch { throw ControlFailure(.cannotRun, "\(error.description)") }
            let orientation: Orientation
            if sensorOrientation {
                orientation = .upright
            } else if let rotation {
                guard let turned = try? Orientation(rotation: rotation) else { throw ControlFailure(.usage, "--rotate must be 0, 90, 180 or 270") }
                orientation = turned
            } else {
                orientation = lane.cameraOrientation
            }
            // A frame at a time: a recording from the field is never held whole.
            return ReplayCamera.stream(path: path, orientation: orientation)
        case .camera:
            var lane = lane
            if sensorOrientation, case .v4l2(var settings) = lane.camera {
                settings.orientation = .upright
                lane.camera = .v4l2(settings)
            }
            // Nothing here tells a scene that waits for the lane that a frame was screened: run it in real time.
            if case .simulated(var settings) = lane.camera, settings.everyFrame {
                settings.everyFrame = false
                lane.camera = .simulated(settings)
            }
            return Self.live(LaneCamera(lane).camera, laneID: lane.id, wallSeconds: wallSeconds)
        }
    }

    /// Frames from `camera` for `wallSeconds`; fails with `.noDevice` when none arrives within
    /// `firstFrameDeadline`, or at once when the camera is held by another process.
    static func live(_ camera: any ThermalCamera, laneID: String, wallSeconds: Double) -> AsyncThrowingStream<ThermalFrame, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ThermalFrame.self, bufferingPolicy: .bufferingNewest(16))
        let state = LiveState()
        let reading = Task {
            for await event in camera.events() {
                switch event {
                case .frame(let frame):
                    state.gotFrame.store(true, ordering: .relaxed)
                    continuation.yield(frame)
                case .problem(let problem):
                    state.lastProblem.withLock { $0 = problem }
                    if problem.contains("busy") {
                        continuation.finish(throwing: ControlFailure(
                            .noDevice, "lane \(laneID)'s camera is busy: the service is using it (systemctl stop checkpointd, and start it again afterwards)"))
                        return
                    }
                case .status: break
                }
            }
            continuation.finish()
        }
        let timer = Task {
            try? await Task.sleep(for: firstFrameDeadline)
            if !state.gotFrame.load(ordering: .relaxed) {
                let why = state.lastProblem.withLock { $0 }.map { ": \($0)" } ?? ""
                continuation.finish(throwing: ControlFailure(
                    .noDevice, "no frames from lane \(laneID)'s camera within 4 s\(why); is it plugged in? (checkpointctl camera list)"))
                return
            }
            try? await Task.sleep(for: .seconds(wallSeconds) - firstFrameDeadline)
            continuation.finish()
        }
        continuation.onTermination = { _ in
            reading.cancel()
            timer.cancel()
        }
        return stream
    }
}

/// What the camera's reader tells the deadline's timer.
private final class LiveState: Sendable {
    let gotFrame = Atomic<Bool>(false)
    let lastProblem = Mutex<String?>(nil)
}
