import Appliance
import Devices
import Foundation
import Lane
import Screening
import Store
import Thermal

/// `checkpointctl selftest`'s checks: the installation end to end, one result per test, for the technician's
/// checklist. While the service runs, device checks ask it (`/api/health`: a V4L2 camera streams to one
/// process); when it is stopped, they open the devices themselves.
public struct Selftest: Sendable {
    public struct Result: Sendable, Equatable, Encodable {
        public var name: String
        public var ok: Bool
        public var detail: String
    }

    public let config: ApplianceConfig
    public let configPath: String
    public let stateDirectory: String
    /// Do not play the chime.
    public var quiet: Bool
    /// Seconds to watch each camera when the service is not running.
    public var seconds: Double

    public init(config: ApplianceConfig, configPath: String, stateDirectory: String, quiet: Bool = false, seconds: Double = 4) {
        self.config = config
        self.configPath = configPath
        self.stateDirectory = stateDirectory
        self.quiet = quiet
        self.seconds = seconds
    }

    /// Runs every check, handing each result to `report` as it comes (a camera check takes seconds).
    public func run(report: (Result) -> Void = { _ in }) async -> [Result] {
        var results: [Result] = []
        func add(_ name: String, _ ok: Bool, _ detail: String) {
            let result = Result(name: name, ok: ok, detail: detail)
            results.append(result)
            report(result)
        }
        add("config", true, "\(config.lanes.count) lane(s) in \(configPath)")
        clock(add)
        disk(stateDirectory, add)
        await storage(stateDirectory, add)
        let health = await Self.runningHealth(config)
        add(
            "lane-page", health != nil,
            health != nil ? "http://\(config.displayHost):\(config.displayPort)/ answers" : "the service does not answer on port \(config.displayPort) (systemctl status checkpointd)")
        for lane in config.lanes {
            if let health {
                fromService(lane, health[lane.id] ?? [:], add)
            } else {
                await camera(lane, add)
                scanners(lane, add)
            }
            speaker(lane, add)
        }
        return results
    }

    /// Wall clock after 2024 and not far ahead: passages are stamped with it and counted per local day.
    func clock(_ report: (String, Bool, String) -> Void) {
        let now = Date()
        let year = Calendar(identifier: .gregorian).component(.year, from: now)
        let zone = TimeZone.current.identifier
        report("clock", (2024...2099).contains(year), "\(now.formatted(.iso8601)) UTC, time zone \(zone)\(zone == "Asia/Ho_Chi_Minh" ? "" : "; daily counts use this zone")")
    }

    /// At least 1 GiB free where the database lives.
    func disk(_ directory: String, _ report: (String, Bool, String) -> Void) {
        var probe = directory
        while !FileManager.default.fileExists(atPath: probe), probe != "/" { probe = (probe as NSString).deletingLastPathComponent }
        guard let free = (try? FileManager.default.attributesOfFileSystem(forPath: probe))?[.systemFreeSize] as? NSNumber else {
            report("disk-space", false, "cannot read the free space of \(probe)")
            return
        }
        let gib = free.doubleValue / 1_073_741_824
        report("disk-space", gib >= 1, String(format: "%.1f GiB free in %@", gib, probe))
    }

