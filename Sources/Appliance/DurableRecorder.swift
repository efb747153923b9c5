import Declarations
import Foundation
import Lane
import LaneFeed
import Logging
import Screening
import Store

/// Where a lane's steps are made durable: `LaneStore` in the service, a wrapper that fails on demand in tests.
protocol StepStore: Sendable {
    func commit(_ step: LaneCore.Step, at wallTime: Date) async throws -> [LaneEvent]
}

extension LaneStore: StepStore {}

/// Makes each lane step durable, then visible: commit first, publish the stored events after.
///
/// When a commit fails (disk full, read-only disk, database size cap), nothing of that step is written (one
/// transaction), the lane keeps screening and shows "storage" offline, and the step is held in memory (and in a
/// spill file, so a crash during the outage does not lose it) and written, in order, as soon as a commit succeeds
/// again, also after a restart. A commit once started is finished even when the lane's
/// task is cancelled (the service stopping): the passage in it would otherwise be lost with the process.
actor DurableRecorder {
    let laneID: String
    private let store: any StepStore
    private let publish: @Sendable ([LaneEvent]) async -> Void
    private let metrics: LaneMetrics
    private let logger: Logger
    private let wallClock: @Sendable () -> Date
    private let laneTime: @Sendable () -> Double
    /// Steps whose commit failed, oldest first, with the wall time they happened and their spill sequence number.
    private var unsaved: [(step: LaneCore.Step, at: Date, seq: Int)] = []
    private let spill: HeldStepSpill?
    private var nextSeq = 1
    private var spillFailing = false
    /// Held steps beyond this are dropped (and counted in the log): about a day of a busy lane.
    let maxUnsavedSteps: Int

    init(
        laneID: String, store: any StepStore, metrics: LaneMetrics, logger: Logger, maxUnsavedSteps: Int = 20_000,
        spill: HeldStepSpill? = nil, wallClock: @escaping @Sendable () -> Date = Date.init, laneTime: @escaping @Sendable () -> Double,
        publish: @escaping @Sendable ([LaneEvent]) async -> Void
    ) {
        self.laneID = laneID
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.maxUnsavedSteps = maxUnsavedSteps
        self.spill = spill
        self.wallClock = wallClock
        self.laneTime = laneTime
        self.publish = publish
    }

    /// Steps waiting for storage to come back.
    var heldSteps: Int { unsaved.count }

    /// Takes back the steps a previous run spilled and did not commit (it crashed or was stopped during an outage),
    /// and commits them now if storage allows. Returns how many passages they hold.
    @discardableResult
    func recoverSpilled() async -> Int {
        guard let spill else { return 0 }
        let entries = spill.load()
        guard !entries.isEmpty else {
            spill.clear()
            return 0
        }
        unsaved = entries.map { ($0.step, $0.at, $0.seq) } + unsaved
        nextSeq = (entries.map(\.seq).max() ?? 0) + 1
        let passages = entries.reduce(0) { $0 + $1.step.passages.count }
        logger.notice("recovered \(passages) passage(s) held during a storage failure before the last stop")
        _ = await flushUnsaved()
        return passages
    }

    /// The step, stored and then published; or held and published as it is when storage is failing.
    func record(_ step: LaneCore.Step) async {
        let at = wallClock()
        if !(await flushUnsaved()) {
            hold(step, at: at)
            await publish(step.events)
            return
        }
        do {
            let started = ContinuousClock.now
            let events = try await uncancelledCommit(step, at: at)
            metrics.commit(seconds: (ContinuousClock.now - started) / .seconds(1))
            for passage in step.passages { metrics.passage(lane: laneID, verdict: passage.measurement?.verdict.rawValue ?? "none") }
            for event in step.events where event.type == .retry { metrics.retry(lane: laneID, reason: event.reason ?? "?") }
            await publish(events)
            for event in events { LaneLog.log(event, to: logger) }
        } catch {
            metrics.storageFailure(lane: laneID)
            logger.error("storage failure: \(error); screening goes on, passages are held in memory")
            hold(step, at: at)
            await publish(step.events + [storageEvent(.offline)])
        }
    }

    private func uncancelledCommit(_ step: LaneCore.Step, at: Date) async throws -> [LaneEvent] {
        let store = store
        return try await Task.detached { try await store.commit(step, at: at) }.value
    }

    private func hold(_ step: LaneCore.Step, at: Date) {
        // Retries alone are not worth a day's memory; passages and every other event are.
        guard !step.passages.isEmpty || step.events.contains(where: { $0.type != .retry }) else { return }
        let seq = nextSeq
        nextSeq += 1
        unsaved.append((step, at, seq))
        if let spill, !step.passages.isEmpty {
            do {
                try spill.append(step, at: at, seq: seq)
                spillFailing = false
            } catch {
                if !spillFailing { logger.critical("cannot spill held passages (\(error)): they are in memory only until storage comes back") }
                spillFailing = true
            }
        }
        let over = max(0, unsaved.count - maxUnsavedSteps)
        unsaved.removeFirst(over)
        if over > 0 { logger.critical("storage still failing: \(over) held step(s) dropped") }
    }

    /// Writes the held steps in order. True when none is left.
    private func flushUnsaved() async -> Bool {
        guard !unsaved.isEmpty else { return true }
        let held = unsaved
        var written = 0
        for entry in held {
            do { _ = try await uncancelledCommit(entry.step, at: entry.at) } catch { break }
            written += 1
            try? spill?.committed(through: entry.seq)
        }
        unsaved.removeFirst(min(written, unsaved.count))
        guard written == held.count else { return false }
        spill?.clear()
        logger.notice("storage back: wrote \(held.reduce(0) { $0 + $1.step.passages.count }) passage(s) held in memory")
        await publish([storageEvent(.online)])
        return true
    }

    func storageEvent(_ status: DeviceStatus) -> LaneEvent {
        LaneEvent.device("storage", status, lane: laneID, t: laneTime())
    }
}

