import Foundation
import Lane
import LaneFeed
import LaneDisplay
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport
import Thermal

@Suite struct LaneDisplayTests {
    static let lanes = [
        LaneDisplayServer.LaneInfo(id: "lane-1", name: "Làn 1", idlePrompt: .scanQR),
        LaneDisplayServer.LaneInfo(id: "lane-2", name: "Làn 2 <xe tải>", idlePrompt: .lookAtCamera),
    ]

    /// Runs the real lane page server on a free port for the body, then shuts it down gracefully.
    static func withServer(hub: LaneEventHub, frames: LatestFrames = LatestFrames(), _ body: @Sendable (Int) async throws -> Void) async throws {
        try await withService({ onRunning in
            LaneDisplayServer.makeApplication(
                lanes: lanes, hub: hub, frames: frames, metrics: LaneMetrics(), host: "127.0.0.1", port: 0, logger: Logger(label: "test"),
                onRunning: onRunning)
        }, body)
    }

    /// Runs a server made by `make` (given the callback that receives its port) for the body.
    static func withService(
        _ make: (@escaping @Sendable (Int) async -> Void) throws -> any Service, _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let port = Mutex<Int?>(nil)
        let group = ServiceGroup(services: [try make { p in port.withLock { $0 = p } }], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        // Generous: on a 2-core box, CPU-bound tests running beside this one can hold the cooperative pool.
        _ = await waitUntil(seconds: 60) { port.withLock { $0 } != nil }
        let bound = try #require(port.withLock { $0 }, "the server did not start")
        try await body(bound)
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test func everyLaneHasItsPageAndTheFirstIsTheDefault() async throws {
        try await Self.withServer(hub: LaneEventHub()) { port in
            let first = try await HTTPTestClient.get(port: port, path: "/")
            #expect(first.status == 200 && first.headers.contains("text/html"))
            #expect(first.body.contains("\"events\":\"/events\""))
            let second = try await HTTPTestClient.get(port: port, path: "/lane/2")
            #expect(second.body.contains("\"events\":\"/lane/2/events\""))
            // The lane name is escaped, never injected as markup.
            #expect(second.body.contains("<title>Làn 2 &lt;xe tải&gt; · Checkpoint Lane</title>"))
            #expect(try await HTTPTestClient.get(port: port, path: "/lane/3").status == 404)
            #expect(try await HTTPTestClient.get(port: port, path: "/healthz").body == "ok\n")
        }
    }

    /// A page tells a live service from a dead one by the heartbeat: one at once, then one a second, kept apart
    /// from the lane's events.
    @Test func theEventStreamCarriesAHeartbeatApartFromTheLanesEvents() async throws {
        try await Self.withServer(hub: LaneEventHub()) { port in
            let reader = try SSETestReader(port: port, path: "/events")
            #expect(await waitUntil(seconds: 30) { reader.heartbeats >= 3 }, "heartbeats: \(reader.heartbeats)")
            #expect(reader.dataLines.isEmpty, "a heartbeat is not a lane event: \(reader.dataLines)")
        }
    }

    @Test func eventsReachOnlyTheirLaneAndLateJoinersSeeRecentOnes() async throws {
        let hub = LaneEventHub()
        var before = LaneEvent(type: .paused, lane: "lane-2", t: 1)
        before.reason = "reference-missing"
        await hub.publish([before])
        try await Self.withServer(hub: hub) { port in
            let lane1 = try SSETestReader(port: port, path: "/events")
            let lane2 = try SSETestReader(port: port, path: "/lane/2/events")
            #expect(await waitUntil(seconds: 5) { lane2.objects.count == 1 })
            var after = LaneEvent(type: .retry, lane: "lane-1", t: 2)
            after.reason = "moving"
            await hub.publish([after])
            #expect(await waitUntil(seconds: 5) { lane1.objects.count == 1 })
            #expect(lane1.objects.first?["reason"] as? String == "moving")
            #expect(lane2.objects.first?["reason"] as? String == "reference-missing")
            #expect(lane2.objects.count == 1)
        }
    }
}

@Suite struct LaneListenerTests {
    @Test func theLaneListenerChangesNothingAndHasNoSupervisorRoutes() async throws {
        try await LaneDisplayTests.withServer(hub: LaneEventHub()) { port in
            for path in ["/", "/lane/1", "/events", "/api/lanes", "/thermal.bmp", "/supervisor/api/alarms/1/check"] {
                for method in ["POST", "PUT", "DELETE", "PATCH"] {
                    let response = try await HTTPTestClient.request(port: port, method: method, path: path, body: "{}")
                    #expect(!(200..<300).contains(response.status), "\(method) \(path) answered \(response.status)")
                }
            }
            #expect(try await HTTPTestClient.get(port: port, path: "/supervisor").status == 404)
            #expect(try await HTTPTestClient.get(port: port, path: "/supervisor/api/overview").status == 404)
        }
    }

    @Test func theThermalViewIsTheLatestFrameAsABitmap() async throws {
        let frames = LatestFrames()
        try await LaneDisplayTests.withServer(hub: LaneEventHub(), frames: frames) { bound in
            #expect(try await HTTPTestClient.get(port: bound, path: "/thermal.bmp").status == 404, "no frame yet")
            var pixels = [UInt16](repeating: 29_815, count: 6 * 4)  // 25 °C
            pixels[1 * 6 + 2] = 31_215  // 39 °C: the hottest pixel
            frames.update(lane: "lane-2", frame: ThermalFrame(width: 6, height: 4, pixels: pixels, timestamp: 0, sequence: 1))
            #expect(try await HTTPTestClient.get(port: bound, path: "/thermal.bmp").status == 404, "lane 2's frame is not lane 1's")
            let image = try await HTTPTestClient.get(port: bound, path: "/lane/2/thermal.bmp")
            #expect(image.status == 200 && image.headers.contains("image/bmp"))
            let bmp = [UInt8](image.bytes)
            #expect(bmp.count == 54 + 20 * 4, "6 px × 3 bytes padded to 20 bytes per row, 4 rows")
            #expect(bmp.prefix(2) == [0x42, 0x4D])
            // Row 1 (top-down), pixel 2 is the hottest: white-ish; the others the palette's cold end: dark.
            let hot = 54 + 1 * 20 + 2 * 3, cold = 54
            #expect(bmp[hot...(hot + 2)].allSatisfy { $0 > 200 }, "hot pixel \(Array(bmp[hot...(hot + 2)]))")
            #expect(bmp[cold...(cold + 2)].allSatisfy { $0 < 60 }, "cold pixel \(Array(bmp[cold...(cold + 2)]))")
            let page = try await HTTPTestClient.get(port: bound, path: "/lane/2")
            #expect(page.body.contains("\"thermal\":\"/lane/2/thermal.bmp\""))
        }
    }

    @Test func metricsCountByLaneAndVerdictInPrometheusText() async throws {
        let metrics = LaneMetrics()
        for _ in 0..<3 { metrics.frame(lane: "lane-1") }
        metrics.frameDropped(lane: "lane-1")
        metrics.passage(lane: "lane-1", verdict: "elevated")
        metrics.passage(lane: "lane-1", verdict: "normal")
        metrics.passage(lane: "lane-1", verdict: "normal")
        metrics.scan(lane: "lane-1", outcome: "rejected")
        metrics.commit(seconds: 0.0007)
        metrics.uplinkBacklog(lane: "lane-1", passages: 42, oldestSeconds: 90)
        let text = metrics.text()
        #expect(text.contains(#"checkpoint_frames_total{lane="lane-1"} 3"#))
        #expect(text.contains(#"checkpoint_frames_dropped_total{lane="lane-1"} 1"#))
        #expect(text.contains(#"checkpoint_passages_total{lane="lane-1",verdict="normal"} 2"#))
        #expect(text.contains(#"checkpoint_passages_total{lane="lane-1",verdict="elevated"} 1"#))
        #expect(text.contains(#"checkpoint_scans_total{lane="lane-1",outcome="rejected"} 1"#))
        #expect(text.contains(#"checkpoint_commit_seconds_bucket{le="0.001"} 1"#) && text.contains(#"checkpoint_commit_seconds_bucket{le="0.0005"} 0"#))
        #expect(text.contains("checkpoint_uplink_backlog_passages{lane=\"lane-1\"} 42"))
    }
}

@Suite struct EmbeddedAssetsTests {
    /// The checkpoint may be offline: the pages load nothing from anywhere else.
    @Test func thePagesReferenceNothingOutsideTheBox() async throws {
        try await LaneDisplayTests.withServer(hub: LaneEventHub()) { port in
            let page = try await HTTPTestClient.get(port: port, path: "/")
            let external = page.body.matches(of: /(?:src|href)\s*=\s*["']?(?:https?:)?\/\//).count
            #expect(external == 0)
            let urls = page.body.matches(of: /https?:\/\/[^\s"'<>]+/).map { String($0.output) }
            #expect(urls.allSatisfy { $0 == "http://www.w3.org/2000/svg" }, "\(urls)")
            #expect(!page.body.contains("@import") && !page.body.contains("<link"))
        }
    }
}
