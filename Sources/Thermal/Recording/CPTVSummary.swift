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
        version = Int(header.version)
        width = header.width
        height = header.height
        self.frames = frames.count
        device = header.deviceName
        model = header.model
        var lo = Int(UInt16.max), hi = 0
        for frame in frames {
            for v in frame.pixels {
                lo = Swift.min(lo, Int(v))
                hi = Swift.max(hi, Int(v))
            }
        }
        min = frames.isEmpty ? 0 : lo
        max = frames.isEmpty ? 0 : hi
        let nominal = 1 / Double(header.frameRate.map { $0 == 9 ? 8.77 : Double($0) } ?? 8.77)
        let times = frames.compactMap(\.time)
        if header.version == 2, times.count == frames.count, let first = times.first, let last = times.last {
            let intervals = zip(times, times.dropFirst()).map { Int($1) - Int($0) }.sorted()
            let typical = intervals.isEmpty ? nominal : Double(intervals[intervals.count / 2]) / 1000
            durationS = ((Double(last) - Double(first)) / 1000 + typical) * 1000
            durationS = durationS.rounded() / 1000
            var events = 0
            for (a, b) in zip(frames, frames.dropFirst()) {
                if a.lastFFC != b.lastFFC || Int(b.time ?? 0) - Int(a.time ?? 0) > 500 { events += 1 }
            }
            ffcEvents = events
        } else {
            durationS = (Double(frames.count) * nominal * 1000).rounded() / 1000
            ffcEvents = 0
        }
    }
}
