import Foundation
import Testing
import TestSupport

/// The unmodified libusb code path of `checkpointctl scanner …` against scanners emulated by umockdev (Debian
/// package `umockdev`, installed by `make deps`): a hand-written device description per scanner and a usbmon
/// capture replayed in order (`Tests/Fixtures/umockdev/gen.py` writes both). umockdev cannot report a bound kernel
/// driver, so the detach/re-attach path is covered by the hardware lab, not here.
@Suite(.serialized) struct UmockdevScannerTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/umockdev").path
    static let usb1 = "/sys/devices/pci0000:00/0000:00:14.0/usb1"

    typealias Run = ToolRun

    /// Runs checkpointctl under umockdev-run with the given emulated scanners ("wedge", "pos").
    static func checkpointctl(_ arguments: [String], devices: [String]) async throws -> Run {
        let binary = try #require(builtProduct("checkpointctl"), "checkpointctl was not built")
        let umockdev = try #require(
            ["/usr/bin/umockdev-run", "/usr/local/bin/umockdev-run"].first(where: FileManager.default.isExecutableFile),
            "umockdev-run is missing: `make deps` installs the umockdev package")
        var umockdevArguments: [String] = []
        for device in devices {
            let port = device == "wedge" ? "1-1" : "1-2"
            umockdevArguments += ["-d", "\(fixtures)/\(device).umockdev", "-p", "\(usb1)/\(port)=\(fixtures)/\(device).pcap"]
        }
        return try await runTool(umockdev, umockdevArguments + ["--", binary] + arguments, seconds: 60)
    }

    static func objects(_ run: Run) throws -> [[String: Any]] {
        try run.lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not JSON: \($0)") }
    }

    @Test func keyboardWedgeScansArriveDecoded() async throws {
        let run = try await Self.checkpointctl(
            ["scanner", "test", "--device", "0c2e:0b61", "--count", "2", "--timeout", "20", "--json"], devices: ["wedge"])
        #expect(run.status == 0, "\(run.stderr)")
        let scans = try Self.objects(run)
        #expect(scans.map { $0["payload"] as? String } == ["079203001234|Nguyen Van An", "HC1:QR-42"])
        #expect(scans.allSatisfy { $0["transport"] as? String == "keyboard" && $0["symbology"] is NSNull })
        #expect(scans.map { $0["bytes"] as? Int } == [26, 9])
        #expect(scans.first?["device"] as? String == "0c2e:0b61@1-1")
    }

    @Test func hidPOSScansKeepVietnameseTextAndTheAIMIdentifier() async throws {
        // No --device: the first scanner from a known vendor; the report descriptor says it is HID POS.
        let run = try await Self.checkpointctl(["scanner", "test", "--count", "2", "--timeout", "20", "--json"], devices: ["pos"])
        #expect(run.status == 0, "\(run.stderr)")
        let scans = try Self.objects(run)
        #expect(
            scans.map { $0["payload"] as? String } == [
                "079203001234||Nguyễn Văn An|15081992|Nam|Số 12 Phố Huế, Hai Bà Trưng, Hà Nội|20042021",
                "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH",
            ])
        #expect(scans.allSatisfy { $0["transport"] as? String == "hid-pos" && $0["symbology"] as? String == "]Q1" })
        #expect(scans.first?["bytes"] as? Int == 99)
    }

    /// Too few scans is a test not passed: exit 1, as the exit-code table has it.
    @Test func timeoutBeforeEnoughScansExitsOne() async throws {
        let run = try await Self.checkpointctl(
            ["scanner", "test", "--device", "0c2e:0b61", "--count", "3", "--timeout", "15"], devices: ["wedge"])
        // The recording holds two scans; 15 s is ample for them on a busy machine (3 s was not always).
        #expect(run.status == 1)
        #expect(run.lines.count == 2)  // the two scans that did arrive are still printed
        #expect(run.stderr.contains("error: timed out after 15.0 s with 2 of 3 scan(s)"), "\(run.stderr)")
    }

    @Test func listShowsBothScannersAndWhichTheConfigurationSelects() async throws {
        let dir = temporaryDirectory("scanner-list")
        try """
            [[lane]]
            id = "lane-1"
            [lane.camera]
            source = "v4l2"
            [lane.scanner]
            source = "usb"
            usb_id = "0c2e:0b61"
            """.write(toFile: dir + "/c.toml", atomically: true, encoding: .utf8)
        let run = try await Self.checkpointctl(["scanner", "list", "--json", "--config", dir + "/c.toml"], devices: ["wedge", "pos"])
        #expect(run.status == 0, "\(run.stderr)")
        let list = try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: list.compactMap { e in (e["usb_id"] as? String).map { ($0, e) } })
        #expect(byID["0c2e:0b61"]?["transport"] as? String == "keyboard")
        #expect(byID["0c2e:0b61"]?["selected"] as? Bool == true)
        #expect(byID["0c2e:0b61"]?["lane"] as? String == "lane-1")
        #expect(byID["0c2e:0b61"]?["product"] as? String == "Lane Test Wedge Scanner")
        #expect(byID["0c2e:0b6a"]?["selected"] as? Bool == false)
        #expect(byID["0c2e:0b6a"]?["serial"] as? String == "POS0001")
        #expect(byID["0c2e:0b6a"]?["device"] as? String == "/dev/bus/usb/001/003")
    }

    /// No scanner is exit 3, like no camera.
    @Test func noScannerPresentExitsThreeWithAClearLine() async throws {
        let run = try await Self.checkpointctl(["scanner", "test", "--device", "0c2e:0b61", "--timeout", "2"], devices: [])
        #expect(run.status == 3)
        #expect(run.stderr.contains("error: no scanner found matching 0c2e:0b61"))
    }
}
