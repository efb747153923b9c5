import Foundation
import Logging
import ServiceLifecycle

/// Erases tracing pseudonyms once they are older than the retention (`[tracing] retention_days`), at start and
/// every hour after. Only the pseudonym goes: the passage, its verdict and the counts built on it stay.
struct PseudonymRetention: Sendable {
    let days: Int
    let database: HubDatabase
    let now: @Sendable () -> Date
    let logger: Logger
    static let interval = Duration.seconds(3600)

    func run() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await runOnce()
            // The hub's shutdown ends the wait (a plain sleep held SIGTERM for up to an hour).
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) } } catch { return }
        }
    }

    /// One pass; a database that is away is tried again at the next pass (the health probe reports it).
    func runOnce() async {
        let cutoff = now().addingTimeInterval(-Double(days) * 86_400)
        do {
            let erased = try await database.erasePseudonyms(before: cutoff)
            if erased > 0 { logger.notice("tracing retention: \(erased) pseudonyms older than \(days) days erased") }
        } catch {
            logger.warning("tracing retention could not run (tried again in an hour): \(String(reflecting: error))")
        }
    }
}
