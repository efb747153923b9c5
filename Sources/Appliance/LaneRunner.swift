import Declarations
import Foundation
import Lane
import LaneDisplay
import Logging
import Screening
import ServiceLifecycle
import Store
import Synchronization

/// Runs one lane: merges its devices' streams and a tick into one ordered input stream, feeds `LaneCore`, makes
/// each step durable in the store, and only then publishes its events to the display.
///
/// Frames are expendable (a lane that falls behind drops the oldest ones; the engine copes), scans and status
/// changes are not: they always get through.
final class LaneRunner: Service {
    let laneID: String
    private let core: Mutex<LaneCore>
    private let camera: any ThermalCamera
    private let scanners: [any CodeScanner]
    private let timeline: any LaneTimeline
    private let store: LaneStore
    private let hub: LaneEventHub
    private let logger: Logger
    private let pendingFrames = Atomic<Int>(0)
    /// When the lane's loop last took an input (a tick arrives every 250 ms even with no camera): the watchdog's
    /// proof that the lane is alive.
    private let lastInput = Mutex(ContinuousClock.now)

    /// How long since the lane's loop last took an input.
    var sinceLastInput: Duration { ContinuousClock.now - lastInput.withLock { $0 } }
    /// Where audit clips of elevated readings go (nil: not recorded).
    private let clipDirectory: String?
    private let clips = Mutex(ElevatedClips())
    private let metrics: LaneMetrics
    private let frameCounters: LaneMetrics.FrameCounters
    private let frames: LatestFrames
    static let maxPendingFrames = 8
    static let tickInterval = Duration.milliseconds(250)

    init(
        core: LaneCore, camera: any ThermalCamera, scanners: [any CodeScanner], timeline: any LaneTimeline,
        store: LaneStore, hub: LaneEventHub, logger: Logger, clipDirectory: String? = nil,
        metrics: LaneMetrics = LaneMetrics(), frames: LatestFrames = LatestFrames()
    ) {
        self.metrics = metrics
        frameCounters = metrics.frameCounters(lane: core.laneID)
        self.frames = frames
        self.clipDirectory = clipDirectory
        laneID = core.laneID
        self.core = Mutex(core)
        self.camera = camera
        self.scanners = scanners
        self.timeline = timeline
        self.store = store
        self.hub = hub
        var logger = logger
        logger[metadataKey: "lane"] = "\(core.laneID)"
        self.logger = logger
    }

