import Foundation
import HeadlessBrowser
import Lane
import LaneFeed
import LaneDisplay
import Logging
import Screening
import ServiceLifecycle
import Store
import Synchronization
import Testing
import TestSupport

/// The pages' own JavaScript in Debian's headless Chromium: the supervisor's login, alarm acknowledgement and
/// chart; the lane page reconnecting after the service restarts.
@Suite struct PagesInBrowserTests {
    static var artefacts: String { FileManager.default.currentDirectoryPath + "/.build/test-artifacts" }

    /// Polls a JavaScript condition in the page (blocking; call from `onOwnThread`).
    static func wait(_ browser: HeadlessChromium, seconds: Double = 20, _ condition: String) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? browser.evaluate(condition)) as? Bool == true { return true }
            usleep(100_000)
        }
        return false
    }

    @Test(.timeLimit(.minutes(10)), .enabled(if: HeadlessChromium.executable != nil, "needs chromium"))
    func theSupervisorLogsInAndRecordsTheClinicalReadingOfAnAlarm() async throws {
        let store = try LaneStore()
        let id = try await store.commit(SupervisorTests.passageStep(celsius: 38.6, verdict: .elevated), at: Date())[0].passageID!
        _ = try await store.commit(SupervisorTests.passageStep(celsius: 36.4, verdict: .normal), at: Date())
        try await SupervisorTests.withSupervisor(store: store) { port in
            let steps = try await onOwnThread { () throws -> [String: Bool] in
                let browser = try HeadlessChromium(width: 1280, height: 900)
                defer { browser.quit() }
                try browser.load("http://127.0.0.1:\(port)/supervisor")
                var steps: [String: Bool] = [:]
                steps["asks for the token"] = Self.wait(browser, "!document.getElementById('login').hidden")
                _ = try browser.evaluate("document.getElementById('token').value = 'wrong-token-wrong-token'; document.getElementById('login-form').requestSubmit(); true")
                steps["refuses a wrong token"] = Self.wait(browser, "document.getElementById('login-error').textContent.includes('wrong token')")
                _ = try browser.evaluate("document.getElementById('token').value = '\(SupervisorTests.token)'; document.getElementById('login-form').requestSubmit(); true")
                steps["lists the alarm"] = Self.wait(browser, "document.querySelectorAll('#alarms tr').length === 1 && document.querySelector('#alarms tr').textContent.includes('38.6')")
                steps["lists recent passages"] = Self.wait(browser, "document.querySelectorAll('#recent tr').length === 2")
                steps["draws the chart"] = Self.wait(browser, "document.querySelectorAll('#chart svg rect.bar').length >= 2")
                try? browser.screenshot().write(to: URL(fileURLWithPath: Self.artefacts + "/supervisor-alarm.png"))
                _ = try browser.evaluate("""
                    document.querySelector('#alarms .clinical').value = '37,9';
                    document.querySelector('#alarms .staff').value = 'NVB';
                    document.querySelector('#alarms button').click(); true
                    """)
                steps["the alarm leaves the list"] = Self.wait(browser, "document.querySelectorAll('#alarms tr').length === 0 && document.querySelectorAll('#checks tr').length === 1")
                return steps
            }
            for (step, passed) in steps.sorted(by: { $0.key < $1.key }) { #expect(passed, "supervisor page: \(step)") }
            #expect(steps.count == 6)
            let checks = try await store.recentSecondaryChecks(limit: 5)
            #expect(checks.count == 1 && checks[0].passageID == id && checks[0].clinicalC == 37.9, "a decimal comma is read as a point")
        }
    }

    // The limit covers waiting for the real-time slot, which the other browser tests hold for minutes.
    @Test(.timeLimit(.minutes(10)), .enabled(if: HeadlessChromium.executable != nil, "needs chromium"))
    func theLanePageReconnectsByItselfWhenTheServiceComesBack() async throws {
        try await inRealTimeSlot {
            let lanes = LaneDisplayTests.lanes
            func start(port: Int, hub: LaneEventHub) async throws -> (ServiceGroup, Task<Void, any Error>, Int) {
                let bound = Mutex<Int?>(nil)
                let app = LaneDisplayServer.makeApplication(
                    lanes: lanes, hub: hub, host: "127.0.0.1", port: port, logger: Logger(label: "test"), onRunning: { p in bound.withLock { $0 = p } })
                let group = ServiceGroup(services: [app], logger: Logger(label: "test"))
                let ended = Mutex(false)
                let task = Task {
                    defer { ended.withLock { $0 = true } }
                    try await group.run()
                }
                _ = await waitUntil(seconds: 30) { bound.withLock { $0 } != nil || ended.withLock { $0 } }
                if bound.withLock({ $0 }) == nil { try await task.value }
                return (group, task, try #require(bound.withLock { $0 }))
            }
            let (first, firstTask, port) = try await start(port: 0, hub: LaneEventHub())
            let browser = try HeadlessChromium()
            defer { browser.quit() }
            try await onOwnThread { try browser.load("http://127.0.0.1:\(port)/") }
            #expect(try await onOwnThread { Self.wait(browser, "document.getElementById('conn').textContent.includes('live')") })
            await first.triggerGracefulShutdown()
            try await firstTask.value
            #expect(try await onOwnThread { Self.wait(browser, "document.getElementById('conn').className === 'lost'") }, "the page shows the lost connection")

            let hub = LaneEventHub()
            // The old listener may take a moment to let go of the port, as after a restart by systemd.
            var restarted: (ServiceGroup, Task<Void, any Error>, Int)?
            for _ in 0..<40 where restarted == nil {
                restarted = try? await start(port: port, hub: hub)
                if restarted == nil { try await Task.sleep(for: .milliseconds(250)) }
            }
            let (second, secondTask, _) = try #require(restarted, "could not listen on \(port) again")
            #expect(try await onOwnThread { Self.wait(browser, "document.getElementById('conn').textContent.includes('live')") }, "reconnected")
            var measured = LaneEvent(type: .measured, lane: "lane-1", t: 5)
            measured.verdict = .elevated
            measured.temperatureC = 38.3
            measured.thresholdC = 37.5
            measured.prompt = .elevated
            await hub.publish([measured])
            #expect(try await onOwnThread {
                Self.wait(browser, "document.getElementById('verdict').className === 'elevated' && document.getElementById('temp').textContent === '38.3 °C'")
            })
            await second.triggerGracefulShutdown()
            try await secondTask.value
        }
    }
}
