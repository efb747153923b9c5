import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Whether PostgreSQL answers, as a probe every half second sees it. While it does not, the hub answers lanes 503
/// at once and `/healthz` says so, instead of each request waiting for a connection the pool cannot make (22 s
/// before the first 503, longer than a lane's 20 s timeout, and `/healthz` silent for 45 s).
public final class DatabaseHealth: Sendable {
    public struct State: Sendable, Equatable {
        public var answering: Bool
        public var since: Date
        public var reason: String?
    }

    private let state: Mutex<State>
    /// How long a probe may take; slower counts as not answering.
    let probeTimeout: Duration
    let interval: Duration
    /// Failed probes in a row before the database counts as away (one slow probe under load is not an outage).
    let failuresToDown: Int

    public init(probeTimeout: Duration = .milliseconds(800), interval: Duration = .milliseconds(500), failuresToDown: Int = 2, now: Date = Date()) {
        state = Mutex(State(answering: true, since: now, reason: nil))
        self.probeTimeout = probeTimeout
        self.interval = interval
        self.failuresToDown = failuresToDown
    }

    public var current: State { state.withLock { $0 } }

    /// While the database counts as away, a request asks once more (0.5 s at most) before it is refused: the probe
    /// needs up to half a second to see it back, and a lane's batch or a report just after a restart should not be
    /// the one refused. Returns whether the database answers.
    func confirmAway(probe: @escaping @Sendable () async throws -> Void, logger: Logger) async -> Bool {
        guard !current.answering else { return false }
        do {
            try await withDeadline(.milliseconds(500), probe)
            record(success: true, reason: nil, at: Date(), failures: 0, logger: logger)
            return false
        } catch {
            return true
        }
    }

    func record(success: Bool, reason: String?, at now: Date, failures: Int, logger: Logger) {
        state.withLock { state in
            if success, !state.answering {
                logger.notice("the database answers again (it was away for \(Int(now.timeIntervalSince(state.since))) s)")
                state = State(answering: true, since: now, reason: nil)
            } else if !success, state.answering, failures >= failuresToDown {
                logger.error("the database is not answering (\(reason ?? "no answer")): lanes are answered 503 until it does")
                state = State(answering: false, since: now, reason: reason)
            }
        }
    }

    /// Probes until the hub shuts down.
    func run(probe: @escaping @Sendable () async throws -> Void, logger: Logger) async {
        var failures = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await withDeadline(probeTimeout, probe)
                failures = 0
                record(success: true, reason: nil, at: Date(), failures: 0, logger: logger)
            } catch {
                failures += 1
                let reason = error is DeadlineExceeded ? "no answer within \(probeTimeout)" : String(describing: error).prefix(200).description
                record(success: false, reason: reason, at: Date(), failures: failures, logger: logger)
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) } } catch { return }
        }
    }
}

struct DeadlineExceeded: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "no answer within \(limit)" }
}

/// Runs `operation`, but returns (throwing `DeadlineExceeded`) after `limit` even when the operation does not notice
/// its cancellation at once: a task group would wait for it, which is the wait this exists to avoid.
func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let work = Task { try await operation() }
    let waiting = Waiting<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            waiting.set(continuation)
            Task {
                let result = await work.result
                waiting.take()?.resume(with: result)
            }
            Task {
                try? await Task.sleep(for: limit)
                if let continuation = waiting.take() {
                    work.cancel()
                    continuation.resume(throwing: DeadlineExceeded(limit: limit))
                }
            }
        }
    } onCancel: {
        work.cancel()
    }
}

/// The continuation of `withDeadline`, resumed by whichever comes first: the result or the deadline.
private final class Waiting<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)
    func set(_ c: CheckedContinuation<T, any Error>) { continuation.withLock { $0 = c } }
    func take() -> CheckedContinuation<T, any Error>? { continuation.withLock { $0.take() } }
}
