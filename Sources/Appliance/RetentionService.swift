import Foundation
import Logging
import ServiceLifecycle
import Store

/// Deletes full QR payloads and lane events older than the retention period: at start, then every hour. Logs
/// counts only.
struct RetentionService: Service {
    let store: LaneStore
    let days: Int
    let logger: Logger
    static let interval = Duration.seconds(3600)

    func run() async throws {
        repeat {
            do {
                let cutoff = Date().addingTimeInterval(-Double(days) * 86400)
                let removed = try await store.purgePayloads(before: cutoff)
                if removed > 0 { logger.notice("deleted the full payloads of \(removed) passage(s) older than \(days) days") }
                let events = try await store.purgeEvents(before: cutoff)
                if events > 0 { logger.notice("deleted \(events) lane event(s) older than \(days) days") }
                // The log's old page images still hold what was just erased: fold them into the (zeroed) file.
                if removed > 0 { try? await store.checkpoint() }
            } catch {
                logger.error("could not delete expired payloads: \(error)")
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) } } catch { return }
        } while !Task.isCancelled
    }
}
