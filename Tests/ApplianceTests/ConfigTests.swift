import ConfigFile
import Appliance
import Declarations
import Devices
import Foundation
import LaneDisplay
import ScannerProtocols
import Screening
import Testing
import Thermal

@Suite struct ConfigTests {
    static let minimal = """
        [[lane]]
        id = "lane-1"
        [lane.camera]
        source = "simulated"
        """

    static func error(_ text: String) -> ConfigError? {
        do {
            _ = try ApplianceConfig.parse(text)
            return nil
        } catch { return error }
    }

    @Test func theInstallExampleIsValid() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/checkpoint.toml").path
        let config = try ApplianceConfig.load(path: path)
        #expect(config.lanes[0].scanners.count == 2)
    }

    @Test func theDemoConfigurationIsValid() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/demo.toml").path
        let config = try ApplianceConfig.load(path: path)
        #expect(config.lanes.count == 1)
        #expect(config.lanes[0].id == "lane-1")
        #expect(config.lanes[0].screening.thresholdC == 37.5)
        #expect(config.lanes[0].screening.reference == .region(x: 148, y: 100, radius: 6))
        #expect(config.displayPort == 8080 && config.displayHost == "127.0.0.1")
    }

    @Test func aMisspelledKeyIsNamedWithItsLine() {
        let e = Self.error(Self.minimal + "\n[lane.screening]\nthreshhold_c = 37.5\n")
        #expect(e?.description == "lane[1].screening.threshhold_c (line 6): is not a known setting (check the spelling against docs/config.md)")
    }

    @Test func aThresholdOutsideTheStandardRangeIsRefused() {
        let e = Self.error(Self.minimal + "\n[lane.screening]\nthreshold_c = 41.0\n")
        #expect(e?.key == "lane[1].screening.threshold_c")
        #expect(e?.line == 6)
        #expect(e?.message == "41.0 is outside 34.0–39.0")
        #expect(Self.error(Self.minimal + "\n[lane.screening]\nthreshold_c = 37.55\n")?.message == "37.55 is not a multiple of 0.1")
    }

    @Test func aWrongTypeIsRefused() {
        #expect(Self.error(Self.minimal + "\n[display]\nport = \"8080\"\n")?.description == "display.port (line 6): must be a whole number")
        #expect(Self.error(Self.minimal + "\nspeed = fast\n")?.description.contains("is not a value (strings need quotes)") == true)
    }

    @Test func structuralMistakesAreRefused() {
        #expect(Self.error("")?.description == "lane: at least one [[lane]] is required")
        #expect(Self.error("[[lane]]\nid = \"a\"\n")?.description == "lane[1].camera: every lane needs a [lane.camera] table")
        #expect(Self.error(Self.minimal + "\n[[lane]]\nid = \"lane-1\"\n[lane.camera]\n")?.description.contains("is used by another lane") == true)
        #expect(Self.error("[lane\n")?.description == "line 1: a table header must end with ]")
        #expect(Self.error("a = 1\na = 2\n")?.description == "line 2: key 'a' is defined twice")
        #expect(Self.error("[[lane]]\nid = \"l\"\nmode = \"fastest\"\n[lane.camera]\n")?.description == "lane[1].mode (line 3): 'fastest' is not one of: scan-first, measure-first")
    }

    @Test func severalLanesAndURLPatternsAreRead() throws {
        let text = Self.minimal + """

            [[lane]]  # the second lane
            id = "lane-2"
            name = "Làn 2 # xe tải"
            [lane.camera]
            source = "simulated"
            [lane.screening]
            reference = "none"
            threshold_c = 38.0
            [[declarations.url]]
            host = "khaibao.angiang.gov.vn"
            id = "query:ma"
            """
        let config = try ApplianceConfig.parse(text)
        #expect(config.lanes.map(\.id) == ["lane-1", "lane-2"])
        #expect(config.lanes[1].name == "Làn 2 # xe tải")
        #expect(config.lanes[1].screening.reference == .none)
        #expect(config.lanes[1].screening.thresholdC == 38.0)
        #expect(config.urlPatterns.last?.host == "khaibao.angiang.gov.vn")
    }

    @Test func systemdStateDirectoryWins() throws {
        let config = try ApplianceConfig.parse(Self.minimal)
        #expect(CheckpointService.stateDirectory(config: config, environment: ["STATE_DIRECTORY": "/var/lib/cl:/x"]) == "/var/lib/cl")
        #expect(CheckpointService.stateDirectory(config: config, environment: [:]) == "/var/lib/checkpoint-lane")
    }
}

