import Declarations
import Devices
import Foundation
import Lane
import LaneDisplay
import Logging
import ServiceLifecycle
import Store
import Thermal
import UnixSignals

/// The composition root: turns a configuration into running lanes, one store, and the display server.
public struct CheckpointService: Sendable {
    public let config: ApplianceConfig
    public let stateDirectory: String
    public let store: LaneStore
    public let hub: LaneEventHub
    /// The simulated scenario per lane id (for the demo and the end-to-end tests' ground truth).
    public let scenarios: [String: SimulatedScenario]
    private let runners: [LaneRunner]
    private let logger: Logger

    /// The state directory: `$STATE_DIRECTORY` when systemd sets it (first entry if it lists several), else the
    /// configuration's value.
    public static func stateDirectory(config: ApplianceConfig, environment: [String: String]) -> String {
        if let fromSystemd = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !fromSystemd.isEmpty {
            return String(fromSystemd)
        }
        return config.stateDirectory
    }

    public init(config: ApplianceConfig, stateDirectory: String, logger: Logger) throws {
        self.config = config
        self.stateDirectory = stateDirectory
        self.logger = logger
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        store = try LaneStore(path: stateDirectory + "/passages.sqlite")
        hub = LaneEventHub()
        var scenarios: [String: SimulatedScenario] = [:]
        var runners: [LaneRunner] = []
        for lane in config.lanes {
            let camera: any ThermalCamera
            var scanners: [any CodeScanner] = []
            let timeline: any LaneTimeline
            switch lane.camera {
            case .simulated(let sim):
                var settings = SceneSettings()
                settings.ambientC = sim.ambientC
                settings.reference = ApplianceConfig.simulatedReference
                settings.seed = sim.seed &+ 17
                let scenario = SimulatedScenario.queue(count: sim.travellers, feverShare: sim.feverShare, seed: sim.seed, settings: settings)
                let simTimeline = SimulationTimeline(speed: sim.speed)
                camera = SimulatedCamera(scenario: scenario, timeline: simTimeline)
                if lane.scanners.contains(where: { if case .simulated = $0 { true } else { false } }) {
                    scanners.append(SimulatedScanner(scenario: scenario, timeline: simTimeline))
                }
                timeline = simTimeline
                scenarios[lane.id] = scenario
            case .v4l2(let v4l2):
                camera = V4L2Camera(selector: v4l2.selector, profile: v4l2.profile, orientation: v4l2.orientation)
                timeline = MonotonicTimeline()
            case .replay(let replay):
                let replayTimeline = SimulationTimeline(speed: replay.speed)
                camera = ReplayCamera(path: replay.file, orientation: replay.orientation, loop: replay.loop, timeline: replayTimeline)
                timeline = replayTimeline
            }
            for scanner in lane.scanners {
                switch scanner {
                case .simulated: break  // made with the simulated camera above
                case .usb(let selector, let framing):
                    scanners.append(USBScanner(selector: selector, framing: framing, timeline: timeline))
                case .serial(let path, let baud, let framing):
                    scanners.append(SerialScanner(path: path, baud: baud, framing: framing, timeline: timeline))
                }
            }
            let parser = DeclarationParser(urlPatterns: config.urlPatterns)
            let core = LaneCore(laneID: lane.id, screening: lane.screening, pairing: lane.pairing, parser: parser)
            runners.append(
                LaneRunner(
                    core: core, camera: camera, scanners: scanners, timeline: timeline, store: store, hub: hub, logger: logger,
                    clipDirectory: lane.recordElevated ? stateDirectory + "/clips" : nil))
        }
        self.scenarios = scenarios
        self.runners = runners
    }

    /// The lanes as the display lists them.
    public var laneInfos: [LaneDisplayServer.LaneInfo] {
        config.lanes.map { lane in
            LaneDisplayServer.LaneInfo(id: lane.id, name: lane.name, idlePrompt: lane.pairing.mode == .scanFirst ? .scanQR : .lookAtCamera)
        }
    }

    /// A service group with every lane and the display server; SIGTERM and SIGINT stop it gracefully.
    public func serviceGroup(onDisplayRunning: @escaping @Sendable (Int) async -> Void = { _ in }, signals: Bool = true) -> ServiceGroup {
        let display = LaneDisplayServer.makeApplication(
            lanes: laneInfos, hub: hub, host: config.displayHost, port: config.displayPort, logger: logger,
            onRunning: { [logger] port in
                logger.notice("lane page at http://\(config.displayHost):\(port)/")
                await onDisplayRunning(port)
            })
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = runners.map { .init(service: $0) }
        services.append(.init(service: display))
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        if signals { configuration.gracefulShutdownSignals = [.sigterm, .sigint] }
        return ServiceGroup(configuration: configuration)
    }
}
