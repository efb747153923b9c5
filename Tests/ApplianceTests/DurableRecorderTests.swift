@testable import Appliance
import Declarations
import Devices
import Foundation
import Lane
import LaneFeed
import Logging
import Screening
import Store
import Synchronization
import Testing
import Thermal

/// The lane's durable recorder on a real in-memory store, beside a wrapper that fails its commits on demand (as a
/// full disk does): nothing is published before it is stored, an outage holds the steps in order and says so, and
/// they are written, in order, when storage comes back.
@Suite struct DurableRecorderTests {
    final class FlakyStore: StepStore {
        let store: LaneStore
        let failing = Atomic<Bool>(false)
        init(_ store: LaneStore) { self.store = store }
        func commit(_ step: LaneCore.Step, at wallTime: Date) async throws -> [LaneEvent] {
            if failing.load(ordering: .relaxed) { throw CocoaError(.fileWriteOutOfSpace) }
            return try await store.commit(step, at: wallTime)
        }
    }

    final class Published: Sendable {
        let events = Mutex<[LaneEvent]>([])
        var storage: [DeviceStatus?] { events.withLock { $0.filter { $0.device == "storage" }.map(\.status) } }
    }

    static func step(_ celsius: Double) -> LaneCore.Step {
        let m = Measurement(
            time: 3, temperatureC: celsius, skinC: celsius, uncertaintyC: 0.2, verdict: .normal, thresholdC: 37.5, siteX: 70, siteY: 30,
            faceWidthPx: 44, referenced: true, framesUsed: 5)
        let passage = Passage(laneID: "lane-1", outcome: .measuredNoDeclaration, openedAt: 1, closedAt: 3, measurement: m, scan: nil, declaration: nil, notes: [])
        return LaneCore.Step(events: [LaneEvent(type: .passage, lane: "lane-1", t: 3)], passages: [passage])
    }

    static func recorder(_ store: any StepStore, maxHeld: Int = 20_000, spill: HeldStepSpill? = nil, published: Published) -> DurableRecorder {
        var logger = Logger(label: "recorder-test")
        logger.logLevel = .critical
        return DurableRecorder(
            laneID: "lane-1", store: store, metrics: LaneMetrics(), logger: logger, maxUnsavedSteps: maxHeld, spill: spill, laneTime: { 0 },
            publish: { events in published.events.withLock { $0 += events } })
    }

    /// Passages held while storage failed lived in memory only: a crash (or a stop) during the outage lost them.
    /// They are spilled too, and the next start commits them, in order, once.
    @Test func heldPassagesSurviveACrashDuringTheOutage() async throws {
        let dir = NSTemporaryDirectory() + "spill-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let flaky = FlakyStore(try LaneStore())
        do {
            let before = Self.recorder(flaky, spill: HeldStepSpill(directory: dir, laneID: "lane-1"), published: Published())
            await before.record(Self.step(36.1))
            flaky.failing.store(true, ordering: .relaxed)
            for celsius in [36.2, 36.3, 36.4] { await before.record(Self.step(celsius)) }
            #expect(await before.heldSteps == 3)
        }  // the process dies here: the recorder and its memory are gone
        let spill = HeldStepSpill(directory: dir, laneID: "lane-1")
        #expect(spill.load().count == 3)
        // A line the crash cut short is skipped, the others kept.
        try HeldStepSpill.write(Data("{\"seq\":9,\"at\":1,\"st".utf8), to: spill.path, append: true)
        #expect(spill.load().count == 3)

        flaky.failing.store(false, ordering: .relaxed)
        let after = Self.recorder(flaky, spill: spill, published: Published())
        #expect(await after.recoverSpilled() == 3)
        let rows = try await flaky.store.passages(limit: 10).sorted { ($0.id ?? 0) < ($1.id ?? 0) }
        #expect(rows.map(\.temperatureC) == [36.1, 36.2, 36.3, 36.4])
        #expect(!FileManager.default.fileExists(atPath: spill.path), "nothing is left to replay")
        #expect(await after.recoverSpilled() == 0, "a second start replays nothing")

        // A crash part way through a flush: what was committed is not replayed.
        for (seq, celsius) in [(1, 37.0), (2, 37.1), (3, 37.2)] { try spill.append(Self.step(celsius).self, at: Date(), seq: seq) }
        try spill.committed(through: 2)
        #expect(spill.load().map(\.step.passages.first?.measurement?.temperatureC) == [37.2])
    }

