import Prometheus
import Synchronization

/// The service's counters for `/metrics` (Prometheus text format). Labels carry lane ids and verdicts only:
/// nothing personal.
public final class LaneMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    public init() {}

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "checkpoint", metricName: metric, unitName: unit, helpText: help)
    }

    /// The per-frame counters of one lane, looked up once: the registry's lookup takes a lock and hashes the
    /// labels, which the frame path (9–25 times a second per lane) need not pay.
    public struct FrameCounters: Sendable {
        let frames: Counter
        let dropped: Counter
        public func frame() { frames.increment() }
        public func drop() { dropped.increment() }
    }

    public func frameCounters(lane: String) -> FrameCounters {
        FrameCounters(
            frames: registry.makeCounter(descriptor: Self.name("frames", "total", "Thermal frames screened"), labels: [("lane", lane)]),
            dropped: registry.makeCounter(
                descriptor: Self.name("frames_dropped", "total", "Frames dropped because the lane fell behind"), labels: [("lane", lane)]))
    }

    public func frame(lane: String) { frameCounters(lane: lane).frame() }

    public func frameDropped(lane: String) { frameCounters(lane: lane).drop() }

    /// `outcome`: `accepted` or `rejected` (unreadable or malformed code).
    public func scan(lane: String, outcome: String) {
        registry.makeCounter(descriptor: Self.name("scans", "total", "QR scans by outcome"), labels: [("lane", lane), ("outcome", outcome)])
            .increment()
    }

    /// `verdict`: `normal`, `elevated` or `none` (no reading).
    public func passage(lane: String, verdict: String) {
        registry.makeCounter(descriptor: Self.name("passages", "total", "Passages stored, by verdict"), labels: [("lane", lane), ("verdict", verdict)])
            .increment()
    }

    public func retry(lane: String, reason: String) {
        registry.makeCounter(descriptor: Self.name("retries", "total", "Readings refused with a retry, by reason"), labels: [("lane", lane), ("reason", reason)])
            .increment()
    }

    public func storageFailure(lane: String) {
        registry.makeCounter(descriptor: Self.name("storage_failures", "total", "Commits that failed (disk full, read-only, size cap)"), labels: [("lane", lane)])
            .increment()
    }

    /// Seconds one durable commit took.
    public func commit(seconds: Double) {
        registry.makeValueHistogram(
            descriptor: Self.name("commit", "seconds", "Time to make one lane step durable in SQLite"), labels: [],
            buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1]
        ).record(seconds)
    }

    /// Passages of `lane` waiting for the province's acknowledgement, and the age of the oldest.
    public func uplinkBacklog(lane: String, passages: Int, oldestSeconds: Double) {
        registry.makeGauge(descriptor: Self.name("uplink_backlog", "passages", "Passages stored but not yet acknowledged by the province"), labels: [("lane", lane)])
            .set(Double(passages))
        registry.makeGauge(descriptor: Self.name("uplink_oldest_age", "seconds", "Age of the oldest passage waiting for the province"), labels: [("lane", lane)])
            .set(oldestSeconds)
    }

    public func uplinkSent(lane: String, _ passages: Int) {
        registry.makeCounter(descriptor: Self.name("uplink_sent", "total", "Passages the province acknowledged"), labels: [("lane", lane)])
            .increment(by: Int64(passages))
    }

    public func uplinkFailure(lane: String) {
        registry.makeCounter(descriptor: Self.name("uplink_failures", "total", "Attempts to send that failed (no link, hub down, refused)"), labels: [("lane", lane)])
            .increment()
    }

    public func text() -> String { registry.emitToString() }
}
