import ConfigFile
import Declarations
import Devices
import Foundation
import HummingbirdCore
import Lane
import LaneFeed
import LaneDisplay
import Logging
import Screening
import ServiceLifecycle
import Store
import Thermal
import UnixSignals
import Uplink

/// The composition root: turns a configuration into running lanes, one store, and the display server.
public struct CheckpointService: Sendable {
    public let config: ApplianceConfig
    public let stateDirectory: String
    public let store: LaneStore
    public let hub: LaneEventHub
    /// The simulated scenario per lane id (for the demo and the end-to-end tests' ground truth).
    public let scenarios: [String: SimulatedScenario]
    /// The screening settings in force per lane id: the configuration with the stored calibration applied.
    public let screening: [String: ScreeningConfig]
    /// Counters for `/metrics`, and each lane's latest frame for the page's thermal view.
    public let metrics = LaneMetrics()
    public let frames = LatestFrames()
    private let runners: [LaneRunner]
    private let speakers: [LaneSpeaker]
    private let logger: Logger
    /// The supervisor page's listener (https when configured), built at start so an unreadable certificate stops it.
    private let supervisorServer: HTTPServerBuilder

    /// The state directory: `$STATE_DIRECTORY` when systemd sets it (first entry if it lists several), else the
    /// configuration's value.
    public static func stateDirectory(config: ApplianceConfig, environment: [String: String]) -> String {
        if let fromSystemd = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !fromSystemd.isEmpty {
            return String(fromSystemd)
        }
        return config.stateDirectory
    }

    public init(config: ApplianceConfig, stateDirectory: String, spillDirectory: String? = nil, logger: Logger) throws {
        let spillDirectory = spillDirectory ?? stateDirectory
        self.config = config
        self.stateDirectory = stateDirectory
        self.logger = logger
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        store = try LaneStore(path: stateDirectory + "/passages.sqlite", maxBytes: config.maxDatabaseBytes)
        hub = LaneEventHub()
        var scenarios: [String: SimulatedScenario] = [:]
        var runners: [LaneRunner] = []
        var speakers: [LaneSpeaker] = []
        var screeningInForce: [String: ScreeningConfig] = [:]
        let trust = try Self.loadTrust(config.dccTrustFile, logger: logger)
        if let uplink = config.uplink { _ = try HTTPSUplinkTransport.tlsConfiguration(uplink) }
        do { supervisorServer = try SupervisorServer.server(tls: config.supervisor?.tls) } catch {
            throw ConfigError(key: "supervisor.certificate", line: nil, message: "cannot be used with its key: \(error)")
        }
        for lane in config.lanes {
            let setup = LaneCamera(lane)
            var scanners: [any CodeScanner] = []
            if lane.scanners.contains(where: { if case .simulated = $0 { true } else { false } }), let simulated = setup.simulatedScanner {
                scanners.append(simulated)
            }
            scenarios[lane.id] = setup.scenario
            let timeline = setup.timeline
            for scanner in lane.scanners {
                switch scanner {
                case .simulated: break  // made with the simulated camera above
                case .usb(let selector, let framing):
                    scanners.append(USBScanner(selector: selector, framing: framing, timeline: timeline))
                case .serial(let path, let baud, let framing):
                    scanners.append(SerialScanner(path: path, baud: baud, framing: framing, timeline: timeline))
                }
            }
            let parser = DeclarationParser(urlPatterns: config.urlPatterns, trust: trust, now: { Int64(Date().timeIntervalSince1970) })
            let calibration = try store.calibration(lane: lane.id)
            if !calibration.isEmpty { logger.notice("lane \(lane.id): \(Self.describe(calibration))") }
            let screening = lane.screening.applying(calibration, cameraOrientation: lane.cameraOrientation)
            screeningInForce[lane.id] = screening
            let core = LaneCore(laneID: lane.id, screening: screening, pairing: lane.pairing, parser: parser)
            runners.append(
                LaneRunner(
                    core: core, camera: setup.camera, scanners: scanners, timeline: timeline, store: store, hub: hub, logger: logger,
                    clipDirectory: lane.recordElevated ? stateDirectory + "/clips" : nil, spillDirectory: spillDirectory, metrics: metrics,
                    frames: frames))
            speakers.append(LaneSpeaker(laneID: lane.id, config: lane.speaker, hub: hub, timeline: timeline, logger: logger))
        }
        self.speakers = speakers
        self.scenarios = scenarios
        self.screening = screeningInForce
        self.runners = runners
    }

