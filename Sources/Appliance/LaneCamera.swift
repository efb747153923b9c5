import Devices
import Lane
import Thermal

/// A lane's camera as its configuration describes it, with the clock its frames are stamped on. The service and
/// the technician's calibration commands make cameras the same way.
public struct LaneCamera: Sendable {
    public let camera: any ThermalCamera
    public let timeline: any LaneTimeline
    /// The simulated travellers, when the camera is simulated (its scanner reads their payloads).
    public let scenario: SimulatedScenario?
    let simulationTimeline: SimulationTimeline?

    public init(_ lane: ApplianceConfig.LaneConfig) {
        switch lane.camera {
        case .simulated(let sim):
            var settings = SceneSettings()
            settings.ambientC = sim.ambientC
            settings.reference = ApplianceConfig.simulatedReference
            settings.seed = sim.seed &+ 17
            let scenario = SimulatedScenario.queue(count: sim.travellers, feverShare: sim.feverShare, seed: sim.seed, settings: settings, glassesShare: sim.glassesShare)
            let timeline = sim.everyFrame ? SimulationTimeline.everyFrame() : SimulationTimeline(speed: sim.speed)
            camera = SimulatedCamera(scenario: scenario, timeline: timeline)
            self.timeline = timeline
            self.scenario = scenario
            simulationTimeline = timeline
        case .v4l2(let v4l2):
            camera = V4L2Camera(selector: v4l2.selector, profile: v4l2.profile, orientation: v4l2.orientation)
            timeline = MonotonicTimeline()
            scenario = nil
            simulationTimeline = nil
        case .replay(let replay):
            let timeline = SimulationTimeline(speed: replay.speed)
            camera = ReplayCamera(path: replay.file, orientation: replay.orientation, loop: replay.loop, timeline: timeline)
            self.timeline = timeline
            scenario = nil
            simulationTimeline = nil
        }
    }

    /// The simulated scanner that reads this camera's travellers' payloads (nil for a real camera).
    public var simulatedScanner: (any CodeScanner)? {
        guard let scenario, let simulationTimeline else { return nil }
        return SimulatedScanner(scenario: scenario, timeline: simulationTimeline)
    }
}

extension ApplianceConfig.LaneConfig {
    /// How the camera's frames are turned upright (the bad-pixel map is stored in the sensor's orientation).
    public var cameraOrientation: Orientation {
        switch camera {
        case .simulated: .upright
        case .v4l2(let settings): settings.orientation
        case .replay(let settings): settings.orientation
        }
    }
}
