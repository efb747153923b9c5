import Foundation
import HeadlessBrowser
import Hummingbird
import Lane
import LaneFeed
@testable import LaneDisplay
import Logging
import NIOCore
import Screening
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport

/// The lane page in headless Chromium when it can no longer vouch for what it shows: the service stopped or went
/// silent, a verdict whose traveller has gone, paused screening, and glyphs no installed font has.
@Suite struct LanePageFailSafeTests {
    static let browserAvailable = HeadlessChromium.executable != nil
    static func wait(_ browser: HeadlessChromium, seconds: Double = 20, _ condition: String) -> Bool {
        PagesInBrowserTests.wait(browser, seconds: seconds, condition)
    }
    static let verdict = "document.getElementById('verdict').className"
    static let title = "document.getElementById('title').textContent"
    static let temp = "document.getElementById('temp').textContent"
    static let promptVi = "document.getElementById('prompt-vi').textContent"

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    static func measured(_ celsius: Double, verdict: Verdict, at: Date) -> LaneEvent {
        var event = LaneEvent(type: .measured, lane: "lane-1", t: 5)
        event.verdict = verdict
        event.temperatureC = celsius
        event.thresholdC = 37.5
        event.uncertaintyC = 0.3
        event.prompt = verdict == .normal ? .normal : .elevated
        event.at = iso(at)
        return event
    }

    @Test(.timeLimit(.minutes(10)), .enabled(if: browserAvailable, "needs chromium"))
    func aStoppedServiceLeavesNoVerdictOnTheScreen() async throws {
        try await inRealTimeSlot {
            let hub = LaneEventHub()
            let browser = try HeadlessChromium()
            defer { browser.quit() }
            let bound = Mutex<Int?>(nil)
            let app = LaneDisplayServer.makeApplication(
                lanes: LaneDisplayTests.lanes, hub: hub, host: "127.0.0.1", port: 0, logger: Logger(label: "test"),
                onRunning: { p in bound.withLock { $0 = p } })
            let group = ServiceGroup(services: [app], logger: Logger(label: "test"))
            let running = Task { try await group.run() }
            _ = await waitUntil(seconds: 60) { bound.withLock { $0 } != nil }
            let port = try #require(bound.withLock { $0 })
            // Before the first answer the page vouches for nothing.
            try await onOwnThread { try browser.load("http://127.0.0.1:\(port)/") }
            #expect(try await onOwnThread { Self.wait(browser, "document.getElementById('conn').textContent.includes('live')") })
            await hub.publish([Self.measured(36.6, verdict: .normal, at: Date())])
            #expect(try await onOwnThread { Self.wait(browser, "\(Self.verdict) === 'normal' && \(Self.temp) === '36.6 °C'") })
            await group.triggerGracefulShutdown()
            try await running.value
            let offline = try await onOwnThread {
                Self.wait(browser, "\(Self.verdict) === 'offline' && \(Self.title) === 'NGỪNG HOẠT ĐỘNG' && \(Self.temp) === ''")
            }
            #expect(offline, "the page shows 'out of service' and no temperature")
            let statuses = try await onOwnThread { try browser.evaluate("Array.from(document.querySelectorAll('#status div')).map((d) => d.textContent).join('|')") as? String }
            #expect(statuses?.contains("✔") == false, "no device is shown as working: \(statuses ?? "-")")
        }
    }

