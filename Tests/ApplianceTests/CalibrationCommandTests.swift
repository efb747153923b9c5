import Appliance
import Devices
import Foundation
import Logging
import Screening
import Store
import Testing
import TestSupport
import Thermal

/// `checkpointctl calibrate …` and `camera pixels` as a technician runs them, against the simulated lane and a
/// recording, and the service picking the stored calibration up when it starts.
@Suite(.serialized) struct CalibrationCommandTests {
    static func ctl(_ arguments: [String], stdin: String = "") async throws -> ToolRun {
        let binary = try #require(builtProduct("checkpointctl"), "checkpointctl was not built")
        return try await runHeavyTool(binary, arguments, stdin: stdin)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    @Test(.timeLimit(.minutes(3))) func aTechnicianCalibratesALaneAndTheServiceAppliesIt() async throws {
        let dir = temporaryDirectory()
        let config = dir + "/checkpoint.toml"
        try (EndToEndTests.config(travellers: 300, speed: 8, state: dir + "/state") + "\n[lane.screening]\nreference = \"auto\"\n")
            .write(toFile: config, atomically: true, encoding: .utf8)

        let reference = try await Self.ctl(["calibrate", "reference", "--config", config, "--technician", "Lan", "--seconds", "20", "--json"])
        #expect(reference.status == 0, "\(reference.stderr)")
        let found = try Self.json(try #require(reference.lines.first))
        let disc = ApplianceConfig.simulatedReference
        #expect(abs((found["x"] as? Int ?? -9) - disc.x) <= 1 && abs((found["y"] as? Int ?? -9) - disc.y) <= 1, "\(found)")
        #expect((found["noise_c"] as? Double ?? 1) < 0.05)

        let pixels = try await Self.ctl(["camera", "pixels", "--config", config, "--technician", "Lan"])
        #expect(pixels.status == 0, "\(pixels.stderr)")
        #expect(pixels.stdout.contains(": 0 bad pixels"), "\(pixels.stdout)")

        // Six people typed (one typo asked again, one skipped). The fifth has a fever and was typed 37.0: an
        // outlier, shown and left out by the technician before they confirm. The offset is the mean of clinical − skin.
        let answers = ["37.0", "36.9", "hot", "37.2", "s", "37.1", "37.0", "36.8", "5", "y"]
        let offset = try await Self.ctl(
            ["calibrate", "offset", "--config", config, "--technician", "Lan", "--people", "6"], stdin: answers.joined(separator: "\n") + "\n")
        #expect(offset.status == 0, "\(offset.stdout)\n\(offset.stderr)")
        #expect(offset.lines.contains { $0.hasSuffix("left out") } && offset.stdout.contains("OUTLIER"), "\(offset.stdout)")
        let lastTable = offset.lines.split { $0.contains("person  skin") }.last ?? []
        let table = lastTable.filter { $0.range(of: #"^\s+\d+\s+\d+\.\d\d\s+\d+\.\d\d\s+[+-]\d+\.\d\d$"#, options: .regularExpression) != nil }
        #expect(table.count == 5, "\(offset.stdout)")
        let rows = table.map { $0.split(separator: " ").compactMap { Double($0) } }
        #expect(rows.map { $0[2] } == [37.0, 36.9, 37.2, 37.1, 36.8])
        let expected = rows.map { $0[2] - $0[1] }.reduce(0, +) / Double(max(rows.count, 1))
        let printed = try #require(offset.lines.last { $0.hasPrefix("offset ") })
        let fitted = try #require(Double(printed.split(separator: " ")[1]))
        #expect(abs(fitted - expected) < 0.006, "\(printed) vs \(expected)")
        #expect(offset.stdout.contains("not a reading between 34 and 43"))

        // The check reads a second disc of 40.0 °C through the calibrated reference.
        let recording = dir + "/check.cptv"
        try CPTVFile.write(thermalFrames: framesWithSecondDisc(secondC: 40.0, seconds: 4), deviceName: "test", startMicros: 0, to: recording)
        let pass = try await Self.ctl(
            ["calibrate", "check", "--config", config, "--recording", recording, "--reference-temp", "40.0", "--technician", "Minh", "--json"])
        #expect(pass.status == 0, "\(pass.stderr)")
        let passed = try Self.json(try #require(pass.lines.first))
        #expect(passed["passed"] as? Bool == true)
        #expect(abs(passed["error_c"] as? Double ?? 9) <= 0.05)
        let fail = try await Self.ctl(
            ["calibrate", "check", "--config", config, "--recording", recording, "--reference-temp", "40.6", "--technician", "Minh"])
        #expect(fail.status == 1)
        #expect(fail.stdout.contains("FAIL"))

        let history = try await Self.ctl(["calibrate", "history", "--config", config, "--json"])
        #expect(history.status == 0, "\(history.stderr)")
        let entries = try history.lines.map(Self.json)
        #expect(entries.map { $0["kind"] as? String } == ["reference", "pixels", "offset", "check", "check"])
        #expect(entries.map { $0["technician"] as? String } == ["Lan", "Lan", "Lan", "Minh", "Minh"])
        #expect(entries.allSatisfy { ($0["summary"] as? String)?.isEmpty == false && $0["at"] is String })

        // The service starts with the calibration in force.
        var logger = Logger(label: "calibration-test")
        logger.logLevel = .critical
        let appliance = try ApplianceConfig.load(path: config)
        let service = try CheckpointService(config: appliance, stateDirectory: dir + "/state", logger: logger)
        let screening = try #require(service.screening["lane-1"])
        #expect(screening.reference == .region(x: found["x"] as! Int, y: found["y"] as! Int, radius: found["radius"] as! Int))
        #expect(screening.offsetC == fitted)
    }

    @Test func mistakesGetOneClearLineAndNothingIsStored() async throws {
        let dir = temporaryDirectory()
        let config = dir + "/checkpoint.toml"
        try EndToEndTests.config(travellers: 5, speed: 20, state: dir + "/state").write(toFile: config, atomically: true, encoding: .utf8)
        let noLane = try await Self.ctl(["calibrate", "reference", "--config", config, "--lane", "lane-9", "--technician", "Lan"])
        #expect(noLane.status == 2)
        #expect(noLane.stderr.contains("no lane 'lane-9'") && noLane.stderr.contains("lane-1"))
        let noReference = try await Self.ctl(
            ["calibrate", "check", "--config", config, "--reference-temp", "40", "--technician", "Lan", "--recording", "/nonexistent.cptv"])
        #expect(noReference.status == 2, "\(noReference.stderr)")
        let garbage = dir + "/garbage.cptv"
        try Data("not a recording".utf8).write(to: URL(fileURLWithPath: garbage))
        let corrupt = try await Self.ctl(["camera", "pixels", "--config", config, "--recording", garbage, "--technician", "Lan"])
        #expect(corrupt.status == 2)
        #expect(corrupt.stderr.hasPrefix("error: \(garbage):"), "\(corrupt.stderr)")
        // A blank name, a second reference placed on the lane's own disc: refused before anything is read.
        let blank = try await Self.ctl(["calibrate", "reference", "--config", config, "--technician", " "])
        #expect(blank.status == 64 && blank.stderr == "error: --technician is blank: give your name, it is stored with the calibration\n", "\(blank.stderr)")
        let own = try await Self.ctl(["calibrate", "check", "--config", config, "--reference-temp", "35", "--region", "148,100,6", "--technician", "Lan"])
        #expect(own.status == 64 && own.stderr.contains("the lane's own reference"), "\(own.stderr)")
        // A lane whose camera is not there: exit 3, saying so, instead of waiting on it.
        let noCamera = dir + "/nocamera.toml"
        try "[checkpoint]\nstate_directory = \"\(dir)/state\"\n[[lane]]\nid = \"l\"\n[lane.camera]\nsource = \"v4l2\"\ndevice = \"/dev/video-none\"\n[lane.scanner]\nsource = \"none\"\n"
            .write(toFile: noCamera, atomically: true, encoding: .utf8)
        let absent = try await Self.ctl(["calibrate", "reference", "--config", noCamera, "--technician", "Lan"])
        #expect(absent.status == 3 && absent.stderr.contains("no frames from lane l's camera within 4 s"), "\(absent.stderr)")
        let store = try LaneStore(path: dir + "/state/passages.sqlite")
        #expect(try await store.calibrationHistory().isEmpty)
        // Nothing to revert yet.
        let revert = try await Self.ctl(["calibrate", "revert", "offset", "--config", config, "--technician", "Lan"])
        #expect(revert.status == 1 && revert.stderr.contains("no offset calibration to revert"), "\(revert.stderr)")
    }
}
