/// What `checkpointctl recording info` reports about a recording.
public struct CPTVSummary: Sendable, Equatable, Codable {
    public var version: Int
    public var width: Int
    public var height: Int
    public var frames: Int
    /// Seconds from the first frame to the end of the last (v2 frame times; v1 frame count at the nominal rate).
    public var durationS: Double
    public var device: String?
    public var model: String?
    /// Smallest and largest pixel value over all frames, in the file's own unit.
    public var min: Int
    public var max: Int
    /// Flat-field corrections seen: the last-FFC time changing, or a gap of more than 0.5 s between frames.
    public var ffcEvents: Int

    enum CodingKeys: String, CodingKey {
        case version, width, height, frames, device, model, min, max
        case durationS = "duration_s", ffcEvents = "ffc_events"
    }

    public init(header: CPTVHeader, frames: [CPTVFrame]) {
        var builder = Builder(header: header)
        for frame in frames { builder.add(frame) }
        self = builder.summary
    }

    /// The summary built a frame at a time, so a recording is summarised without holding its frames: it keeps the
    /// frame times (4 bytes a frame) and running figures.
    public struct Builder: Sendable {
        let header: CPTVHeader
        var count = 0
        var lo = Int(UInt16.max), hi = 0
        var times: [UInt32] = []
        var allTimed = true
        var events = 0
        var last: CPTVFrame?

        public init(header: CPTVHeader) { self.header = header }

        public mutating func add(_ frame: CPTVFrame) {
            count += 1
            for v in frame.pixels {
                lo = Swift.min(lo, Int(v))
                hi = Swift.max(hi, Int(v))
            }
            if let time = frame.time { times.append(time) } else { allTimed = false }
            if let last, last.lastFFC != frame.lastFFC || Int(frame.time ?? 0) - Int(last.time ?? 0) > 500 { events += 1 }
            last = CPTVFrame(pixels: [], time: frame.time, lastFFC: frame.lastFFC)
        }

        public var summary: CPTVSummary {
            let nominal = 1 / Double(header.frameRate.map { $0 == 9 ? 8.77 : Double($0) } ?? 8.77)
            var durationS: Double, ffcEvents: Int
            if header.version == 2, allTimed, let first = times.first, let lastTime = times.last {
                let intervals = zip(times, times.dropFirst()).map { Int($1) - Int($0) }.sorted()
                let typical = intervals.isEmpty ? nominal : Double(intervals[intervals.count / 2]) / 1000
                durationS = (((Double(lastTime) - Double(first)) / 1000 + typical) * 1000).rounded() / 1000
                ffcEvents = events
            } else {
                durationS = (Double(count) * nominal * 1000).rounded() / 1000
                ffcEvents = 0
            }
            return CPTVSummary(
                version: Int(header.version), width: header.width, height: header.height, frames: count, durationS: durationS,
                device: header.deviceName, model: header.model, min: count == 0 ? 0 : lo, max: count == 0 ? 0 : hi, ffcEvents: ffcEvents)
        }
    }

    init(
        version: Int, width: Int, height: Int, frames: Int, durationS: Double, device: String?, model: String?, min: Int, max: Int, ffcEvents: Int
    ) {
        self.version = version
        self.width = width
        self.height = height
        self.frames = frames
        self.durationS = durationS
        self.device = device
        self.model = model
        self.min = min
        self.max = max
        self.ffcEvents = ffcEvents
    }
}
