/// Keeps a storm of bad input (a broken scanner, a chattering cable) from flooding the lane and the log: at most
/// one rejection per interval is passed on; the ones held back are counted and reported with the next.
public struct RejectionThrottle: Sendable {
    public var interval: Double
    private var lastPassed: Double?
    private var suppressed = 0

    public init(interval: Double = 1.0) { self.interval = interval }

    /// Returns the rejection to pass on (with the number suppressed since the last one), or nil to drop it.
    public mutating func admit(_ rejection: ScanRejection, at time: Double) -> (ScanRejection, suppressed: Int)? {
        if let lastPassed, time - lastPassed < interval {
            suppressed += 1
            return nil
        }
        lastPassed = time
        defer { suppressed = 0 }
        return (rejection, suppressed)
    }

    /// After a storm ends, the count held back since the last passed rejection (once the interval is over), so the
    /// log and the lane learn how big it was even when no further rejection comes.
    public mutating func flush(at time: Double) -> Int? {
        guard suppressed > 0, let lastPassed, time - lastPassed >= interval else { return nil }
        defer {
            suppressed = 0
            self.lastPassed = time
        }
        return suppressed
    }
}