@Suite struct CameraConfigTests {
    @Test func aV4L2CameraIsChosenByIdentityAndTurnedUpright() throws {
        let config = try ApplianceConfig.parse("""
            [[lane]]
            id = "l"
            [lane.camera]
            source = "v4l2"
            usb_id = "1e4e:0100"
            serial = "801f0024"
            rotation = 90
            [lane.scanner]
            source = "none"
            """)
        guard case .v4l2(let v) = config.lanes[0].camera else {
            Issue.record("not a v4l2 camera")
            return
        }
        #expect(v.selector == CameraSelector(usbID: "1e4e:0100", serial: "801f0024"))
        #expect(v.orientation.rotation == 90 && v.profile == nil)
    }

    @Test func cameraMistakesNameTheirKey() {
        func error(_ camera: String, scanner: String = "none") -> String? {
            do {
                _ = try ApplianceConfig.parse("[[lane]]\nid = \"l\"\n[lane.camera]\n\(camera)\n[lane.scanner]\nsource = \"\(scanner)\"\n")
                return nil
            } catch { return error.description }
        }
        #expect(error("source = \"v4l2\"\nrotation = 45") == "lane[1].camera.rotation (line 5): must be 0, 90, 180 or 270 (degrees clockwise)")
        #expect(error("source = \"v4l2\"\nusb_id = \"lepton\"") == "lane[1].camera.usb_id (line 5): 'lepton' is not VID:PID in hex, like 1e4e:0100")
        #expect(error("source = \"replay\"") == "lane[1].camera.file: is required")
        #expect(error("source = \"v4l2\"\ntravellers = 3")?.contains("lane[1].camera.travellers (line 5): is not a known setting") == true)
        #expect(error("source = \"v4l2\"", scanner: "simulated") == "lane[1].scanner.source (line 6): a simulated scanner needs a simulated camera on the same lane (use \"usb\", \"serial\" or \"none\")")
    }
}

@Suite struct ScannerConfigTests {
    static func lane(_ scanners: String) throws(ConfigError) -> ApplianceConfig.LaneConfig {
        try ApplianceConfig.parse("[[lane]]\nid = \"l\"\n[lane.camera]\nsource = \"v4l2\"\n\(scanners)").lanes[0]
    }

    @Test func severalScannersPerLane() throws {
        let lane = try Self.lane(
            """
            [[lane.scanner]]
            source = "usb"
            usb_id = "0C2E:0B61"
            serial = "17011B0A"
            layout = "de"
            suffix = "none"
            gap_ms = 80
            [[lane.scanner]]
            source = "serial"
            device = "/dev/checkpoint/scanner-serial-A1"
            baud = 115200
            suffix = "lf"
            """)
        #expect(lane.scanners.count == 2)
        guard case .usb(let selector, let framing) = lane.scanners[0], case .serial(let path, let baud, let serialFraming) = lane.scanners[1]
        else {
            Issue.record("expected a usb and a serial scanner")
            return
        }
        #expect(selector == ScannerSelector(usbID: "0c2e:0b61", serial: "17011B0A"))
        #expect(framing == ScanFraming(layout: .de, suffix: .none, gapSeconds: 0.08))
        #expect(path == "/dev/checkpoint/scanner-serial-A1" && baud == 115200 && serialFraming.suffix == .lf)
    }

