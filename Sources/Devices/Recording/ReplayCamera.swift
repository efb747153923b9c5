import Lane
import Thermal

/// Plays a CPTV recording as a camera: at its real frame rate (or faster, on a sped-up timeline), optionally
/// looping, turned upright by the configured orientation. The demo and the tests use it; so can a technician
/// reproducing a field problem from a recording.
public struct ReplayCamera: ThermalCamera {
    public let name: String
    public let path: String
    public let orientation: Orientation
    public let loop: Bool
    public let timeline: SimulationTimeline

    public init(path: String, orientation: Orientation, loop: Bool, timeline: SimulationTimeline) {
        self.path = path
        self.orientation = orientation
        self.loop = loop
        self.timeline = timeline
        name = "camera:replay"
    }

    /// Frames of a recording with lane-timeline timestamps starting at `start` (v2 frame times, or the nominal
    /// 8.77 Hz for v1 files), converted to upright frames. Pure enough to test without a clock.
    public static func frames(of contents: CPTVFile.Contents, orientation: Orientation, start: Double, firstSequence: UInt64 = 0) -> [ThermalFrame] {
        let header = contents.header
        let t0 = contents.frames.first?.time ?? 0
        return contents.frames.enumerated().map { index, frame in
            let offset = header.version == 2 && frame.time != nil ? Double(frame.time! &- t0) / 1000 : Double(index) / 8.77
            let upright = ThermalFrame(
                width: header.width, height: header.height, pixels: frame.pixels, timestamp: start + offset,
                sequence: firstSequence + UInt64(index), fpaTemperatureC: frame.fpaTemperatureC.map(Double.init),
                msSinceFFC: frame.msSinceFFC)
            return orientation.apply(to: upright)
        }
    }

    public func events() -> AsyncStream<CameraEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: CameraEvent.self, bufferingPolicy: .bufferingNewest(32))
        let path = self.path, orientation = self.orientation, loop = self.loop, timeline = self.timeline
        let task = Task {
            let contents: CPTVFile.Contents
            do { contents = try CPTVFile.read(path: path) } catch {
                continuation.yield(.problem("\(error)"))
                continuation.yield(.status(.offline))
                continuation.finish()
                return
            }
            if let problem = contents.problem { continuation.yield(.problem(problem)) }
            continuation.yield(.status(.online))
            var start = timeline.now(), sequence: UInt64 = 0
            repeat {
                let frames = Self.frames(of: contents, orientation: orientation, start: start, firstSequence: sequence)
                for frame in frames {
                    do { try await timeline.sleep(until: frame.timestamp) } catch { break }
                    continuation.yield(.frame(frame))
                }
                sequence += UInt64(frames.count)
                // The next loop starts one frame interval after the last frame.
                start = (frames.last?.timestamp ?? start) + 1 / 8.77
            } while loop && !Task.isCancelled && !contents.frames.isEmpty
            continuation.yield(.status(.offline))
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
