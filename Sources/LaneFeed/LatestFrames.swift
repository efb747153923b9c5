import Synchronization
import Thermal

/// The latest upright frame of each lane, kept for the lane page's thermal view. Writing is one lock and a copy
/// of a reference (the pixel array is shared, not copied); images are drawn only when a page asks.
public final class LatestFrames: Sendable {
    private let frames = Mutex<[String: ThermalFrame]>([:])

    public init() {}

    public func update(lane: String, frame: ThermalFrame) { frames.withLock { $0[lane] = frame } }

    public func frame(lane: String) -> ThermalFrame? { frames.withLock { $0[lane] } }
}