    @Test func scannerMistakesNameTheirKey() {
        func error(_ table: String) -> String? {
            do {
                _ = try Self.lane("[lane.scanner]\n" + table)
                return nil
            } catch { return error.description }
        }
        #expect(error("source = \"usb\"\nusb_id = \"honeywell\"") == "lane[1].scanner.usb_id (line 7): 'honeywell' is not VID:PID in hex, like 0c2e:0b61")
        #expect(error("source = \"usb\"\nlayout = \"vn\"") == "lane[1].scanner.layout (line 7): 'vn' is not one of: us, uk, de, fr")
        #expect(error("source = \"serial\"") == "lane[1].scanner.device: is required")
        #expect(error("source = \"serial\"\ndevice = \"/dev/ttyACM0\"\nbaud = 14400") == "lane[1].scanner.baud (line 8): 14400 is not one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200")
        #expect(error("source = \"usb\"\nsufix = \"enter\"")?.hasPrefix("lane[1].scanner.sufix (line 7): is not a known setting") == true)
        #expect(error("source = \"hidraw\"")?.hasPrefix("lane[1].scanner.source (line 6): 'hidraw' is not one of: simulated, usb, serial, none") == true)
    }
}

@Suite struct RelativeModeConfigTests {
    @Test func relativeModeIsOffByDefaultAndReadsItsKeys() throws {
        let plain = try ApplianceConfig.parse("[[lane]]\nid = \"l\"\n[lane.camera]\nsource = \"v4l2\"\n[lane.screening]\nthreshold_c = 37.5\n")
        #expect(plain.lanes[0].screening.relative == nil)
        let relative = try ApplianceConfig.parse(
            "[[lane]]\nid = \"l\"\n[lane.camera]\nsource = \"v4l2\"\n[lane.screening]\nrelative_mode = true\nrelative_readings = 20\nrelative_deviation_c = 0.8\n")
        #expect(relative.lanes[0].screening.relative == RelativeThreshold(readings: 20, deviationC: 0.8))
        let wide = ConfigTests.error("[[lane]]\nid = \"l\"\n[lane.camera]\nsource = \"v4l2\"\n[lane.screening]\nrelative_mode = true\nrelative_deviation_c = 5\n")
        #expect(wide?.key.hasSuffix("screening.relative_deviation_c") == true, "\(String(describing: wide))")
    }
}

@Suite struct SupervisorAndSpeakerConfigTests {
    @Test func theSupervisorTokenComesFromItsFileAndMustBeLongEnough() throws {
        let dir = temporaryDirectoryForConfig()
        try "  0123456789abcdef0123\n".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        let config = try ApplianceConfig.parse(ConfigTests.minimal + "\n[supervisor]\ntoken_file = \"\(dir)/token\"\n")
        #expect(config.supervisor?.token == "0123456789abcdef0123" && config.supervisor?.host == "127.0.0.1" && config.supervisor?.port == 8081)
        #expect(config.supervisor?.tls == nil)
        // Beyond this machine the token would cross the LAN in clear text: only with a certificate and key.
        let lan = ConfigTests.error(ConfigTests.minimal + "\n[supervisor]\nlisten = \"0.0.0.0\"\ntoken_file = \"\(dir)/token\"\n")
        #expect(lan?.key == "supervisor.listen" && lan?.message.contains("clear text") == true && lan?.message.contains("ssh -L 8081:127.0.0.1:8081") == true, "\(String(describing: lan))")
        try "PEM".write(toFile: dir + "/page.pem", atomically: true, encoding: .utf8)
        let https = try ApplianceConfig.parse(
            ConfigTests.minimal + "\n[supervisor]\nlisten = \"0.0.0.0\"\ntoken_file = \"\(dir)/token\"\ncertificate = \"\(dir)/page.pem\"\nkey = \"\(dir)/page.pem\"\n")
        #expect(https.supervisor?.tls?.certificate == dir + "/page.pem" && https.supervisor?.host == "0.0.0.0")
        let half = ConfigTests.error(ConfigTests.minimal + "\n[supervisor]\ntoken_file = \"\(dir)/token\"\ncertificate = \"\(dir)/page.pem\"\n")
        #expect(half?.key == "supervisor.key", "\(String(describing: half))")
        #expect(try ApplianceConfig.parse(ConfigTests.minimal).supervisor == nil)
        let short = ConfigTests.error(ConfigTests.minimal + "\n[supervisor]\ntoken = \"letmein\"\n")
        #expect(short?.description.contains("at least 16 printable characters") == true, "\(String(describing: short))")
        let missing = ConfigTests.error(ConfigTests.minimal + "\n[supervisor]\ntoken_file = \"\(dir)/nope\"\n")
        #expect(missing?.description.hasPrefix("supervisor.token_file") == true, "\(String(describing: missing))")
        #expect(ConfigTests.error(ConfigTests.minimal + "\n[supervisor]\nport = 8081\n") != nil, "a supervisor page needs a token")
    }