    /// The database opens, passes SQLite's integrity check, and a file in its directory survives write + fsync.
    func storage(_ directory: String, _ report: (String, Bool, String) -> Void) async {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let probe = directory + "/.selftest-\(ProcessInfo.processInfo.processIdentifier)"
            guard FileManager.default.createFile(atPath: probe, contents: Data("checkpoint selftest\n".utf8)) else {
                throw CocoaError(.fileWriteNoPermission)
            }
            defer { try? FileManager.default.removeItem(atPath: probe) }
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: probe))
            try handle.synchronize()
            try handle.close()
            let store = try LaneStore(path: directory + "/passages.sqlite")
            let integrity = try await store.integrityCheck()
            let passages = try await store.passageCount()
            report("storage", integrity == "ok", "write + fsync in \(directory); integrity \(integrity); \(passages) passage(s)")
        } catch {
            report("storage", false, "\(directory): \(error)")
        }
    }

    /// Device health from the running service.
    func fromService(_ lane: ApplianceConfig.LaneConfig, _ health: [String: String], _ report: (String, Bool, String) -> Void) {
        for (key, label) in [("camera", "camera"), ("scanner", "scanner"), ("reference", "reference"), ("storage", "storage")] {
            let states = health.filter { $0.key.hasPrefix(key) }
            if key == "scanner" && lane.scanners.isEmpty { continue }
            if key == "reference", case .none = lane.screening.reference { continue }
            guard !states.isEmpty else {
                report("\(label) \(lane.id)", key == "reference", key == "reference" ? "no reading yet" : "no status from the service yet")
                continue
            }
            let ok = states.values.allSatisfy { $0 == "online" }
            report("\(label) \(lane.id)", ok, states.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", "))
        }
    }

    /// Frames from the lane's camera, and its reference disc read from them.
    func camera(_ lane: ApplianceConfig.LaneConfig, _ report: (String, Bool, String) -> Void) async {
        let frames: AsyncThrowingStream<ThermalFrame, any Error>
        // The disc is judged on `enoughFrames` frames: a camera or a machine slower than usual is read for up to four
        // times `seconds` until they have come (20 frames at a Lepton's 8.7 per second is 2.3 s; a busy test box
        // delivered too few in 3 s for the disc to be judged).
        let enoughFrames = 2 * ReferenceSurvey.minSamples
        do { frames = try FrameSource.camera.frames(of: lane, wallSeconds: 4 * seconds) } catch { return report("camera \(lane.id)", false, error.message) }
        let started = ContinuousClock.now
        var count = 0
        var size = ""
        var survey: ReferenceSurvey?
        // The disc where the service would read it: the stored calibration's place when there is one.
        var screening = lane.screening
        if let store = try? LaneStore(path: stateDirectory + "/passages.sqlite"), let calibration = try? store.calibration(lane: lane.id) {
            screening = screening.applying(calibration, cameraOrientation: lane.cameraOrientation)
        }
        switch screening.reference {
        case .region(let x, let y, let r): survey = ReferenceSurvey(region: (x, y, r), setpointC: screening.referenceSetpointC)
        case .auto: survey = ReferenceSurvey(region: nil, setpointC: screening.referenceSetpointC)
        case .none: survey = nil
        }
        var problem: String?
        do {
            for try await frame in frames {
                count += 1
                size = "\(frame.width)×\(frame.height)"
                _ = survey?.add(frame)
                if count >= enoughFrames && ContinuousClock.now - started >= .seconds(seconds) { break }
            }
        } catch {
            problem = "\(error)"
        }
        let took = Int((ContinuousClock.now - started) / .seconds(1) + 0.5)
        report(
            "camera \(lane.id)", count >= 3,
            count >= 3 ? "\(count) frames \(size) in \(took) s" : problem ?? "\(count) frame(s) in \(took) s: is it plugged in? (checkpointctl camera list)")
        guard let survey else { return }
        let scene = survey.sceneC.map { String(format: "scene %.1f °C", $0) } ?? "no frames"
        if let result = survey.result {
            let steady = result.noiseC <= ReferenceSurvey.maxNoiseC && result.contrastC >= ReferenceSurvey.minComfortableContrastC
            var detail = String(
                format: "disc at (%d, %d), noise %.3f °C, %.1f °C above its surroundings; ", result.x, result.y, result.noiseC,
                result.contrastC) + scene
            if result.contrastC < ReferenceSurvey.minComfortableContrastC {
                detail += String(format: ": less than %.0f °C of contrast, raise the set-point or shade the disc (hardware-notes.md, Environment)", ReferenceSurvey.minComfortableContrastC)
            }
            report("reference \(lane.id)", steady, detail)
        } else {
            let cause = survey.lastLost.map { "\($0.rawValue)" } ?? "not seen"
            report("reference \(lane.id)", false, "no steady disc where the lane reads it (\(cause); \(scene)): checkpointctl calibrate reference")
        }
    }

    /// Every configured scanner is present.
    func scanners(_ lane: ApplianceConfig.LaneConfig, _ report: (String, Bool, String) -> Void) {
        for (i, scanner) in lane.scanners.enumerated() {
            let name = "scanner \(lane.id)" + (lane.scanners.count > 1 ? "#\(i + 1)" : "")
            switch scanner {
            case .simulated: report(name, true, "simulated")
            case .serial(let path, let baud, _):
                report(name, FileManager.default.fileExists(atPath: path), "\(path) at \(baud) baud")
            case .usb(let selector, _):
                let present = (try? USBScanner.candidates()) ?? []
                let match = present.first(where: selector.matches)
                report(name, match != nil, match.map { "USB \($0.usbID) \($0.product ?? "")" } ?? "no USB scanner matching \(selector)")
            }
        }
    }

    /// The chime on the lane's speaker (the technician hears it; the test hears aplay's verdict).
    func speaker(_ lane: ApplianceConfig.LaneConfig, _ report: (String, Bool, String) -> Void) {
        guard let device = lane.speaker.device else { return report("speaker \(lane.id)", true, "none configured") }
        let library = PromptLibrary(directory: lane.speaker.prompts, recorded: lane.speaker.recorded, languages: ["vi"])
        let prompts = library.missing.isEmpty ? "all prompts present" : "\(library.missing.count) prompt file(s) missing in \(lane.speaker.prompts)"
        if quiet { return report("speaker \(lane.id)", library.missing.isEmpty, "not played (--quiet); \(prompts)") }
        let error = AlsaSpeaker(device: device, onProblem: { _ in }).playNow(Tones.chime.scaled(by: lane.speaker.volume))
        report("speaker \(lane.id)", error == nil && library.missing.isEmpty, error.map { "\(device): \($0)" } ?? "chime played on \(device); \(prompts)")
    }

    /// The running service's device health, or nil when it does not answer.
    public static func runningHealth(_ config: ApplianceConfig) async -> [String: [String: String]]? {
        let host = config.displayHost == "0.0.0.0" ? "127.0.0.1" : config.displayHost
        guard config.displayPort > 0, let answer = LocalHTTP.get(host: host, port: config.displayPort, path: "/api/health"),
            answer.status == 200
        else { return nil }
        return try? JSONDecoder().decode([String: [String: String]].self, from: answer.body)
    }
}
