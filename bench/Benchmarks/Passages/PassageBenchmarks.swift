import Benchmark
import Declarations
import Foundation
import Lane
import Screening
import Store

/// Durable passages: one lane step (a complete passage, its outbox row and its two events) committed to a file
/// database in WAL mode with synchronous=FULL, as the service does. Targets: ≥ 500 durable passages/s and p99
/// commit ≤ 10 ms on this machine's disk.
nonisolated(unsafe) let benchmarks: @Sendable () -> Void = {
    let directory = NSTemporaryDirectory() + "store-bench-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let store = try! LaneStore(path: directory + "/passages.sqlite")
    let payload = "079190012345||Nguyễn Văn An|15041990|Nam|12 Lê Lợi, Quận 1, TP Hồ Chí Minh|01072021"
    let declaration = try! DeclarationParser().parse(payload)
    let measurement = Measurement(
        time: 3, temperatureC: 36.6, skinC: 36.62, uncertaintyC: 0.2, verdict: .normal, thresholdC: 37.5, siteX: 70, siteY: 30,
        faceWidthPx: 44, referenced: true, framesUsed: 5)
    let passage = Passage(
        laneID: "lane-1", outcome: .complete, openedAt: 1, closedAt: 3, measurement: measurement,
        scan: Scan(time: 1, payload: payload, device: "scanner", transport: "hid-pos"), declaration: declaration, notes: [])
    var measured = LaneEvent(type: .measured, lane: "lane-1", t: 3)
    measured.verdict = .normal
    let step = LaneCore.Step(events: [measured, LaneEvent(type: .passage, lane: "lane-1", t: 3)], passages: [passage])

    Benchmark(
        "store: commit one passage durably (WAL, synchronous=FULL)",
        configuration: .init(metrics: [.wallClock, .throughput, .cpuTotal, .peakMemoryResident], warmupIterations: 20, scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 5000)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await store.commit(step, at: Date()))
        }
    }
}