    @Test func aLaneSpeaksOnTheDefaultDeviceUnlessToldOtherwise() throws {
        let plain = try ApplianceConfig.parse(ConfigTests.minimal)
        #expect(plain.lanes[0].speaker.device == "default" && plain.lanes[0].speaker.volume == 0.8 && !plain.lanes[0].speaker.english)
        #expect(plain.lanes[0].speaker.prompts == "/usr/share/checkpoint-lane/prompts")
        let silent = try ApplianceConfig.parse(ConfigTests.minimal + "\n[lane.speaker]\ndevice = \"none\"\n")
        #expect(silent.lanes[0].speaker.device == nil)
        let loud = ConfigTests.error(ConfigTests.minimal + "\n[lane.speaker]\nvolume = 1.5\n")
        #expect(loud?.description.contains("lane[1].speaker.volume") == true, "\(String(describing: loud))")
        #expect(ConfigTests.error(ConfigTests.minimal + "\n[lane.speaker]\nvolum = 0.5\n")?.description.contains("not a known setting") == true)
    }
}

func temporaryDirectoryForConfig() -> String {
    let path = NSTemporaryDirectory() + "checkpoint-config-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// What a technician at a new lane types and saves: a sideways camera, a disc's place from another rotation,
/// a file saved on Windows, two listeners on one port.
@Suite struct FieldConfigTests {
    static func lane(_ camera: String, screening: String? = nil) -> String {
        "[[lane]]\nid = \"l\"\n[lane.camera]\n\(camera)\n[lane.scanner]\nsource = \"none\"\n" + (screening.map { "[lane.screening]\n\($0)\n" } ?? "")
    }

    @Test func aDiscPlacedOutsideTheTurnedImageIsRefusedWithTheImagesSize() {
        // A Lepton turned sideways delivers 120×160: x = 148 is outside it.
        let sideways = "source = \"v4l2\"\nusb_id = \"1e4e:0100\"\nprofile = \"lepton\"\nrotation = 90"
        let e = ConfigTests.error(Self.lane(sideways, screening: "reference = \"region\"\nreference_x = 148\nreference_y = 100"))
        #expect(e?.key == "lane[1].screening.reference_x")
        #expect(e?.message == "(148, 100) is outside the camera's 120×160 image (after rotation = 90): x must be 0–119 and y 0–159", "\(e?.description ?? "accepted")")
        // The same place on the upright camera is fine, and so is a turned one where it fits.
        #expect(ConfigTests.error(Self.lane("source = \"v4l2\"\nprofile = \"lepton\"", screening: "reference = \"region\"\nreference_x = 148\nreference_y = 100")) == nil)
        #expect(ConfigTests.error(Self.lane(sideways, screening: "reference = \"region\"\nreference_x = 100\nreference_y = 148")) == nil)
        // The simulator's image is 160×120.
        #expect(ConfigTests.error(Self.lane("source = \"simulated\"", screening: "reference_y = 130"))?.key == "lane[1].screening.reference_y")
    }

    /// A replayed recording's size is read from its header: the same refusal, with the turned recording's size.
    @Test func aDiscOutsideATurnedRecordingIsRefused() throws {
        let dir = temporaryDirectoryForConfig()
        var simulator = SceneSimulator(travellers: [])
        var frames: [ThermalFrame] = []
        for i in 0..<3 { frames.append(simulator.frame(at: Double(i) / 8.77, sequence: UInt64(i))) }
        try CPTVFile.write(thermalFrames: frames, deviceName: "test", startMicros: 0, to: dir + "/r.cptv")
        let text = Self.lane("source = \"replay\"\nfile = \"\(dir)/r.cptv\"\nrotation = 90", screening: "reference = \"region\"\nreference_x = 148\nreference_y = 100")
        try text.write(toFile: dir + "/sideways.toml", atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try ApplianceConfig.load(path: dir + "/sideways.toml") }
        do { _ = try ApplianceConfig.load(path: dir + "/sideways.toml") } catch {
            let refusal = error as? ConfigError
            #expect(refusal?.key == "lane[1].screening.reference_x" && refusal?.message.contains("outside the recording's 120×160 image (after rotation = 90)") == true, "\(error)")
        }
        try text.replacingOccurrences(of: "rotation = 90", with: "rotation = 0").write(toFile: dir + "/upright.toml", atomically: true, encoding: .utf8)
        #expect(try ApplianceConfig.load(path: dir + "/upright.toml").lanes.count == 1)
    }

    @Test func aRealCameraNeverInheritsTheSimulatorsDisc() throws {
        // No [lane.screening]: the engine finds the disc itself.
        let auto = try ApplianceConfig.parse(Self.lane("source = \"v4l2\"\nusb_id = \"1e4e:0100\""))
        #expect(auto.lanes[0].screening.reference == .auto)
        // A region needs its place.
        let e = ConfigTests.error(Self.lane("source = \"v4l2\"", screening: "reference = \"region\"\nreference_y = 100"))
        #expect(e?.key == "lane[1].screening.reference_x" && e?.message.contains("is required") == true, "\(e?.description ?? "accepted")")
        // The simulated camera's disc is where the simulator draws it.
        let simulated = try ApplianceConfig.parse(ConfigTests.minimal)
        #expect(simulated.lanes[0].screening.reference == .region(x: 148, y: 100, radius: 6))
    }

    @Test func aFileSavedOnWindowsIsReadLikeAnyOther() throws {
        let text = "[checkpoint]\nname = \"Chốt A\"\n" + ConfigTests.minimal + "\n[lane.screening]\nthreshold_c = 37.8\n"
        let windows = "\u{FEFF}" + text.replacingOccurrences(of: "\n", with: "\r\n")
        let config = try ApplianceConfig.parse(windows)
        #expect(config.checkpointName == "Chốt A" && config.lanes[0].screening.thresholdC == 37.8)
        // Mistakes keep their line numbers.
        let e = ConfigTests.error("\u{FEFF}" + (ConfigTests.minimal + "\n[lane.screening]\nthreshhold_c = 37.5\n").replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(e?.line == 6 && e?.key == "lane[1].screening.threshhold_c", "\(e?.description ?? "accepted")")
    }

    @Test func theLanePageAndTheSupervisorNeedTwoPorts() {
        let e = ConfigTests.error(ConfigTests.minimal + "\n[display]\nport = 8090\n[supervisor]\nport = 8090\ntoken = \"0123456789abcdef0123\"\n")
        #expect(e?.key == "supervisor.port" && e?.message.contains("8090 is also the lane page's port") == true, "\(e?.description ?? "accepted")")
    }
}
