import AsyncHTTPClient
import NIOSSL
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import UnixSignals

/// The hub's composition root: the PostgreSQL client, the schema brought up to date, the HTTP(S) API and one
/// webhook per district that has one, run as one service group.
public struct HubService: Sendable {
    public let config: HubConfig
    let logger: Logger

    public init(config: HubConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// Runs until SIGTERM/SIGINT (or until `group.triggerGracefulShutdown()` when `signals` is false).
    public func serviceGroup(signals: Bool = true, now: @escaping @Sendable () -> Date = { Date() }, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> ServiceGroup {
        let client = HubDatabase.client(config.database, logger: logger)
        let database = HubDatabase(client: client, logger: logger)
        let main = HubMain(config: config, database: database, now: now, logger: logger, onRunning: onRunning)
        return ServiceGroup(
            configuration: .init(
                services: [.init(service: client), .init(service: main, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: signals ? [.sigterm, .sigint] : [], logger: logger))
    }
}

/// Waits for the database (a hub may start before PostgreSQL), migrates it, then serves.
struct HubMain: Service {
    let config: HubConfig
    let database: HubDatabase
    let now: @Sendable () -> Date
    let logger: Logger
    let onRunning: @Sendable (Int) async -> Void

    func run() async throws {
        var attempt = 0
        while true {
            do {
                try await database.migrate()
                break
            } catch {
                attempt += 1
                if attempt == 1 || attempt % 15 == 0 { logger.warning("the database is not ready (\(String(reflecting: error))); trying again every 2 s") }
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(2)) }
            }
        }
        let health = DatabaseHealth()
        let app = try HubServer.application(
            .init(config: config, database: database, health: health, now: now), logger: logger,
            onRunning: { [logger, config] port in
                logger.notice("checkpoint-hub listening on \(config.tls == nil ? "http" : "https")://\(config.host):\(port) with \(config.lanesByTokenHash.count) lanes, \(config.districts.count) districts")
                await onRunning(port)
            })
        let webhooks = config.districts.values.filter { $0.webhookURL != nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(tlsConfiguration: tls, timeout: .init(connect: .seconds(5), read: .seconds(20))))
        let (host, port) = (config.host, config.port)
        do {
            // The listener failing ends the hub with an error (exit 1, so systemd restarts it): webhooks without a
            // listener are no service, and a hub that exited 0 on "Address already in use" was never restarted.
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    do { try await app.run() } catch is CancellationError {
                    } catch {
                        throw HubListenerFailure(host: host, port: port, underlying: String(describing: error))
                    }
                }
                group.addTask { [logger] in await health.run(probe: { try await database.ping() }, logger: logger) }
                if let tracing = config.tracing {
                    let retention = PseudonymRetention(days: tracing.retentionDays, database: database, now: now, logger: logger)
                    group.addTask { await retention.run() }
                }
                for district in webhooks {
                    let webhook = DistrictWebhook(district: district, database: database, client: http, logger: logger)
                    group.addTask {
                        do { try await webhook.run() } catch { logger.error("district \(district.id) webhook stopped: \(error)") }
                    }
                }
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try? await http.shutdown()
    }
}

/// The hub's listener could not start or stopped with an error, named with its address.
public struct HubListenerFailure: Error, CustomStringConvertible {
    public let host: String, port: Int
    public let underlying: String

    public var description: String {
        "cannot listen on \(host):\(port): \(underlying)"
            + (underlying.contains("in use") ? "; another program (or a second hub) holds it: `ss -ltnp 'sport = :\(port)'` shows which" : "")
    }
}
