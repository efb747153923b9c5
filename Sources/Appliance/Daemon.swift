import ConfigFile
import Devices
import Foundation
import Logging
import ServiceLifecycle
import Screening
import Thermal

/// `checkpointd --config FILE`: the lane service's entry point, kept here so the executable is a few lines.
public enum Daemon {
    public static let version = "0.1.0"

    static let usage = """
        usage: checkpointd --config FILE

        Runs the checkpoint lanes described in FILE (TOML; see docs/config.md): cameras, scanners, screening,
        the passage database in the state directory ($STATE_DIRECTORY when systemd sets it), and the lane page.
        Stops cleanly on SIGTERM or Ctrl-C.

          --config FILE   the configuration file (required)
          --version       print the version
          --help          print this help
        """

    /// Runs until SIGTERM/SIGINT. Returns the process exit code: 0 after a clean stop, 64 for bad arguments,
    /// 78 (EX_CONFIG) when the configuration is wrong, 1 when the service failed.
    public static func main(arguments: [String], environment: [String: String]) async -> Int32 {
        var configPath: String?
        var rest = arguments.dropFirst().makeIterator()
        while let argument = rest.next() {
            switch argument {
            case "--config": configPath = rest.next()
            case "--help", "-h":
                print(usage)
                return 0
            case "--version":
                print("checkpointd \(version)")
                return 0
            default:
                FileHandle.standardError.write(Data("checkpointd: unknown argument '\(argument)'\n\(usage)\n".utf8))
                return 64
            }
        }
        guard let configPath else {
            FileHandle.standardError.write(Data("checkpointd: --config FILE is required\n".utf8))
            return 64
        }
        let config: ApplianceConfig
        do {
            config = try ApplianceConfig.load(path: configPath)
        } catch {
            FileHandle.standardError.write(Data("checkpointd: \(configPath): \(error)\n".utf8))
            return 78
        }
        bootstrapLogging(level: config.logLevel)
        let logger = Logger(label: "checkpointd")
        do {
            let stateDirectory = CheckpointService.stateDirectory(config: config, environment: environment)
            // Held passages spill to tmpfs under /run when systemd gives one (a full disk does not stop them there).
            let spill = environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first.map(String.init)
            let service = try CheckpointService(config: config, stateDirectory: stateDirectory, spillDirectory: spill, logger: logger)
            logger.notice(
                "starting \(config.lanes.count) lane(s)", metadata: ["state": "\(stateDirectory)", "version": "\(version)"])
            let systemd = SystemdNotifier(environment: environment).map {
                (notifier: $0, watchdog: SystemdNotifier.watchdogInterval(environment: environment))
            }
            try await service.serviceGroup(systemd: systemd).run()
            // Scanner threads re-attach kernel drivers on their way out: let them finish before the process ends.
            if !DeviceThreads.waitForAll(timeout: 3) { logger.warning("a device thread did not finish within 3 s") }
            logger.notice("stopped cleanly")
            return 0
        } catch {
            logger.critical("service failed: \(error)")
            return 1
        }
    }

    /// swift-log to standard error, which journald collects.
    public static func bootstrapLogging(level: String) {
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
    }
}

extension ApplianceConfig {
    /// Reads and checks a configuration file.
    public static func load(path: String) throws -> ApplianceConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(key: "", line: nil, message: "cannot read the file (missing, or no permission)")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigError(key: "", line: nil, message: "the file is not UTF-8 text")
        }
        let config = try parse(text)
        // A recording's size is in its header: a disc placed outside the (turned) recording is refused as
        // the configuration's other mistakes are. An unreadable recording is the replay camera's to report.
        for (index, lane) in config.lanes.enumerated() {
            guard case .replay(let replay) = lane.camera, case .region(let x, let y, radius: _) = lane.screening.reference,
                let header = try? CPTVFile.header(path: replay.file)
            else { continue }
            let size = replay.orientation.outputSize(width: header.width, height: header.height)
            guard !(0..<size.width).contains(x) || !(0..<size.height).contains(y) else { continue }
            throw ConfigError(
                key: "lane[\(index + 1)].screening.\((0..<size.width).contains(x) ? "reference_y" : "reference_x")", line: nil,
                message: "(\(x), \(y)) is outside the recording's \(size.width)×\(size.height) image\(rotationNote(lane.camera)): x must be 0–\(size.width - 1) and y 0–\(size.height - 1)")
        }
        return config
    }
}
