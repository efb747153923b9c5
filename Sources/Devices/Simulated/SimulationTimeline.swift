import Lane
import Synchronization

/// Scene time for simulated devices. The camera and the scanner of a simulated lane share one timeline, so a scan
/// and the frames around it carry consistent times even when the demo or a test runs faster than real time.
///
/// Two paces:
/// - **real time** (`speed`): scene time is real elapsed time multiplied by `speed`. A lane that falls behind
///   drops frames, as it would behind a real sensor: right for the demo and for load tests, wrong for a test that
///   counts travellers on a busy machine.
/// - **every frame** (`everyFrame()`): the scene advances one frame at a time, and only once the lane has screened
///   the frame before. Nothing is dropped however busy the machine is, so what the lane sees depends on the scene
///   alone. When the scene is over, time goes on at real speed (timeouts after the last traveller still fire).
public final class SimulationTimeline: LaneTimeline {
    public let speed: Double
    private let start: ContinuousClock.Instant
    public let isEveryFrame: Bool
    /// Used at the every-frame pace only.
    private let stepped = Mutex(Stepped())

    struct Stepped {
        /// The time of the newest frame the camera produced.
        var now: Double = 0
        /// The newest frame time the lane has finished with.
        var screened: Double = -.infinity
        /// Set when the scene ended: real time runs on from here.
        var endedAt: ContinuousClock.Instant?
    }

    public init(speed: Double = 1) {
        precondition(speed > 0, "speed must be positive")
        self.speed = speed
        start = ContinuousClock.now
        isEveryFrame = false
    }

    private init(stepped: Void) {
        speed = 1
        start = ContinuousClock.now
        isEveryFrame = true
    }

    /// A timeline on which the camera waits for the lane: see the type's documentation.
    public static func everyFrame() -> SimulationTimeline { SimulationTimeline(stepped: ()) }

    public func now() -> Double {
        if isEveryFrame {
            return stepped.withLock { state in
                guard let ended = state.endedAt else { return state.now }
                return state.now + Self.seconds(ContinuousClock.now - ended)
            }
        }
        return Self.seconds(ContinuousClock.now - start) * speed
    }

    /// Sleeps until the timeline reaches `sceneTime` (returns at once if it already has).
    public func sleep(until sceneTime: Double) async throws {
        guard isEveryFrame else {
            let wait = (sceneTime - now()) / speed
            if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
            return
        }
        // Polled: the camera moves the scene a frame (114 ms of scene) per few milliseconds of work, and a poll
        // is simpler to cancel than a parked continuation.
        while now() < sceneTime { try await Task.sleep(for: .milliseconds(1)) }
    }

    // MARK: Every-frame pace (no effect at real-time pace)

    /// The camera is about to deliver a frame taken at `sceneTime`.
    func advance(to sceneTime: Double) {
        if isEveryFrame { stepped.withLock { $0.now = max($0.now, sceneTime) } }
    }

    /// Waits until the lane has finished with the frame taken at `sceneTime` (returns at once at real-time pace).
    func waitUntilScreened(_ sceneTime: Double) async throws {
        guard isEveryFrame else { return }
        while stepped.withLock({ $0.screened < sceneTime }) { try await Task.sleep(for: .milliseconds(1)) }
    }

    /// The scene has no more frames: time runs on at real speed.
    func sceneEnded() {
        if isEveryFrame { stepped.withLock { if $0.endedAt == nil { $0.endedAt = .now } } }
    }

    public func frameScreened(at sceneTime: Double) {
        if isEveryFrame { stepped.withLock { $0.screened = max($0.screened, sceneTime) } }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
