import Appliance
import Foundation
import PageLatency
import HeadlessBrowser
import Testing
import TestSupport

/// The lane page in a real browser (Debian's headless Chromium) served by the real `checkpointd` on simulated
/// devices: each verdict state is caught as it happens, its rendered text and colours are checked, and a
/// screenshot is kept in `.build/test-artifacts/` for people to look at.
@Suite struct LanePageBrowserTests {
    /// What the page shows at one moment, read from the DOM and the computed styles.
    struct Shown: Decodable {
        var state: String
        var icon: String
        var title: String
        var subtitle: String
        var temp: String
        var promptVi: String
        var background: String
        var colour: String
        var camera: String
        var thermalWidth: Int
        var referenceRings: Int
        var siteMarks: Int
    }

    static let probe = """
        (() => {
          const v = document.getElementById("verdict"), css = getComputedStyle(v), img = document.getElementById("frame");
          return JSON.stringify({ state: v.className, icon: document.getElementById("icon").textContent,
            title: document.getElementById("title").textContent, subtitle: document.getElementById("subtitle").textContent,
            temp: document.getElementById("temp").textContent, promptVi: document.getElementById("prompt-vi").textContent,
            background: css.backgroundColor, colour: css.color, camera: document.getElementById("st-camera").className,
            thermalWidth: img.hidden ? 0 : img.naturalWidth,
            referenceRings: document.querySelectorAll("#marks circle").length,
            siteMarks: document.querySelectorAll("#marks line").length });
        })()
        """

    static var artefacts: String { FileManager.default.currentDirectoryPath + "/.build/test-artifacts" }

