import Foundation
import Lane
import Logging
import Synchronization
import Screening
import Thermal

/// Saves the frames around each elevated reading as a CPTV audit clip in `directory`, named from the injected
/// wall clock. Files are written off the lane's path.
struct ClipRecorder: Sendable {
    let laneID: String
    let directory: String
    let wallClock: @Sendable () -> Date
    let logger: Logger
    private let clips = LockedClips()

    init(laneID: String, directory: String, logger: Logger, wallClock: @escaping @Sendable () -> Date = Date.init) {
        self.laneID = laneID
        self.directory = directory
        self.logger = logger
        self.wallClock = wallClock
    }

    /// Feeds one input and the step it gave; returns the paths of clips it started writing.
    @discardableResult
    func add(_ input: LaneCore.Input, _ step: LaneCore.Step) -> [(path: String, writing: Task<Void, Never>)] {
        guard case .frame(let frame) = input else { return [] }
        let finished = clips.state.withLock { clips in
            for event in step.events where event.type == .measured && event.verdict == .elevated { clips.trigger(at: event.t) }
            return clips.add(frame)
        }
        return finished.enumerated().map { index, clip in
            let millis = Int((wallClock().timeIntervalSince1970 * 1000).rounded())
            let path = "\(directory)/elevated-\(laneID)-\(millis)\(index == 0 ? "" : "-\(index)").cptv"
            let logger = logger
            let writing = Task.detached(priority: .utility) {
                do {
                    try ClipWriter.write(clip, to: path)
                    logger.notice("saved audit clip of an elevated reading (\(clip.count) frames)")
                } catch {
                    logger.error("could not save an audit clip: \(error)")
                }
            }
            return (path, writing)
        }
    }
}

private final class LockedClips: Sendable {
    let state = Mutex(ElevatedClips())
}
