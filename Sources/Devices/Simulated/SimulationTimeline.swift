import Lane

/// Scene time for simulated devices: real elapsed time multiplied by `speed`. The camera and the scanner of a
/// simulated lane share one timeline, so a scan and the frames around it carry consistent times even when the
/// demo or a test runs faster than real time.
public final class SimulationTimeline: LaneTimeline {
    public let speed: Double
    private let start: ContinuousClock.Instant

    public init(speed: Double = 1) {
        precondition(speed > 0, "speed must be positive")
        self.speed = speed
        start = ContinuousClock.now
    }

    public func now() -> Double {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        return (Double(seconds) + Double(attoseconds) / 1e18) * speed
    }

    /// Sleeps until the timeline reaches `sceneTime` (returns at once if it already has).
    public func sleep(until sceneTime: Double) async throws {
        let wait = (sceneTime - now()) / speed
        if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
    }
}
