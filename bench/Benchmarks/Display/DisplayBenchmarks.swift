import Benchmark
import Foundation
import PageLatency

/// Verdict to lane page: 200 verdicts published 50 ms apart to a real lane page server, shown in headless
/// Chromium; each sample is the time from handing the verdict to the hub to its arrival in the page's event
/// handler (both on this machine's wall clock). The second runs the whole service on a simulated lane, so the
/// durable commit before publishing is included. Target: p99 ≤ 100 ms.
nonisolated(unsafe) let benchmarks: @Sendable () -> Void = {
    let latency = BenchmarkMetric.custom("verdict to page (µs)", polarity: .prefersSmaller, useScalingFactor: false)
    let throughService = BenchmarkMetric.custom("verdict to page, commit included (µs)", polarity: .prefersSmaller, useScalingFactor: false)
    Benchmark(
        "display: verdict to lane page through the running service (200 verdicts)",
        configuration: .init(metrics: [throughService], warmupIterations: 0, scalingFactor: .one, maxDuration: .seconds(400), maxIterations: 1)
    ) { benchmark in
        // Millisecond stamps: samples are whole milliseconds, ±1 ms.
        for ms in try await PageLatency.measureService(count: 200) { benchmark.measurement(throughService, Int((ms * 1000).rounded())) }
    }
    Benchmark(
        "display: verdict to lane page in Chromium (200 verdicts)",
        configuration: .init(metrics: [latency], warmupIterations: 0, scalingFactor: .one, maxDuration: .seconds(120), maxIterations: 1)
    ) { benchmark in
        let samples = try await PageLatency.measure(count: 200, interval: .milliseconds(50))
        for ms in samples { benchmark.measurement(latency, Int((ms * 1000).rounded())) }
        let sorted = samples.sorted()
        print(String(format: "verdict to page: p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d verdicts",
                     sorted[sorted.count / 2], sorted[Int(Double(sorted.count - 1) * 0.99)], sorted.last ?? 0, sorted.count))
    }
}