    @Test func aStoredStepIsPublishedWithItsPassageID() async throws {
        let store = try LaneStore()
        let published = Published()
        await Self.recorder(store, published: published).record(Self.step(36.5))
        #expect(try await store.passageCount() == 1)
        let passage = published.events.withLock { $0.first { $0.type == .passage } }
        #expect(passage?.passageID != nil, "published after it was stored, with its row id")
    }

    @Test func anOutageHoldsStepsInOrderAndWritesThemWhenStorageComesBack() async throws {
        let flaky = FlakyStore(try LaneStore())
        let published = Published()
        let recorder = Self.recorder(flaky, published: published)
        await recorder.record(Self.step(36.1))
        flaky.failing.store(true, ordering: .relaxed)
        for celsius in [36.2, 36.3, 36.4] { await recorder.record(Self.step(celsius)) }
        #expect(await recorder.heldSteps == 3)
        #expect(try await flaky.store.passageCount() == 1)
        #expect(published.storage.contains(.offline), "the strip shows storage offline")
        // Screening goes on: the held steps' events were still shown.
        #expect(published.events.withLock { $0.filter { $0.type == .passage }.count } == 4)

        flaky.failing.store(false, ordering: .relaxed)
        await recorder.record(Self.step(36.5))
        #expect(await recorder.heldSteps == 0)
        #expect(published.storage.last == .online)
        let rows = try await flaky.store.passages(limit: 10).sorted { ($0.id ?? 0) < ($1.id ?? 0) }
        #expect(rows.map(\.temperatureC) == [36.1, 36.2, 36.3, 36.4, 36.5], "written in the order they happened")
    }

    @Test func aLongOutageKeepsTheNewestStepsUpToItsLimit() async throws {
        let flaky = FlakyStore(try LaneStore())
        flaky.failing.store(true, ordering: .relaxed)
        let recorder = Self.recorder(flaky, maxHeld: 2, published: Published())
        for celsius in [36.1, 36.2, 36.3] { await recorder.record(Self.step(celsius)) }
        #expect(await recorder.heldSteps == 2)
        flaky.failing.store(false, ordering: .relaxed)
        await recorder.record(Self.step(36.4))
        let rows = try await flaky.store.passages(limit: 10).sorted { ($0.id ?? 0) < ($1.id ?? 0) }
        #expect(rows.map(\.temperatureC) == [36.2, 36.3, 36.4])
    }

    /// Clips are named from the injected clock, and what is written reads back as a recording.
    @Test func anElevatedReadingLeavesAClipNamedFromTheClock() async throws {
        let directory = NSTemporaryDirectory() + "clips-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let clips = ClipRecorder(laneID: "lane-1", directory: directory, logger: Logger(label: "clips"), wallClock: { Date(timeIntervalSince1970: 1_700_000_000) })
        var written: [(path: String, writing: Task<Void, Never>)] = []
        for i in 0..<60 {
            let t = Double(i) / 8.77
            let frame = ThermalFrame(width: 160, height: 120, pixels: [UInt16](repeating: 30_000, count: 160 * 120), timestamp: t, sequence: UInt64(i))
            var step = LaneCore.Step()
            if i == 20 {
                var measured = LaneEvent(type: .measured, lane: "lane-1", t: t)
                measured.verdict = .elevated
                step.events = [measured]
            }
            written += clips.add(.frame(frame), step)
        }
        #expect(written.count == 1)
        for clip in written { await clip.writing.value }
        #expect(written.first?.path == directory + "/elevated-lane-1-1700000000000.cptv")
        let contents = try CPTVFile.read(path: try #require(written.first?.path))
        #expect(contents.frames.count >= 20)
    }
}
