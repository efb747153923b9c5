import Lane
import Thermal

/// A thermal camera that renders a simulated scene in (scene) real time at the Lepton's 8.77 frames per second.
/// Frames are upright centi-kelvin, like every camera adapter's output.
public struct SimulatedCamera: ThermalCamera {
    public let name = "camera:simulated"
    public let scenario: SimulatedScenario
    public let timeline: SimulationTimeline
    public let framesPerSecond: Double

    public init(scenario: SimulatedScenario, timeline: SimulationTimeline, framesPerSecond: Double = 8.77) {
        self.scenario = scenario
        self.timeline = timeline
        self.framesPerSecond = framesPerSecond
    }

    public func events() -> AsyncStream<CameraEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: CameraEvent.self, bufferingPolicy: .bufferingNewest(32))
        let scenario = self.scenario, timeline = self.timeline, fps = framesPerSecond
        let task = Task {
            continuation.yield(.status(.online))
            var simulator = SceneSimulator(settings: scenario.settings, travellers: scenario.travellers)
            var index = 0, sequence: UInt64 = 0
            // Start at the current scene time (the timeline may have been running already).
            let start = (timeline.now() * fps).rounded(.up) / fps
            // Computed once: it looks at every traveller, and the loop below runs once per frame.
            let end = scenario.end
            while !Task.isCancelled {
                let t = start + Double(index) / fps
                if t > end { break }
                if timeline.isEveryFrame {
                    // Every frame, none dropped: the scene moves on once the lane is done with the last one.
                    timeline.advance(to: t)
                    if !simulator.isInFFC(at: t) {
                        continuation.yield(.frame(simulator.frame(at: t, sequence: sequence)))
                        sequence += 1
                        do { try await timeline.waitUntilScreened(t) } catch { break }
                    }
                    index += 1
                    continue
                }
                do { try await timeline.sleep(until: t) } catch { break }
                // When the scene runs faster than this machine renders (a high simulation speed), the sleep above
                // never suspends: give the thread back once per frame, or two such lanes hold both of a 2-core
                // box's cooperative threads and starve the lanes' own loops and the service's shutdown.
                await Task.yield()
                // A real sensor does not slow down when its reader is late: skip the frames whose time has passed
                // (the sequence number still counts them, so they show as dropped).
                let due = Int(((timeline.now() - start) * fps).rounded(.down))
                if due > index + 1 {
                    sequence += UInt64(due - index)
                    index = due
                    continue
                }
                if !simulator.isInFFC(at: t) {
                    continuation.yield(.frame(simulator.frame(at: t, sequence: sequence)))
                    sequence += 1
                }
                index += 1
            }
            timeline.sceneEnded()
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