    @Test(.timeLimit(.minutes(10)), .enabled(if: HeadlessChromium.executable != nil, "needs chromium (make test installs it)"))
    func normalElevatedAndRetryAreShownInWordsColoursAndIcons() async throws {
        try await inRealTimeSlot {
            let binary = try #require(builtProduct("checkpointd"), "checkpointd was not built")
            let dir = temporaryDirectory()
            try """
                [checkpoint]
                state_directory = "\(dir)/state"
                [display]
                port = 0
                [[lane]]
                id = "lane-1"
                name = "Làn 1 / Lane 1"
                [lane.camera]
                source = "simulated"
                travellers = 500
                fever_share = 0.4
                glasses_share = 0.5
                seed = 11
                speed = 3
                [lane.scanner]
                source = "simulated"
                [lane.speaker]
                device = "none"
                """.write(toFile: dir + "/lane.toml", atomically: true, encoding: .utf8)
            let (process, log) = try startDaemon(binary, ["--config", dir + "/lane.toml"])
            defer { if process.isRunning { process.terminate() } }
            #expect(await waitUntil(seconds: 30) { log.port != nil }, "log:\n\(log.text)")
            let port = try #require(log.port)
            try FileManager.default.createDirectory(atPath: Self.artefacts, withIntermediateDirectories: true)

            let seen = try await onOwnThread { () throws -> [String: Shown] in
                let browser = try HeadlessChromium(width: 1280, height: 720)
                defer { browser.quit() }
                try browser.load("http://127.0.0.1:\(port)/")
                // The first thermal frame, then the states.
                let imageBy = Date().addingTimeInterval(20)
                while (try? browser.evaluate("!document.getElementById('frame').hidden")) as? Bool != true && Date() < imageBy { usleep(100_000) }
                var seen: [String: Shown] = [:]
                let deadline = Date().addingTimeInterval(150)
                while seen.count < 3 && Date() < deadline {
                    usleep(100_000)
                    guard let json = try browser.evaluate(Self.probe) as? String,
                        let shown = try? JSONDecoder().decode(Shown.self, from: Data(json.utf8)),
                        ["normal", "elevated", "retry"].contains(shown.state), seen[shown.state] == nil
                    else { continue }
                    let png = try browser.screenshot()
                    // Keep the picture only if the state did not change while it was taken.
                    guard let again = try browser.evaluate(Self.probe) as? String,
                        (try? JSONDecoder().decode(Shown.self, from: Data(again.utf8)))?.state == shown.state
                    else { continue }
                    try png.write(to: URL(fileURLWithPath: "\(Self.artefacts)/lane-page-\(shown.state).png"))
                    seen[shown.state] = shown
                }
                return seen
            }
            #expect(Set(seen.keys) == ["normal", "elevated", "retry"], "states seen: \(seen.keys.sorted()); log:\n\(log.text.suffix(2000))")

            if let normal = seen["normal"] {
                #expect(normal.background == "rgb(11, 122, 40)" && normal.colour == "rgb(255, 255, 255)")
                #expect(normal.icon == "✔" && normal.title == "BÌNH THƯỜNG" && normal.subtitle.contains("NORMAL"))
                let t = try #require(Self.celsius(normal.temp), "temperature shown: '\(normal.temp)'")
                #expect(t < 37.5 && t > 34, "normal shows \(t)")
                #expect(normal.siteMarks == 4, "the measurement site is marked")
            }
            if let elevated = seen["elevated"] {
                #expect(elevated.background == "rgb(196, 0, 0)" && elevated.colour == "rgb(255, 255, 255)")
                #expect(elevated.icon == "⚠" && elevated.title == "NHIỆT ĐỘ CAO" && elevated.subtitle.contains("SECONDARY CHECK"))
                let t = try #require(Self.celsius(elevated.temp), "temperature shown: '\(elevated.temp)'")
                #expect(t >= 37.5, "elevated shows \(t)")
                #expect(elevated.promptVi.contains("kiểm tra lại"))
            }
            if let retry = seen["retry"] {
                #expect(retry.background == "rgb(255, 180, 0)" && retry.colour == "rgb(0, 0, 0)")
                #expect(retry.icon == "↻" && retry.title == "ĐO LẠI")
                #expect(retry.subtitle.contains("·") && retry.subtitle != "RETRY", "the reason is given in words: '\(retry.subtitle)'")
                #expect(retry.temp.isEmpty, "no stale temperature on a retry")
                #expect(!retry.promptVi.isEmpty)
            }
            for shown in seen.values {
                #expect(Self.contrast(shown.colour, shown.background) >= 4.5, "\(shown.state): text contrast \(Self.contrast(shown.colour, shown.background))")
                #expect(shown.camera == "ok", "\(shown.state): camera status \(shown.camera)")
                #expect(shown.thermalWidth == 160 && shown.referenceRings == 1, "\(shown.state): thermal view \(shown.thermalWidth) px, \(shown.referenceRings) ring")
            }
        }
    }

    /// The latency probe of `make bench` on a short run: every verdict reaches the page, after it was sent.
    /// (How fast is the benchmark's business, not a test's.)
    @Test(.timeLimit(.minutes(10)), .enabled(if: HeadlessChromium.executable != nil, "needs chromium"))
    func everyVerdictReachesThePageInTheBrowser() async throws {
        let latencies = try await inRealTimeSlot { try await PageLatency.measure(count: 20, interval: .milliseconds(20)) }
        #expect(latencies.count == 20)
        #expect(latencies.allSatisfy { $0 > 0 }, "an arrival before its sending: \(latencies)")
    }

    static func celsius(_ text: String) -> Double? {
        guard text.hasSuffix(" °C") else { return nil }
        return Double(text.dropLast(3))
    }

    /// WCAG contrast ratio of two `rgb(r, g, b)` colours (4.5 is the minimum for normal text).
    static func contrast(_ a: String, _ b: String) -> Double {
        func luminance(_ css: String) -> Double {
            let parts = css.drop { !$0.isNumber }.split { !$0.isNumber }.prefix(3).compactMap { Double($0) }
            guard parts.count == 3 else { return 0 }
            let linear = parts.map { c -> Double in
                let s = c / 255
                return s <= 0.03928 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
            }
            return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        }
        let (l1, l2) = (luminance(a), luminance(b))
        return (max(l1, l2) + 0.05) / (min(l1, l2) + 0.05)
    }
}
