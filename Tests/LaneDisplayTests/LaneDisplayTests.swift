import Foundation
import Lane
import LaneDisplay
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport

@Suite struct LaneDisplayTests {
    static let lanes = [
        LaneDisplayServer.LaneInfo(id: "lane-1", name: "Làn 1", idlePrompt: .scanQR),
        LaneDisplayServer.LaneInfo(id: "lane-2", name: "Làn 2 <xe tải>", idlePrompt: .lookAtCamera),
    ]

    /// Runs the real server on a free port for the body, then shuts it down gracefully.
    static func withServer(hub: LaneEventHub, _ body: @Sendable (Int) async throws -> Void) async throws {
        let port = Mutex<Int?>(nil)
        let app = LaneDisplayServer.makeApplication(
            lanes: lanes, hub: hub, host: "127.0.0.1", port: 0, logger: Logger(label: "test"), onRunning: { p in port.withLock { $0 = p } })
        let group = ServiceGroup(services: [app], logger: Logger(label: "test"))
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
