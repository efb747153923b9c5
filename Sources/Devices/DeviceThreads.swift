import Foundation
import Synchronization

/// Counts device threads that still have cleanup to do (a scanner re-attaching its kernel driver). A process that
/// is about to exit waits for them, so a stopped service leaves every device as it found it.
public enum DeviceThreads {
    private static let running = Mutex(0)

    static func started() { running.withLock { $0 += 1 } }
    static func finished() { running.withLock { $0 -= 1 } }

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
