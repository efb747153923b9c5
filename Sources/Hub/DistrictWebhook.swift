import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import UplinkProtocol

/// Pushes a district's new passages to its health centre's webhook, in order, a page at a time. Its queue is its
/// cursor in PostgreSQL (`district_webhook.delivered_seq`): a hub restart resumes where it stopped, a district
/// that is down only delays itself, and the centre may receive a page twice (after a lost answer) but never
/// misses one, so it should de-duplicate by `key`.
public struct DistrictWebhook: Service {
    let district: HubConfig.District
    let url: String
    let database: HubDatabase
    let client: HTTPClient
    let backoff: Backoff
    let idle: Duration
    let logger: Logger

    public init(district: HubConfig.District, database: HubDatabase, client: HTTPClient, backoff: Backoff = Backoff(base: 1, cap: 120), idle: Duration = .seconds(2), logger: Logger) {
        self.district = district
        self.url = district.webhookURL ?? ""
        self.database = database
        self.client = client
        self.backoff = backoff
        self.idle = idle
        self.logger = logger
    }

    public func run() async throws {
        var failures = 0
        while !Task.isCancelledOrShuttingDown {
            var wait = idle
            do {
                if try await deliverPage() { wait = .zero }
                failures = 0
            } catch {
                failures += 1
                let message = "\(error)"
                logger.warning("district \(district.id) webhook failed (\(failures) in a row): \(message)")
                try? await database.webhookFailed(district.id, error: message)
                wait = .milliseconds(Int64(backoff.delay(afterFailures: failures, random: { Double.random(in: 0..<1) }) * 1000))
            }
            if wait > .zero {
                let pause = wait
                do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) } } catch { return }
            }
        }
    }

    /// Sends the next page. Returns whether there was one (so the next follows at once).
    func deliverPage() async throws -> Bool {
        let cursor = try await database.webhookCursor(district.id)
        let passages = try await database.districtPassages(district.id, since: cursor, limit: 200)
        guard let last = passages.last else { return false }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token = district.webhookToken { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(DistrictFeedPage(district: district.id, passages: passages, next: last.seq))))
        let response = try await client.execute(request, timeout: .seconds(20))
        _ = try? await response.body.collect(upTo: 64 << 10)
        guard (200..<300).contains(response.status.code) else { throw WebhookError(status: Int(response.status.code)) }
        try await database.webhookDelivered(district.id, through: last.seq)
        return true
    }

    struct WebhookError: Error, CustomStringConvertible {
        let status: Int
        var description: String { "HTTP \(status) from the district's webhook" }
    }
}

extension Task where Success == Never, Failure == Never {
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
