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
        var clock = FrameClock(header: contents.header, orientation: orientation, start: start, firstSequence: firstSequence)
        return contents.frames.map { clock.frame($0) }
    }

    /// Turns a recording's frames, one at a time as they are read, into upright lane frames on the lane's timeline.
    public struct FrameClock: Sendable {
        let header: CPTVHeader
        let orientation: Orientation
        let start: Double
        let firstSequence: UInt64
        var t0: UInt32?
        public private(set) var index = 0
        public private(set) var lastTimestamp: Double?

        public init(header: CPTVHeader, orientation: Orientation, start: Double, firstSequence: UInt64 = 0) {
            self.header = header
            self.orientation = orientation
            self.start = start
            self.firstSequence = firstSequence
        }

        public mutating func frame(_ frame: CPTVFrame) -> ThermalFrame {
            if t0 == nil { t0 = frame.time ?? 0 }
            let offset = header.version == 2 && frame.time != nil ? Double(frame.time! &- t0!) / 1000 : Double(index) / 8.77
            let upright = ThermalFrame(
                width: header.width, height: header.height, pixels: frame.pixels, timestamp: start + offset,
                sequence: firstSequence + UInt64(index), fpaTemperatureC: frame.fpaTemperatureC.map(Double.init),
                msSinceFFC: frame.msSinceFFC)
            index += 1
            lastTimestamp = upright.timestamp
            return orientation.apply(to: upright)
        }
    }

    /// The upright frames of the recording at `path`, read a frame at a time (a recording from the field is never
    /// held whole). The stream ends with an error when the file cannot be read; damage part way ends it after the
    /// good frames, and `onProblem` hears why.
    public static func stream(
        path: String, orientation: Orientation, onProblem: @escaping @Sendable (String) -> Void = { _ in }
    ) -> AsyncThrowingStream<ThermalFrame, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var reader: CPTVFile.Reader
                do { reader = try CPTVFile.Reader(path: path) } catch {
                    continuation.finish(throwing: error)
                    return
                }
                var clock = FrameClock(header: reader.header, orientation: orientation, start: 0)
                while !Task.isCancelled, let frame = reader.next() {
                    continuation.yield(clock.frame(frame))
                    if clock.index % 64 == 0 { await Task.yield() }
                }
                if let problem = reader.problem { onProblem(problem) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func events() -> AsyncStream<CameraEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: CameraEvent.self, bufferingPolicy: .bufferingNewest(32))
        let path = self.path, orientation = self.orientation, loop = self.loop, timeline = self.timeline
        let task = Task {
            var start = timeline.now(), sequence: UInt64 = 0, first = true
            repeat {
                // Each loop reads the file again, a frame at a time: the recording is never held whole.
                var reader: CPTVFile.Reader
                do { reader = try CPTVFile.Reader(path: path) } catch {
                    continuation.yield(.problem("\(error)"))
                    continuation.yield(.status(.offline))
                    continuation.finish()
                    return
                }
                if first { continuation.yield(.status(.online)) }
                first = false
                var clock = FrameClock(header: reader.header, orientation: orientation, start: start, firstSequence: sequence)
                while let cptv = reader.next() {
                    let frame = clock.frame(cptv)
                    do { try await timeline.sleep(until: frame.timestamp) } catch { break }
                    continuation.yield(.frame(frame))
                }
                if let problem = reader.problem { continuation.yield(.problem(problem)) }
                sequence += UInt64(clock.index)
                // The next loop starts one frame interval after the last frame.
                start = (clock.lastTimestamp ?? start) + 1 / 8.77
                if clock.index == 0 { break }
            } while loop && !Task.isCancelled
            continuation.yield(.status(.offline))
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