/// The lines a lane writes to the journal: verdicts and reasons, never names or ID numbers.
enum LaneLog {
    static func log(_ event: LaneEvent, to logger: Logger) {
        switch event.type {
        case .measured:
            logger.info(
                "measured \(event.verdict?.rawValue ?? "?") \(event.temperatureC.map { String($0) } ?? "?") C ±\(event.uncertaintyC.map { String($0) } ?? "?")")
        case .passage:
            logger.info(
                "passage \(event.passageID.map { String($0) } ?? "?") stored: \(event.outcome?.rawValue ?? "?"), \(event.verdict?.rawValue ?? "no reading"), \(event.declarationKind?.rawValue ?? "no declaration")")
        case .paused:
            var metadata: Logger.Metadata = [:]
            if let contrast = event.referenceContrastC { metadata["reference_contrast_c"] = "\(contrast)" }
            if let scene = event.sceneC { metadata["scene_c"] = "\(scene)" }
            logger.warning("screening paused: \(pauseExplanation(event.reason))", metadata: metadata)
        case .resumed: logger.notice("screening resumed")
        case .retry: logger.debug("retry: \(event.reason ?? "?")")
        default: break
        }
    }

    /// A pause in a technician's words: the cause and what to do about it.
    static func pauseExplanation(_ reason: String?) -> String {
        switch reason.flatMap(PauseReason.init(rawValue:)) {
        case .referenceLowContrast?:
            "reference-low-contrast: the blackbody is barely warmer than the scene; raise its set-point or shade it and its housing from the sun"
        case .referenceCovered?: "reference-covered: something colder than the blackbody is in front of it"
        case .referenceMissing?: "reference-missing: the blackbody is not seen where it should be; is it on and in view?"
        case .referenceMoved?: "reference-moved: the blackbody or the camera moved; run `checkpointctl calibrate reference`"
        case .referenceUnstable?: "reference-unstable: the blackbody's reading wanders; is it still warming up?"
        case .referenceOutsideImage?:
            "reference-outside-image: the blackbody's configured place is outside the camera's (turned) image; check reference_x/reference_y and rotation"
        case .notRadiometric?: "not-radiometric: the camera sends video, not temperatures; check its profile"
        case nil: reason ?? "?"
        }
    }
}
