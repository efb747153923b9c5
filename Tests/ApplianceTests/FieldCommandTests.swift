import Appliance
import Declarations
import Foundation
import Lane
import Logging
import Screening
import ServiceLifecycle
import Store
import Synchronization
import Testing
import TestSupport

/// What a technician types over SSH at a running lane: `watch`, `passages --lane --since`, `purge --dry-run`.
@Suite struct FieldCommandTests {
    static func ctl(_ arguments: [String]) async throws -> ToolRun {
        try await runTool(try #require(builtProduct("checkpointctl"), "checkpointctl was not built"), arguments)
    }

    @Test(.timeLimit(.minutes(10))) func watchFollowsARunningLaneInLocalTimeAndSaysWhenItIsGone() async throws {
        try await inRealTimeSlot {
            let state = temporaryDirectory()
            let config = try ApplianceConfig.parse(EndToEndTests.config(travellers: 30, speed: 8, state: state))
            var logger = Logger(label: "watch")
            logger.logLevel = .critical
            let service = try CheckpointService(config: config, stateDirectory: state, logger: logger)
            let port = Mutex<Int?>(nil)
            let group = service.serviceGroup(onDisplayRunning: { p in port.withLock { $0 = p } }, signals: false)
            let running = Task { try await group.run() }
            _ = await waitUntil(seconds: 60) { port.withLock { $0 } != nil }
            let url = "http://127.0.0.1:\(try #require(port.withLock { $0 }))"

            let watch = try await Self.ctl(["watch", "--url", url, "--count", "12"])
            #expect(watch.status == 0, "\(watch.stderr)")
            let lines = watch.stdout.split(separator: "\n")
            #expect(lines.count == 12)
            #expect(lines.allSatisfy { $0.range(of: #"^\d\d:\d\d:\d\d lane-1 "#, options: .regularExpression) != nil }, "\(lines)")
            #expect(lines.contains { $0.contains("camera") && $0.contains("online") }, "the devices' states come first")
            let json = try await Self.ctl(["watch", "--url", url, "--count", "3", "--json"])
            #expect(json.status == 0 && json.stdout.split(separator: "\n").allSatisfy {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any]
            }, "\(json.stdout)")

            await group.triggerGracefulShutdown()
            try await running.value
            let gone = try await Self.ctl(["watch", "--url", url])
            #expect(gone.status == 2 && gone.stderr.hasPrefix("error: cannot reach the service"), "\(gone.stderr)")
        }
    }

    /// Over SSH a technician sees what the engine sees: the lane's own camera, turned as the lane's is, with the
    /// disc, head, site and distance guides marked; a recording made from the lane's camera replays as the lane.
    @Test(.timeLimit(.minutes(5))) func aMarkedSnapshotShowsWhatTheLanesScreeningSees() async throws {
        let dir = temporaryDirectory()
        let config = dir + "/lane.toml"
        try (EndToEndTests.config(travellers: 50, speed: 4, state: dir + "/state") + "\n[lane.screening]\nreference = \"auto\"\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let snapshot = try await Self.ctl(["camera", "snapshot", "--config", config, "--marked", "--seconds", "6", dir + "/marked.png"])
        #expect(snapshot.status == 0, "\(snapshot.stderr)")
        #expect(snapshot.stderr.contains("(found)") && snapshot.stderr.contains("px wide") && snapshot.stderr.contains("site ("), "\(snapshot.stderr)")
        let found = try #require(snapshot.stderr.firstMatch(of: /disc at \((\d+), (\d+)\)/))
        #expect(abs(Int(found.1)! - 148) <= 1 && abs(Int(found.2)! - 100) <= 1)
        #expect(FileManager.default.fileExists(atPath: dir + "/marked.png"))

        let recorded = try await Self.ctl(["camera", "record", "--config", config, "--seconds", "2", dir + "/lane.cptv"])
        #expect(recorded.status == 0 && recorded.stdout.contains("(160x120)"), "\(recorded.stdout)\(recorded.stderr)")
        // A sideways lane's recording is turned as the lane's camera is.
        let sideways = dir + "/sideways.toml"
        try "[checkpoint]\nstate_directory = \"\(dir)/state2\"\n[[lane]]\nid = \"l\"\n[lane.camera]\nsource = \"replay\"\nfile = \"\(dir)/lane.cptv\"\nrotation = 90\n[lane.scanner]\nsource = \"none\"\n"
            .write(toFile: sideways, atomically: true, encoding: .utf8)
        let turned = try await Self.ctl(["camera", "snapshot", "--config", sideways, "--recording", dir + "/lane.cptv", dir + "/turned.png"])
        #expect(turned.status == 0 && turned.stdout.contains("(120x160 frame"), "\(turned.stdout)\(turned.stderr)")
    }

    /// Every command's `--json` is JSON on standard output, snake_case, also when the answer is a refusal.
    @Test func configCheckAnswersInJSONBothWays() async throws {
        let dir = temporaryDirectory()
        try EndToEndTests.config(travellers: 5, speed: 1, state: dir + "/state").write(toFile: dir + "/ok.toml", atomically: true, encoding: .utf8)
        let ok = try await Self.ctl(["config", "check", "--json", dir + "/ok.toml"])
        let accepted = try #require(try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any], "\(ok.stdout)")
        #expect(ok.status == 0 && accepted["ok"] as? Bool == true && accepted["lane_page"] is String)
        #expect((accepted["lanes"] as? [[String: Any]])?.first?["threshold_c"] as? Double == 37.5)
        try "[[lane]]\nid = \"l\"\n[lane.camera]\nsource = \"simulated\"\n[lane.screening]\nthreshold_c = 41.0\n"
            .write(toFile: dir + "/bad.toml", atomically: true, encoding: .utf8)
        let bad = try await Self.ctl(["config", "check", "--json", dir + "/bad.toml"])
        let refused = try #require(try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [String: Any], "\(bad.stdout)")
        #expect(bad.status == 78 && refused["ok"] as? Bool == false && refused["key"] as? String == "lane[1].screening.threshold_c" && refused["line"] as? Int == 6)
    }

    /// `uplink status --json` is JSON on standard output also when no uplink is configured (the note goes to
    /// standard error).
    @Test func uplinkStatusInJSONIsOnlyJSON() async throws {
        let dir = temporaryDirectory()
        try EndToEndTests.config(travellers: 5, speed: 1, state: dir + "/state").write(toFile: dir + "/lane.toml", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        let store = try LaneStore(path: dir + "/state/passages.sqlite")
        _ = try await store.commit(try Self.step(lane: "lane-1", celsius: 36.4), at: Date())
        let status = try await Self.ctl(["uplink", "status", "--config", dir + "/lane.toml", "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        let lines = status.stdout.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] }, "\(status.stdout)")
        #expect(status.stderr.contains("not configured"))
    }

    /// Eight processes open the same new database at once (the service and checkpointctl on a fresh box, tests
    /// in parallel): one migrates, the others wait and find it done. Each run of revert opens (and so creates and
    /// migrates) the database and then answers that there is nothing to revert.
    // The limit covers waiting for the real-time slot, which the browser tests hold for minutes.
    @Test(.timeLimit(.minutes(10))) func aNewDatabaseOpenedByManyProcessesAtOnceIsMigratedOnce() async throws {
        let binary = try #require(builtProduct("checkpointctl"))
        // 24 processes at once load the box: not beside the tests that keep real time.
        try await inRealTimeSlot { try await Self.openTogether(binary) }
    }

    static func openTogether(_ binary: String) async throws {
        for round in 0..<3 {
            let dir = temporaryDirectory()
            try EndToEndTests.config(travellers: 5, speed: 1, state: dir + "/state").write(toFile: dir + "/lane.toml", atomically: true, encoding: .utf8)
            let runs = try await withThrowingTaskGroup(of: ToolRun.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await runTool(binary, ["calibrate", "revert", "offset", "--config", dir + "/lane.toml", "--technician", "Lan"]) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for run in runs {
                #expect(run.status == 1 && run.stderr.contains("no offset calibration to revert"), "round \(round): exit \(run.status): \(run.stderr)")
            }
        }
    }

    /// "No camera" is exit 3 for every command, and says so.
    @Test func noCameraIsExitThreeEverywhere() async throws {
        let probe = try await Self.ctl(["camera", "probe", "--json", "/dev/video-none"])
        #expect(probe.status == 3, "\(probe.stdout)\(probe.stderr)")
        let step = try #require(try JSONSerialization.jsonObject(with: Data(probe.stdout.utf8)) as? [String: Any], "\(probe.stdout)")
        #expect(step["name"] as? String == "open" && step["ok"] as? Bool == false)
        let snapshot = try await Self.ctl(["camera", "snapshot", "--device", "/dev/video-none", temporaryDirectory() + "/x.png"])
        #expect(snapshot.status == 3 && snapshot.stderr.hasPrefix("error: "), "\(snapshot.stderr)")
    }

    static func step(lane: String, celsius: Double) throws -> LaneCore.Step {
        let payload = "079190012345||Nguyễn Văn An|15041990|Nam|Hà Nội|01072021"
        let m = Measurement(
            time: 3, temperatureC: celsius, skinC: celsius, uncertaintyC: 0.2, verdict: .normal, thresholdC: 37.5, siteX: 70, siteY: 30,
            faceWidthPx: 44, referenced: true, framesUsed: 5)
        let passage = Passage(
            laneID: lane, outcome: .complete, openedAt: 1, closedAt: 3, measurement: m,
            scan: Scan(time: 1, payload: payload, device: "s", transport: "hid-pos"), declaration: try DeclarationParser().parse(payload), notes: [])
        return LaneCore.Step(events: [LaneEvent(type: .passage, lane: lane, t: 3)], passages: [passage])
    }

    @Test func passagesByLaneAndSinceAndAPurgeThatOnlyCounts() async throws {
        let state = temporaryDirectory()
        let store = try LaneStore(path: state + "/passages.sqlite")
        let lastWeek = Date().addingTimeInterval(-7 * 86_400)
        _ = try await store.commit(try Self.step(lane: "lane-1", celsius: 36.1), at: lastWeek)
        _ = try await store.commit(try Self.step(lane: "lane-2", celsius: 36.2), at: lastWeek)
        _ = try await store.commit(try Self.step(lane: "lane-2", celsius: 36.3), at: Date())

        let lane2 = try await Self.ctl(["passages", "--state", state, "--lane", "lane-2", "--json"])
        #expect(lane2.status == 0, "\(lane2.stderr)")
        let rows = lane2.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(rows.map { $0["lane"] as? String } == ["lane-2", "lane-2"])
        #expect(rows.allSatisfy { $0["payload"] == nil }, "payloads stay out unless asked for")
        let yesterday = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-86_400))
        let recent = try await Self.ctl(["passages", "--state", state, "--since", yesterday, "--json"])
        #expect(recent.stdout.split(separator: "\n").count == 1, "\(recent.stdout)")
        let bad = try await Self.ctl(["passages", "--state", state, "--since", "last tuesday"])
        #expect(bad.status == 64 && bad.stderr.contains("is not a date"))

        let dry = try await Self.ctl(["purge", "--state", state, "--before", yesterday, "--dry-run", "--json"])
        #expect(dry.status == 0, "\(dry.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any], "\(dry.stdout)")
        #expect(result["deleted"] as? Int == 2 && result["dry_run"] as? Bool == true && result["kept"] as? Int == 1, "\(result)")
        #expect(try await store.payloadsKept().count == 3, "a dry run deletes nothing")
        // Wrong arguments are 64, with the reason on one line.
        let soon = try await Self.ctl(["purge", "--state", state, "--before", "soon"])
        #expect(soon.status == 64 && soon.stderr.hasPrefix("error: --before 'soon' is not a date"), "\(soon.stderr)")
        let xml = try await Self.ctl(["export", "--state", state, "--from", "2026-12-01", "--to", "2026-12-02", "--format", "xml"])
        #expect(xml.status == 64 && xml.stderr.contains("--format must be csv or json"), "\(xml.stderr)")
        let real = try await Self.ctl(["purge", "--state", state, "--before", yesterday])
        #expect(real.status == 0 && real.stdout.hasPrefix("deleted 2 payload(s)"), "\(real.stdout)")
        #expect(try await store.payloadsKept().count == 1)
    }
}
