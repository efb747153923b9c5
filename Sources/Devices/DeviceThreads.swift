import Foundation
import Synchronization

/// Counts device threads that still have cleanup to do (a scanner re-attaching its kernel driver). A process that
/// is about to exit waits for them, so a stopped service leaves every device as it found it.
public enum DeviceThreads {
    private static let running = Mutex(0)

    static func started() { running.withLock { $0 += 1 } }
    static func finished() { running.withLock { $0 -= 1 } }

    /// Runs `body` on a thread of its own and returns its events as a stream. Ending the stream (the consumer
    /// stops or is cancelled) sets the stop flag; the stream finishes once `body` has cleaned up and returned.
    static func stream<Event: Sendable>(
        named name: String, bufferingNewest limit: Int,
        _ body: @escaping @Sendable (AsyncStream<Event>.Continuation, StopFlag) -> Void
    ) -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(limit))
        let stop = StopFlag()
        continuation.onTermination = { _ in stop.set() }
        started()
        let thread = Thread {
            body(continuation, stop)
            continuation.finish()
            finished()
        }
        thread.name = name
        thread.start()
        return stream
    }

    public static var count: Int { running.withLock { $0 } }

    /// Waits until every device thread has finished, or `timeout` seconds. Returns whether they all finished.
    @discardableResult
    public static func waitForAll(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while count > 0 {
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return true
    }
}
