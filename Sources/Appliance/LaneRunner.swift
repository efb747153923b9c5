import Declarations
import Foundation
import Lane
import LaneFeed
import Logging
import Screening
import ServiceLifecycle
import Store
import Synchronization
import Thermal

/// Runs one lane: merges its devices' streams and a tick into one ordered input stream and feeds `LaneCore`;
/// each step goes to the durable recorder (stored, then published) and, when clips are kept, to the clip recorder.
///
/// Frames are expendable: while `maxPendingFrames` wait for the lane, a newly arriving one is dropped (and
/// counted), so a lane that falls behind skips frames instead of falling further behind; the engine copes with
/// gaps. Scans and status changes are never dropped.
final class LaneRunner: Service {
    let laneID: String
    /// The lane's logic as it starts; `run()` owns the running copy (only its loop touches it, so no lock).
    private let initialCore: LaneCore
    private let camera: any ThermalCamera
    private let scanners: [any CodeScanner]
    private let timeline: any LaneTimeline
    private let recorder: DurableRecorder
    private let clipRecorder: ClipRecorder?
    private let hub: LaneEventHub
    private let logger: Logger
    private let pendingFrames = Atomic<Int>(0)
    /// When the lane's loop last took an input (a tick arrives every 250 ms even with no camera): the watchdog's
    /// proof that the lane is alive.
    private let lastInput = Mutex(ContinuousClock.now)

    /// How long since the lane's loop last took an input.
    var sinceLastInput: Duration { ContinuousClock.now - lastInput.withLock { $0 } }
    private let metrics: LaneMetrics
    private let frameCounters: LaneMetrics.FrameCounters
    private let frames: LatestFrames
    static let maxPendingFrames = 8
    static let tickInterval = Duration.milliseconds(250)

    init(
        core: LaneCore, camera: any ThermalCamera, scanners: [any CodeScanner], timeline: any LaneTimeline,
        store: LaneStore, hub: LaneEventHub, logger: Logger, clipDirectory: String? = nil, spillDirectory: String? = nil,
        metrics: LaneMetrics = LaneMetrics(), frames: LatestFrames = LatestFrames()
    ) {
        self.metrics = metrics
        frameCounters = metrics.frameCounters(lane: core.laneID)
        self.frames = frames
        laneID = core.laneID
        initialCore = core
        self.camera = camera
        self.scanners = scanners
        self.timeline = timeline
        self.hub = hub
        var logger = logger
        logger[metadataKey: "lane"] = "\(core.laneID)"
        self.logger = logger
        recorder = DurableRecorder(
            laneID: core.laneID, store: store, metrics: metrics, logger: logger,
            spill: spillDirectory.map { HeldStepSpill(directory: $0, laneID: core.laneID) }, laneTime: { timeline.now() },
            publish: { events in await hub.publish(events) })
        clipRecorder = clipDirectory.map { ClipRecorder(laneID: core.laneID, directory: $0, logger: logger) }
    }

    func run() async throws {
        // The database opened, so storage starts as working (a failed commit turns it red).
        await hub.publish([await recorder.storageEvent(.online)])
        await recorder.recoverSpilled()
        var core = initialCore
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
                let step = core.handle(input)
                clipRecorder?.add(input, step)
                if !step.isEmpty { await recorder.record(step) }
                if case .frame(let frame) = input { timeline.frameScreened(at: frame.timestamp) }
            }
            group.cancelAll()
        }
        logger.info("lane stopped")
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
}
