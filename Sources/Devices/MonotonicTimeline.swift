import CoreFoundation
import Lane

#if canImport(Glibc)
    import Glibc
#endif

/// The lane timeline for real devices: CLOCK_MONOTONIC seconds, the clock UVC buffer timestamps use, so frame
/// times and scan times are comparable.
public final class MonotonicTimeline: LaneTimeline {
    public init() {}
    public func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
