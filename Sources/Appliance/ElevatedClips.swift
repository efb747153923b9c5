import Thermal

/// Keeps the last few seconds of frames so that, when a reading is elevated, the frames around it (before and
/// after) can be saved as an audit clip. Pure: frames and triggers in, finished clips out.
struct ElevatedClips {
    let before: Double
    let after: Double
    private var recent: [ThermalFrame] = []
    private var pending: [(until: Double, frames: [ThermalFrame])] = []

    init(before: Double = 3, after: Double = 2) {
        self.before = before
        self.after = after
    }

    /// Adds a frame; returns clips that are now complete.
    mutating func add(_ frame: ThermalFrame) -> [[ThermalFrame]] {
        recent.append(frame)
        recent.removeAll { frame.timestamp - $0.timestamp > before }
        var done: [[ThermalFrame]] = []
        for i in pending.indices { pending[i].frames.append(frame) }
        while let first = pending.first, frame.timestamp >= first.until {
            done.append(first.frames)
            pending.removeFirst()
        }
        return done
    }

    /// An elevated reading at `time`: a clip of the frames from `before` seconds earlier to `after` seconds later.
    mutating func trigger(at time: Double) {
        pending.append((time + after, recent.filter { time - $0.timestamp <= before }))
    }
}
