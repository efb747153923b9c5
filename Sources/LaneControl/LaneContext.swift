import Appliance
import Foundation
import Screening
import Store

/// What a technician's command works on: the configuration, one of its lanes, and the lane's database.
public struct LaneContext: Sendable {
    public let configPath: String
    public let config: ApplianceConfig
    public let lane: ApplianceConfig.LaneConfig
    public let stateDirectory: String

    /// Reads `configPath` and picks `laneID` (nil: the first lane). `state` overrides the state directory.
    public init(configPath: String, laneID: String? = nil, state: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ControlFailure)
    {
        let config: ApplianceConfig
        do { config = try ApplianceConfig.load(path: configPath) } catch {
            throw ControlFailure(.badConfiguration, "\(configPath): \(error)")
        }
        guard let lane = laneID.map({ id in config.lanes.first { $0.id == id } }) ?? config.lanes.first else {
            throw ControlFailure(
                .cannotRun, "no lane '\(laneID ?? "")' in \(configPath) (lanes: \(config.lanes.map(\.id).joined(separator: ", ")))")
        }
        self.configPath = configPath
        self.config = config
        self.lane = lane
        stateDirectory = state ?? CheckpointService.stateDirectory(config: config, environment: environment)
    }

    public var databasePath: String { stateDirectory + "/passages.sqlite" }

    /// The lane's database, created when it does not exist yet (calibrating a new lane comes before its first start).
    public func openStore() throws(ControlFailure) -> LaneStore {
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            return try LaneStore(path: databasePath)
        } catch {
            throw ControlFailure(.cannotRun, "cannot open the lane's database in \(stateDirectory): \(error)")
        }
    }

    /// The lane's database, which must exist already (reports and purges never create one).
    public func existingStore() throws(ControlFailure) -> LaneStore {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw ControlFailure(.cannotRun, "no passages.sqlite in \(stateDirectory) (has the service run here? or give --state DIR)")
        }
        do { return try LaneStore(path: databasePath) } catch {
            throw ControlFailure(.cannotRun, "cannot open \(databasePath): \(error)")
        }
    }

    /// The lane's screening settings with everything calibrated so far in force, as the service would start them.
    public func screening(store: LaneStore) throws(ControlFailure) -> ScreeningConfig {
        do {
            return lane.screening.applying(try store.calibration(lane: lane.id), cameraOrientation: lane.cameraOrientation)
        } catch {
            throw ControlFailure(.cannotRun, "\(error)")
        }
    }
}