    /// The EU-DCC signers the configuration names. A missing or unreadable file stops the start: a lane that
    /// silently verified nothing would mislead staff.
    static func loadTrust(_ path: String?, logger: Logger) throws -> DCCTrustList {
        guard let path else { return DCCTrustList() }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(key: "declarations.dcc_trust_file", line: nil, message: "cannot read \(path)")
        }
        do {
            let list = try DCCTrustList(pem: text)
            logger.notice("trusting \(list.signers.count) EU-DCC signer certificate(s) from \(path)")
            for skipped in list.skipped { logger.warning("\(path): \(skipped); left out") }
            return list
        } catch {
            throw ConfigError(key: "declarations.dcc_trust_file", line: nil, message: "\(path): \(error.description)")
        }
    }

    /// One log line saying which stored calibration is in force (no personal data in it).
    static func describe(_ calibration: LaneCalibration) -> String {
        var parts: [String] = []
        if let r = calibration.reference {
            parts.append("reference at (\(r.x), \(r.y)) r \(r.radius) px, set-point \(r.setpointC) °C")
        }
        if let o = calibration.offset { parts.append("offset \(o.offsetC) °C from \(o.pairs.count) people") }
        if let p = calibration.pixels { parts.append("\(p.bad.count) bad pixels repaired") }
        return "calibration in force: " + parts.joined(separator: "; ")
    }

    /// The lanes as the display lists them.
    public var laneInfos: [LaneDisplayServer.LaneInfo] {
        config.lanes.map { lane in
            var reference: [Int]?
            if case .region(let x, let y, let r) = screening[lane.id]?.reference { reference = [x, y, r] }
            return LaneDisplayServer.LaneInfo(
                id: lane.id, name: lane.name, idlePrompt: lane.pairing.mode == .scanFirst ? .scanQR : .lookAtCamera, reference: reference)
        }
    }

    /// A service group with every lane, its speaker, the display server and the supervisor's (when configured);
    /// SIGTERM and SIGINT stop it gracefully.
    public func serviceGroup(
        onDisplayRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        onSupervisorRunning: @escaping @Sendable (Int) async -> Void = { _ in }, signals: Bool = true,
        systemd: (notifier: SystemdNotifier, watchdog: Duration?)? = nil
    ) -> ServiceGroup {
        let display = LaneDisplayServer.makeApplication(
            lanes: laneInfos, hub: hub, frames: frames, metrics: metrics, host: config.displayHost, port: config.displayPort,
            logger: logger,
            onRunning: { [logger] port in
                logger.notice("lane page at http://\(config.displayHost):\(port)/")
                systemd?.notifier.send("READY=1\nSTATUS=\(config.lanes.count) lane(s), page on port \(port)")
                await onDisplayRunning(port)
            })
        // On SIGTERM the group stops its services one at a time in reverse order, so the order below is the
        // order of shutdown read backwards: the lanes stop first (no traveller is taken after the signal; their
        // last passages are committed), then the watchdog, speakers, pages and retention, and the uplink last,
        // which cancels an upload in flight (the hub keeps a resent batch once). Before, the uplink was stopped
        // first and waited out a hanging upload (9–13 s) while the lanes went on screening.
        let timeline = MonotonicTimeline()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: UplinkService(
                lanes: config.lanes.map(\.id), store: store, hub: hub, metrics: metrics, settings: config.uplink,
                timeline: { timeline.now() }, logger: logger)),
            .init(service: RetentionService(store: store, days: config.payloadRetentionDays, logger: logger)),
            .init(service: NamedListener(name: "lane page ([display])", host: config.displayHost, port: config.displayPort, wrapped: display)),
        ]
        if let supervisor = config.supervisor {
            let setup = SupervisorServer.Setup(
                checkpointName: config.checkpointName, lanes: laneInfos, token: supervisor.token, store: store, hub: hub, metrics: metrics)
            let page = SupervisorServer.makeApplication(
                setup, host: supervisor.host, port: supervisor.port, server: supervisorServer, logger: logger,
                onRunning: { [logger] port in
                    logger.notice("supervisor page at \(supervisor.tls == nil ? "http" : "https")://\(supervisor.host):\(port)/supervisor (token required)")
                    await onSupervisorRunning(port)
                })
            services.append(.init(service: NamedListener(name: "supervisor page ([supervisor])", host: supervisor.host, port: supervisor.port, wrapped: page)))
        }
        services += speakers.map { .init(service: $0) }
        if let systemd, let interval = systemd.watchdog {
            services.append(.init(service: WatchdogService(notifier: systemd.notifier, interval: interval, lanes: runners, logger: logger)))
        }
        services += runners.map { .init(service: $0) }
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        if signals { configuration.gracefulShutdownSignals = [.sigterm, .sigint] }
        return ServiceGroup(configuration: configuration)
    }
}
