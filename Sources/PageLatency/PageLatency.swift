import Appliance
import Foundation
import HeadlessBrowser
import Lane
import LaneFeed
import LaneDisplay
import Logging
import Screening
import ServiceLifecycle
import Synchronization

/// Measures how long a verdict takes to reach the lane page in a real browser: a lane page server on a free
/// loopback port, headless Chromium showing it, and `count` measured events published `interval` apart. Each
/// latency is the page's arrival time (its `laneArrivals` log, wall clock in ms) minus the moment the event was
/// handed to the hub. Used by `make bench` (and later the self-test).
public enum PageLatency {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Latencies in milliseconds, one per verdict that arrived (a lost one is an error).
    public static func measure(count: Int = 200, interval: Duration = .milliseconds(50)) async throws -> [Double] {
        let hub = LaneEventHub()
        let lane = LaneDisplayServer.LaneInfo(id: "lane-1", name: "Latency", idlePrompt: .scanQR)
        let port = Mutex<Int?>(nil)
        var logger = Logger(label: "page-latency")
        logger.logLevel = .error
        let app = LaneDisplayServer.makeApplication(
            lanes: [lane], hub: hub, host: "127.0.0.1", port: 0, logger: logger, onRunning: { p in port.withLock { $0 = p } })
        let group = ServiceGroup(services: [app], logger: logger)
        let server = Task { try await group.run() }
        defer { Task { await group.triggerGracefulShutdown() } }
        let url = "http://127.0.0.1:\(try await bound(port))/"
        let browser = try await blocking { try HeadlessChromium(width: 1280, height: 720) }
        defer { browser.quit() }
        try await blocking { try browser.load(url) }
        // The page is connected once the stream's first (empty) replay is done: wait for its "live" mark.
        var connected = false
        for _ in 0..<100 where !connected {
            connected = try await blocking { try browser.evaluate("document.getElementById('conn').textContent.includes('live')") as? Bool == true }
            if !connected { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard connected else { throw Failure(description: "the page did not connect to its event stream") }

        var sent: [Double: Double] = [:]
        for i in 0..<count {
            var event = LaneEvent(type: .measured, lane: "lane-1", t: Double(1000 + i))
            event.verdict = i % 5 == 0 ? .elevated : .normal
            event.temperatureC = i % 5 == 0 ? 38.2 : 36.6
            event.uncertaintyC = 0.2
            event.thresholdC = 37.5
            event.prompt = i % 5 == 0 ? .elevated : .normal
            sent[event.t] = Date().timeIntervalSince1970 * 1000
            await hub.publish([event])
            try await Task.sleep(for: interval)
        }
        try await Task.sleep(for: .milliseconds(500))
        let json = try await blocking { try browser.evaluate("JSON.stringify(window.laneArrivals)") as? String ?? "[]" }
        let arrivals = (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]) ?? []
        var latencies: [Double] = []
        for arrival in arrivals {
            guard let t = arrival["t"] as? Double, let at = arrival["at"] as? Double, let start = sent[t] else { continue }
            latencies.append(at - start)
        }
        await group.triggerGracefulShutdown()
        try? await server.value
        guard latencies.count == count else { throw Failure(description: "\(count - latencies.count) of \(count) verdicts never reached the page") }
        return latencies
    }

    /// The same through the whole service: `checkpointd`'s composition on a simulated lane (at `speed` times real
    /// time), so each latency includes the durable commit before the verdict is published. Measured from the
    /// verdict's own wall-clock stamp (`at`, set as its step is committed, millisecond resolution) to its arrival.
    public static func measureService(count: Int = 200, speed: Double = 16) async throws -> [Double] {
        let state = NSTemporaryDirectory() + "page-latency-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let config = try ApplianceConfig.parse("""
            [checkpoint]
            state_directory = "\(state)"
            log_level = "error"
            [display]
            port = 0
            [[lane]]
            id = "lane-1"
            [lane.camera]
            source = "simulated"
            travellers = \(count + 40)
            fever_share = 0.2
            speed = \(speed)
            [lane.scanner]
            source = "simulated"
            [lane.speaker]
            device = "none"
            """)
        var logger = Logger(label: "page-latency")
        logger.logLevel = .error
        let service = try CheckpointService(config: config, stateDirectory: state, logger: logger)
        let port = Mutex<Int?>(nil)
        let group = service.serviceGroup(onDisplayRunning: { p in port.withLock { $0 = p } }, signals: false)
        let running = Task { try await group.run() }
        let listening = try await bound(port)
        let browser = try await blocking { try HeadlessChromium(width: 1280, height: 720) }
        defer { browser.quit() }
        try await blocking { try browser.load("http://127.0.0.1:\(listening)/") }
        // Verdicts from before the page connected arrive in its replay: they say nothing about latency.
        let script = """
            JSON.stringify(window.laneArrivals.filter(a => a.type === 'measured' && a.sent != null && a.sent > (window.laneConnectedAt || 9e15))
              .map(a => a.at - a.sent))
            """
        var latencies: [Double] = []
        let deadline = ContinuousClock.now + .seconds(Double(count) * 20 / speed + 60)
        while latencies.count < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .seconds(1))
            let json = try await blocking { try browser.evaluate(script) as? String ?? "[]" }
            latencies = (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Double]) ?? []
        }
        await group.triggerGracefulShutdown()
        try? await running.value
        guard latencies.count >= count else { throw Failure(description: "only \(latencies.count) of \(count) verdicts reached the page in time") }
        return Array(latencies.prefix(count))
    }

    /// The port a server reported once it listens (30 s at most).
    static func bound(_ port: borrowing Mutex<Int?>) async throws -> Int {
        for _ in 0..<300 {
            if let p = port.withLock({ $0 }) { return p }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "the lane page server did not start within 30 s")
    }

    /// Runs a blocking browser call on a thread of its own, off the cooperative pool the server needs.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
