import Lane
import Thermal

/// A QR scanner that "reads" each simulated traveller's payload shortly after they arrive.
public struct SimulatedScanner: CodeScanner {
    public let name = "scanner:simulated"
    public let scenario: SimulatedScenario
    public let timeline: SimulationTimeline

    public init(scenario: SimulatedScenario, timeline: SimulationTimeline) {
        self.scenario = scenario
        self.timeline = timeline
    }

    public func events() -> AsyncStream<ScannerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ScannerEvent.self)
        let scenario = self.scenario, timeline = self.timeline, name = self.name
        let task = Task {
            continuation.yield(.status(.online))
            let script = zip(scenario.travellers, scenario.payloads).map { ($0.arrival + scenario.scanDelay, $1) }
            // Scans before the timeline's present when the scanner starts are skipped, once: a scanner that is late
            // afterwards delivers every scan late, as a real one does (the kernel holds its reports), never drops one.
            let start = timeline.now()
            for (time, payload) in script.sorted(by: { $0.0 < $1.0 }) where time >= start {
                do { try await timeline.sleep(until: time) } catch { break }
                continuation.yield(.scan(Scan(time: time, payload: payload, symbology: "]Q1", device: name, transport: "simulated")))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
