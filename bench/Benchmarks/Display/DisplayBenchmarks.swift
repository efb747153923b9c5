import Appliance
import Benchmark
import Foundation

/// Verdict to lane page: 200 verdicts published 50 ms apart to a real lane page server, shown in headless
/// Chromium; each sample is the time from handing the verdict to the hub to its arrival in the page's event
/// handler (both on this machine's wall clock). Target: p99 ≤ 100 ms.
nonisolated(unsafe) let benchmarks: @Sendable () -> Void = {
    let latency = BenchmarkMetric.custom("verdict to page (µs)", polarity: .prefersSmaller, useScalingFactor: false)
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