    func run() async throws {
        // The database opened, so storage starts as working (a failed commit turns it red).
        await hub.publish([storageEvent(.online)])
        let (inputs, sink) = AsyncStream.makeStream(of: LaneCore.Input.self)
        await withDiscardingTaskGroup { group in
            group.addTask { await self.forwardCamera(into: sink) }
            for scanner in scanners { group.addTask { await self.forward(scanner, into: sink) } }
            group.addTask {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: Self.tickInterval) } catch { break }
                    sink.yield(.tick(self.timeline.now()))
                }
            }
            for await input in inputs.cancelOnGracefulShutdown() {
                lastInput.withLock { $0 = ContinuousClock.now }
                count(input)
                let step = core.withLock { $0.handle(input) }
                if clipDirectory != nil { keepClips(input, step) }
                if !step.isEmpty { await record(step) }
            }
            group.cancelAll()
        }
        logger.info("lane stopped")
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

    private func forwardCamera(into sink: AsyncStream<LaneCore.Input>.Continuation) async {
        for await event in camera.events() {
            switch event {
            case .frame(let frame):
                if pendingFrames.load(ordering: .relaxed) >= Self.maxPendingFrames {
                    frameCounters.drop()
                    continue
                }
                pendingFrames.add(1, ordering: .relaxed)
                sink.yield(.frame(frame))
            case .status(let status):
                logger.notice("camera \(status.rawValue)", metadata: ["device": "\(camera.name)"])
                sink.yield(.device(name: camera.name, status: status, time: timeline.now()))
            case .problem(let reason):
                logger.warning("camera problem: \(reason)", metadata: ["device": "\(camera.name)"])
            }
        }
    }

    private func forward(_ scanner: any CodeScanner, into sink: AsyncStream<LaneCore.Input>.Continuation) async {
        for await event in scanner.events() {
            switch event {
            case .scan(let scan): sink.yield(.scan(scan))
            case .rejected(let time, let reason):
                logger.warning("scan rejected: \(reason)", metadata: ["device": "\(scanner.name)"])
                sink.yield(.scanRejected(time: time, reason: reason))
            case .status(let status):
                logger.notice("scanner \(status.rawValue)", metadata: ["device": "\(scanner.name)"])
                sink.yield(.device(name: scanner.name, status: status, time: timeline.now()))
            case .problem(let text):
                logger.notice("scanner: \(text)", metadata: ["device": "\(scanner.name)"])
            }
        }
    }

    private func count(_ input: LaneCore.Input) {
        switch input {
        case .frame(let frame):
            pendingFrames.subtract(1, ordering: .relaxed)
            frameCounters.frame()
            frames.update(lane: laneID, frame: frame)
        case .scan: metrics.scan(lane: laneID, outcome: "accepted")
        case .scanRejected: metrics.scan(lane: laneID, outcome: "rejected")
        default: break
        }
    }

    /// Saves the frames around each elevated reading as a CPTV clip (written off the lane's path).
    private func keepClips(_ input: LaneCore.Input, _ step: LaneCore.Step) {
        guard case .frame(let frame) = input, let directory = clipDirectory else { return }
        let finished = clips.withLock { clips in
            for event in step.events where event.type == .measured && event.verdict == .elevated { clips.trigger(at: event.t) }
            return clips.add(frame)
        }
        for clip in finished {
            let name = "\(directory)/elevated-\(laneID)-\(Int(Date().timeIntervalSince1970 * 1000)).cptv"
            let logger = self.logger
            Task.detached(priority: .utility) {
                do {
                    try ClipWriter.write(clip, to: name)
                    logger.notice("saved audit clip of an elevated reading (\(clip.count) frames)")
                } catch {
                    logger.error("could not save an audit clip: \(error)")
                }
            }
        }
    }

    /// Durable first, then visible. Log lines carry verdicts and reasons, never names or ID numbers.
    ///
    /// When a commit fails (disk full, read-only disk, database size cap), nothing of that step is written (one
    /// transaction), the lane keeps screening and shows "storage" offline, and the step is held in memory and
    /// written, in order, as soon as a commit succeeds again.
    private func record(_ step: LaneCore.Step) async {
        if !(await flushUnsaved()) {
            hold(step)
            await hub.publish(step.events)
            return
        }
        do {
            let started = ContinuousClock.now
            // Not cancelled with the lane: a service stopping (or failing elsewhere) finishes the commit it started,
            // or the passage in it would be lost with the process.
            let store = store
            let events = try await Task.detached { try await store.commit(step, at: Date()) }.value
            metrics.commit(seconds: (ContinuousClock.now - started) / .seconds(1))
            for passage in step.passages { metrics.passage(lane: laneID, verdict: passage.measurement?.verdict.rawValue ?? "none") }
            for event in step.events where event.type == .retry { metrics.retry(lane: laneID, reason: event.reason ?? "?") }
            await hub.publish(events)
            for event in events { log(event) }
        } catch {
            metrics.storageFailure(lane: laneID)
            logger.error("storage failure: \(error); screening goes on, passages are held in memory")
            hold(step)
            await hub.publish(step.events + [storageEvent(.offline)])
        }
    }

    /// Steps whose commit failed, oldest first, with the wall time they happened.
    private let unsaved = Mutex<[(step: LaneCore.Step, at: Date)]>([])
    /// Held steps beyond this are dropped (and counted in the log): about a day of a busy lane.
    static let maxUnsavedSteps = 20_000

    private func hold(_ step: LaneCore.Step) {
        guard !step.passages.isEmpty || step.events.contains(where: { $0.type != .retry }) else { return }
        let dropped = unsaved.withLock { held -> Int in
            held.append((step, Date()))
            let over = max(0, held.count - Self.maxUnsavedSteps)
            held.removeFirst(over)
            return over
        }
        if dropped > 0 { logger.critical("storage still failing: \(dropped) held step(s) dropped") }
    }

    /// Writes the held steps in order. True when none is left.
    private func flushUnsaved() async -> Bool {
        let held = unsaved.withLock { $0 }
        guard !held.isEmpty else { return true }
        var written = 0
        for entry in held {
            let store = store
            do { _ = try await Task.detached { try await store.commit(entry.step, at: entry.at) }.value } catch { break }
            written += 1
        }
        unsaved.withLock { $0.removeFirst(min(written, $0.count)) }
        guard written == held.count else { return false }
        logger.notice("storage back: wrote \(held.reduce(0) { $0 + $1.step.passages.count }) passage(s) held in memory")
        await hub.publish([storageEvent(.online)])
        return true
    }

    private func storageEvent(_ status: DeviceStatus) -> LaneEvent {
        var event = LaneEvent(type: .device, lane: laneID, t: timeline.now())
        event.device = "storage"
        event.status = status
        return event
    }

    private func log(_ event: LaneEvent) {
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
            logger.warning("screening paused: \(Self.pauseExplanation(event.reason))", metadata: metadata)
        case .resumed: logger.notice("screening resumed")
        case .retry: logger.debug("retry: \(event.reason ?? "?")")
        default: break
        }
    }
}
