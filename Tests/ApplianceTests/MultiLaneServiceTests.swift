import Appliance
import Foundation
import LaneFeed
import LaneDisplay
import Logging
import ServiceLifecycle
import Store
import Synchronization
import Testing
import TestSupport

/// One `checkpointd` (in-process) serving two lanes: each lane's page and stream carry only its own events, each
/// lane speaks on its own device, the supervisor sees both, and `/metrics` counts both.
@Suite struct MultiLaneServiceTests {
    @Test(.timeLimit(.minutes(10))) func twoLanesOnOneBoxEachWithItsPageSpeakerAndCounts() async throws {
        try await inRealTimeSlot {
            let state = temporaryDirectory()
            func lane(_ n: Int, speaker: String) -> String {
                """
                [[lane]]
                id = "lane-\(n)"
                name = "Làn \(n)"
                [lane.camera]
                source = "simulated"
                travellers = 6
                fever_share = 0.5
                seed = \(n + 20)
                every_frame = true
                [lane.scanner]
                source = "simulated"
                [lane.speaker]
                device = "\(speaker)"
                prompts = "\(state)/no-prompts"
                """
            }
            let text = """
                [checkpoint]
                state_directory = "\(state)"
                [display]
                port = 0
                [supervisor]
                port = 0
                token = "multi-lane-test-token-123"
                \(lane(1, speaker: "none"))
                \(lane(2, speaker: "file:'\(state)/lane-2.wav',wav"))
                """
            var logger = Logger(label: "multi")
            logger.logLevel = .warning
            let service = try CheckpointService(config: try ApplianceConfig.parse(text), stateDirectory: state, logger: logger)
            let display = Mutex<Int?>(nil), supervisor = Mutex<Int?>(nil)
            let group = service.serviceGroup(
                onDisplayRunning: { p in display.withLock { $0 = p } }, onSupervisorRunning: { p in supervisor.withLock { $0 = p } }, signals: false)
            let running = Task { try await group.run() }
            _ = await waitUntil(seconds: 60) { display.withLock { $0 } != nil && supervisor.withLock { $0 } != nil }
            let port = try #require(display.withLock { $0 }), supervisorPort = try #require(supervisor.withLock { $0 })
            let second = try SSETestReader(port: port, path: "/lane/2/events")
            #expect(await waitUntil(seconds: 120) { (try? await service.store.passageCount()) ?? 0 >= 8 })

            let page = try await HTTPTestClient.get(port: port, path: "/lane/2")
            #expect(page.body.contains("<title>Làn 2 · Checkpoint Lane</title>") && page.body.contains("\"events\":\"/lane/2/events\""))
            #expect(page.body.contains("\"reference\":[148,100,6]"), "the reference ring's place")
            let lanes = Set(second.objects.compactMap { $0["lane"] as? String })
            #expect(lanes == ["lane-2"], "lane 2's stream carried \(lanes)")

            // Lane 2 spoke through ALSA (tones only: no prompts rendered here); lane 1 has no speaker.
            #expect(await waitUntil(seconds: 20) { FileManager.default.fileExists(atPath: state + "/lane-2.wav") })
            let health = await service.hub.health()
            #expect(health["lane-2"]?["speaker"] == "online", "\(health)")
            #expect(health["lane-1"]?["speaker"] == "không dùng / none", "a lane without a speaker: \(health)")
            #expect(health["lane-1"]?["storage"] == "online")

            let metrics = try await HTTPTestClient.get(port: port, path: "/metrics")
            for lane in ["lane-1", "lane-2"] {
                #expect(metrics.body.contains("checkpoint_frames_total{lane=\"\(lane)\"}"), "\(lane) frames")
                #expect(metrics.body.contains("checkpoint_passages_total{lane=\"\(lane)\""), "\(lane) passages")
            }
            let overview = try await HTTPTestClient.request(
                port: supervisorPort, method: "GET", path: "/supervisor/api/overview", headers: ["Authorization": "Bearer multi-lane-test-token-123"])
            #expect(overview.status == 200 && overview.body.contains("\"name\":\"Làn 1\"") && overview.body.contains("\"name\":\"Làn 2\""))
            await group.triggerGracefulShutdown()
            try await running.value
        }
    }

    /// Two simulated lanes far faster than this machine renders (100×): the cameras skip frames, but they must
    /// not take every thread. They used to: the lanes produced nothing and SIGTERM was never served.
    @Test(.timeLimit(.minutes(10))) func overloadedSimulatedLanesStillProduceAndStopWhenAsked() async throws {
        try await inRealTimeSlot {
            let state = temporaryDirectory()
            func lane(_ n: Int) -> String {
                "[[lane]]\nid = \"lane-\(n)\"\n[lane.camera]\nsource = \"simulated\"\ntravellers = 5000\nseed = \(n)\nspeed = 100\n[lane.scanner]\nsource = \"simulated\"\n[lane.speaker]\ndevice = \"none\"\n"
            }
            let text = "[checkpoint]\nstate_directory = \"\(state)\"\n[display]\nport = 0\n" + lane(1) + lane(2)
            var logger = Logger(label: "overload")
            logger.logLevel = .error
            let service = try CheckpointService(config: try ApplianceConfig.parse(text), stateDirectory: state, logger: logger)
            let group = service.serviceGroup(signals: false)
            let finished = StopFlag()
            let running = Task {
                try await group.run()
                finished.set()
            }
            let produced = await waitUntil(seconds: 60) { (try? await service.store.passageCount()) ?? 0 >= 2 }
            #expect(produced, "no passage in 60 s: the lanes' loops were starved")
            await group.triggerGracefulShutdown()
            #expect(await waitUntil(seconds: 60) { finished.isSet }, "the service did not stop within 60 s of being asked")
            if !finished.isSet { running.cancel() }
        }
    }
}

final class StopFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
