import Appliance
import Foundation
import LaneFeed
import LaneDisplay
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport

/// `checkpointctl selftest` (the real binary) on a simulated lane: with the service stopped it opens the camera
/// itself; with the service running it asks it; broken storage and a missing speaker are named.
@Suite struct SelftestCommandTests {
    static func config(state: String, port: Int, speaker: String) -> String {
        """
        [checkpoint]
        state_directory = "\(state)"
        [display]
        port = \(port)
        [[lane]]
        id = "lane-1"
        [lane.camera]
        source = "simulated"
        [lane.scanner]
        source = "simulated"
        [lane.speaker]
        device = "\(speaker)"
        prompts = "\(state)/no-prompts"
        """
    }

    static func lines(_ output: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("test ") {
            let parts = line.dropFirst(5).split(separator: ":", maxSplits: 1)
            if parts.count == 2 { out[String(parts[0])] = String(parts[1]).trimmingCharacters(in: .whitespaces) }
        }
        return out
    }

    @Test(.timeLimit(.minutes(10))) func withTheServiceStoppedTheDevicesAreOpenedAndFaultsNamed() async throws {
        try await inRealTimeSlot {
            let ctl = try #require(builtProduct("checkpointctl"))
            let dir = temporaryDirectory()
            try Self.config(state: dir + "/state", port: 1, speaker: "file:'\(dir)/chime.wav',wav")
                .write(toFile: dir + "/ok.toml", atomically: true, encoding: .utf8)
            let run = try await runTool(ctl, ["selftest", "--config", dir + "/ok.toml", "--seconds", "3"])
            let tests = Self.lines(run.stdout)
            #expect(run.status == 1, "the lane page is not running: \(run.stdout)")
            for name in ["config", "clock", "disk-space", "storage", "camera lane-1", "reference lane-1", "scanner lane-1"] {
                #expect(tests[name]?.hasPrefix("OK") == true, "\(name): \(tests[name] ?? "missing")")
            }
            #expect(tests["lane-page"]?.hasPrefix("FAIL") == true)
            #expect(tests["speaker lane-1"]?.hasPrefix("FAIL") == true, "prompts are missing: \(tests["speaker lane-1"] ?? "")")
            #expect(try SoxStat.of(dir + "/chime.wav").seconds > 0.4, "the chime was played")
            #expect(run.stdout.contains("7 passed, 2 failed"), "\(run.stdout)")

            // Storage where no directory can be made, and a speaker that is not there.
            try "not a directory".write(toFile: dir + "/file", atomically: true, encoding: .utf8)
            try Self.config(state: dir + "/file/state", port: 1, speaker: "hw:97,0").write(toFile: dir + "/bad.toml", atomically: true, encoding: .utf8)
            let bad = Self.lines(try await runTool(ctl, ["selftest", "--config", dir + "/bad.toml", "--seconds", "1"]).stdout)
            #expect(bad["storage"]?.hasPrefix("FAIL") == true, "\(bad["storage"] ?? "missing")")
            #expect(bad["speaker lane-1"]?.contains("hw:97,0") == true)
        }
    }

    @Test(.timeLimit(.minutes(10))) func withTheServiceRunningItsHealthIsReported() async throws {
        let run = try await inRealTimeSlot { try await Self.selftestBesideTheService() }
        let tests = Self.lines(run.stdout)
        #expect(run.status == 0, "\(run.stdout)")
        #expect(tests["lane-page"]?.hasPrefix("OK") == true)
        #expect(tests["camera lane-1"] == "OK (camera:simulated online)")
        #expect(tests["reference lane-1"] == "OK (reference online)")
        #expect(tests["speaker lane-1"] == "OK (none configured)")
    }

    /// Runs the service in-process on a fixed port (the self-test reads it from the configuration) and the
    /// self-test beside it once the lane has taken a referenced reading.
    static func selftestBesideTheService() async throws -> ToolRun {
        let ctl = try #require(builtProduct("checkpointctl"))
        let dir = temporaryDirectory()
        // The port must be in the configuration (the self-test reads it there): one the kernel just gave out, and
        // another if something took it before the service bound it.
        var attempt: (service: CheckpointService, group: ServiceGroup, task: Task<Void, any Error>)?
        for _ in 0..<3 where attempt == nil {
            let text = config(state: dir + "/state", port: freeLoopbackPort(), speaker: "none")
            try text.write(toFile: dir + "/lane.toml", atomically: true, encoding: .utf8)
            let service = try CheckpointService(config: try ApplianceConfig.parse(text), stateDirectory: dir + "/state", logger: Logger(label: "selftest"))
            let started = Mutex(false)
            let group = service.serviceGroup(onDisplayRunning: { _ in started.withLock { $0 = true } }, signals: false)
            let task = Task { try await group.run() }
            if await waitUntil(seconds: 30, { started.withLock { $0 } }) {
                attempt = (service, group, task)
            } else {
                await group.triggerGracefulShutdown()
                _ = try? await task.value
            }
        }
        let (service, group, task) = try #require(attempt, "the service did not start on any of three ports")
        let hub = service.hub
        _ = await waitUntil(seconds: 60) { await hub.health()["lane-1"]?["reference"] != nil }
        let run = try await runTool(ctl, ["selftest", "--config", dir + "/lane.toml"])
        await group.triggerGracefulShutdown()
        try await task.value
        return run
    }
}