    /// A service that hangs keeps its socket open and sends nothing: the page notices the missing heartbeat.
    @Test(.timeLimit(.minutes(10)), .enabled(if: browserAvailable, "needs chromium"))
    func aSilentServiceTurnsThePageToOutOfService() async throws {
        try await inRealTimeSlot {
            let silenceOver = Atomic<Bool>(false)
            // The service speaks (heartbeats every second) until the test has seen the verdict, then falls silent: how
            // long the browser takes to load the page on a busy machine must not decide what the test sees.
            let silenceStarted = Atomic<Bool>(false)
            let lane = LaneDisplayTests.lanes[0]
            let router = Router()
            router.get("/") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: LanePage.html(lane: lane, eventsPath: "/events", thermalPath: "/thermal.bmp"))))
            }
            // One heartbeat and a normal verdict, then silence with the connection held open; the page's later
            // connections get nothing at all.
            let connections = Atomic<Int>(0)
            router.get("/events") { _, _ in
                let first = connections.add(1, ordering: .relaxed).oldValue == 0
                return Response(
                    status: .ok, headers: [.contentType: "text/event-stream"],
                    body: .init { writer in
                        var event = Self.measured(36.4, verdict: .normal, at: Date())
                        event.t = 1
                        let data = String(decoding: try JSONEncoder().encode(event), as: UTF8.self)
                        try await writer.write(ByteBuffer(string: first ? LaneDisplayServer.heartbeat() + "data: \(data)\n\n" : "retry: 1000\n\n"))
                        while first && !silenceStarted.load(ordering: .relaxed) && !silenceOver.load(ordering: .relaxed) {
                            try? await Task.sleep(for: .seconds(1))
                            try await writer.write(ByteBuffer(string: LaneDisplayServer.heartbeat()))
                        }
                        while !silenceOver.load(ordering: .relaxed) { try? await Task.sleep(for: .milliseconds(100)) }
                        try await writer.finish(nil)
                    })
            }
            try await LaneDisplayTests.withService({ onRunning in
                Application(
                    router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: Logger(label: "test"))
            }) { port in
                // The held stream ends with the test, passed or not.
                defer { silenceOver.store(true, ordering: .relaxed) }
                let browser = try HeadlessChromium()
                defer { browser.quit() }
                try await onOwnThread { try browser.load("http://127.0.0.1:\(port)/") }
                #expect(try await onOwnThread { Self.wait(browser, "\(Self.verdict) === 'normal'") }, "the verdict is shown while the service speaks")
                silenceStarted.store(true, ordering: .relaxed)
                #expect(try await onOwnThread { Self.wait(browser, "\(Self.verdict) === 'offline' && \(Self.temp) === ''") }, "silence turns the page to out of service")
            }
        }
    }

    /// A reload replays the lane's last events: a verdict whose traveller left half a minute ago is not shown
    /// again, a live one clears 4 s after its traveller leaves.
    @Test(.timeLimit(.minutes(10)), .enabled(if: browserAvailable, "needs chromium"))
    func aVerdictClearsWhenItsTravellerLeavesAlsoAfterAReload() async throws {
        try await inRealTimeSlot {
            let hub = LaneEventHub()
            let old = Date().addingTimeInterval(-40)
            var left = LaneEvent(type: .left, lane: "lane-1", t: 7)
            left.at = Self.iso(old.addingTimeInterval(2))
            left.prompt = .scanQR
            await hub.publish([Self.measured(38.4, verdict: .elevated, at: old), left])
            try await LaneDisplayTests.withServer(hub: hub) { port in
                let browser = try HeadlessChromium()
                defer { browser.quit() }
                try await onOwnThread { try browser.load("http://127.0.0.1:\(port)/") }
                #expect(try await onOwnThread { Self.wait(browser, "document.getElementById('conn').textContent.includes('live')") })
                // The replay has arrived (the hub sends it before anything else); give the page a moment to act on it.
                #expect(try await onOwnThread { Self.wait(browser, "window.laneArrivals.length >= 2") })
                try await Task.sleep(for: .milliseconds(500))
                let shown = try await onOwnThread { try browser.evaluate("\(Self.verdict) + ' ' + \(Self.temp)") as? String }
                #expect(shown == "idle ", "a verdict 40 s old is not on the screen: \(shown ?? "-")")

                await hub.publish([Self.measured(36.5, verdict: .normal, at: Date())])
                #expect(try await onOwnThread { Self.wait(browser, "\(Self.verdict) === 'normal'") })
                var gone = LaneEvent(type: .left, lane: "lane-1", t: 9)
                gone.at = Self.iso(Date())
                gone.prompt = .scanQR
                await hub.publish([gone])
                #expect(try await onOwnThread { Self.wait(browser, "\(Self.verdict) === 'idle' && \(Self.temp) === ''") }, "the verdict clears after its traveller left")
            }
        }
    }

    @Test(.timeLimit(.minutes(10)), .enabled(if: browserAvailable, "needs chromium"))
    func pausedScreeningSaysWhyAndKeepsAskingTravellersToWait() async throws {
        try await inRealTimeSlot {
            let hub = LaneEventHub()
            try await LaneDisplayTests.withServer(hub: hub) { port in
                let browser = try HeadlessChromium()
                defer { browser.quit() }
                try await onOwnThread { try browser.load("http://127.0.0.1:\(port)/") }
                #expect(try await onOwnThread { Self.wait(browser, "document.getElementById('conn').textContent.includes('live')") })
                var paused = LaneEvent(type: .paused, lane: "lane-1", t: 3)
                paused.reason = "reference-low-contrast"
                paused.prompt = .paused
                paused.referenceContrastC = 0.4
                paused.sceneC = 34.2
                await hub.publish([paused])
                #expect(try await onOwnThread {
                    Self.wait(browser, "\(Self.verdict) === 'paused' && document.getElementById('subtitle').textContent.includes('reference barely warmer')")
                })
                // A scan, a retry and a traveller leaving arrive with their own prompts: the traveller still waits.
                var scanned = LaneEvent(type: .scanned, lane: "lane-1", t: 4)
                scanned.prompt = .lookAtCamera
                var retry = LaneEvent(type: .retry, lane: "lane-1", t: 4.5)
                retry.reason = "too-far"
                retry.prompt = .retry(.tooFar)
                var left = LaneEvent(type: .left, lane: "lane-1", t: 5)
                left.prompt = .scanQR
                await hub.publish([scanned, retry, left])
                #expect(try await onOwnThread { Self.wait(browser, "window.laneArrivals.filter((a) => a.type === 'left').length === 1") })
                try await Task.sleep(for: .milliseconds(300))
                let state = try await onOwnThread { try browser.evaluate("\(Self.verdict) + '|' + \(Self.promptVi)") as? String }
                #expect(state == "paused|\(Prompt.paused.vi)", "\(state ?? "-")")
                let reference = try await onOwnThread { try browser.evaluate("document.getElementById('st-reference').textContent") as? String }
                #expect(reference?.contains("0.4 °C") == true && reference?.contains("34.2 °C") == true, "\(reference ?? "-")")
            }
        }
    }

    /// Each glyph is drawn into a canvas with the page's fonts and compared with a character no font has (which
    /// draws as the empty box): a glyph that draws the same is missing.
    @Test(.timeLimit(.minutes(10)), .enabled(if: browserAvailable, "needs chromium"))
    func everyGlyphOnThePageHasAFont() async throws {
        try await LaneDisplayTests.withServer(hub: LaneEventHub()) { port in
            let browser = try HeadlessChromium()
            defer { browser.quit() }
            try await onOwnThread { try browser.load("http://127.0.0.1:\(port)/") }
            #expect(try await onOwnThread { Self.wait(browser, "Array.isArray(window.laneGlyphs)") })
            let answer = try await onOwnThread {
                try browser.evaluate("""
                    (() => {
                      const c = document.createElement("canvas"); c.width = 80; c.height = 80;
                      const g = c.getContext("2d", { willReadFrequently: true });
                      const family = getComputedStyle(document.body).fontFamily;
                      const draw = (s) => {
                        g.clearRect(0, 0, 80, 80); g.font = "56px " + family; g.fillStyle = "#000"; g.textBaseline = "top";
                        g.fillText(s, 8, 8); return Array.from(g.getImageData(0, 0, 80, 80).data).join(",");
                      };
                      const none = draw("\\u{E000}");
                      const missing = window.laneGlyphs.filter((s) => [...s].some((ch) => draw(ch) === none));
                      return JSON.stringify({ count: window.laneGlyphs.length, missing: missing,
                        methodWorks: draw("\\u{E001}") === none && draw("A") !== none });
                    })()
                    """) as? String
            }
            let result = try #require(answer.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
            #expect(result["methodWorks"] as? Bool == true, "two characters no font has draw the same")
            #expect((result["count"] as? Int ?? 0) >= 8)
            #expect((result["missing"] as? [String]) == [], "glyphs without a font: \(result["missing"] ?? "-")")
        }
    }
}
