/// How long to wait after the `failures`-th failure in a row: doubling from `base` up to `cap`, with "equal
/// jitter" (half fixed, half random), so that after a provincial outage a hundred lanes do not all retry in the
/// same second, and none retries sooner than half its step. Pure: the random source comes in. Used by the lane's
/// uplink and by the hub's district webhooks.
public struct Backoff: Sendable, Equatable {
    public var base: Double
    public var cap: Double

    public init(base: Double = 1, cap: Double = 300) {
        self.base = base
        self.cap = cap
    }

    /// Seconds to wait; `random` returns a value in 0..<1.
    public func delay(afterFailures failures: Int, random: () -> Double) -> Double {
        guard failures > 0 else { return 0 }
        let step = min(cap, base * Double(1 << min(failures - 1, 30)))
        return step / 2 + step / 2 * random()
    }
}
