import Foundation
import Hummingbird
import Lane
import LaneFeed
import Logging
import NIOCore
import ServerLimits
import ServiceLifecycle

/// The lane display's HTTP server: the lane page per lane, its server-sent event stream, and a small JSON API.
/// The lane page is read-only: it only has GET routes.
public enum LaneDisplayServer {
    public struct LaneInfo: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public var idlePrompt: Prompt
        /// The blackbody disc in the upright image, `[x, y, radius]`, marked on the thermal view (nil: none or
        /// found automatically).
        public var reference: [Int]?
        public init(id: String, name: String, idlePrompt: Prompt, reference: [Int]? = nil) {
            self.id = id
            self.name = name
            self.idlePrompt = idlePrompt
            self.reference = reference
        }
    }

    /// Builds the application; run it as a service (it stops on graceful shutdown, open event streams included).
    /// Every route is a GET: nothing on this listener changes anything.
    public static func makeApplication(
        lanes: [LaneInfo], hub: LaneEventHub, frames: LatestFrames = LatestFrames(), metrics: LaneMetrics? = nil,
        host: String, port: Int, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/") { _, _ in try page(lanes, index: 1) }
        router.get("/lane/:n") { _, context in try page(lanes, index: try context.parameters.require("n", as: Int.self)) }
        router.get("/events") { _, _ in try events(lanes, index: 1, hub: hub) }
        router.get("/lane/:n/events") { _, context in
            try events(lanes, index: try context.parameters.require("n", as: Int.self), hub: hub)
        }
        router.get("/thermal.bmp") { _, _ in try thermal(lanes, index: 1, frames: frames) }
        router.get("/lane/:n/thermal.bmp") { _, context in
            try thermal(lanes, index: try context.parameters.require("n", as: Int.self), frames: frames)
        }
        router.get("/api/lanes") { _, _ in try json(lanes) }
        // Device health per lane (statuses only, nothing personal): `checkpointctl selftest` asks the running service.
        router.get("/api/health") { _, _ in try json(await hub.health()) }
        router.get("/healthz") { _, _ in "ok\n" }
        if let metrics { router.get("/metrics") { _, _ in metricsResponse(metrics) } }
        return Application(
            router: router, server: ServerLimits.lanePage.http1,
            configuration: ServerLimits.lanePage.configuration(address: .hostname(host, port: port), serverName: "checkpointd", logger: logger),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    static func lane(_ lanes: [LaneInfo], _ index: Int) throws -> LaneInfo {
        guard index >= 1 && index <= lanes.count else {
            throw HTTPError(.notFound, message: "no lane \(index) on this checkpoint (it has \(lanes.count))")
        }
        return lanes[index - 1]
    }

    static func page(_ lanes: [LaneInfo], index: Int) throws -> Response {
        let info = try lane(lanes, index)
        let prefix = index == 1 ? "" : "/lane/\(index)"
        let html = LanePage.html(lane: info, eventsPath: prefix + "/events", thermalPath: prefix + "/thermal.bmp")
        return Response(
            status: .ok,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// How often an open event stream carries a heartbeat (`event: alive` with the service's clock): a page that
    /// hears nothing for a few seconds shows "out of service" instead of a verdict it cannot vouch for.
    static let heartbeatInterval = Duration.seconds(1)

    static func events(_ lanes: [LaneInfo], index: Int, hub: LaneEventHub) throws -> Response {
        let info = try lane(lanes, index)
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: .init { writer in
                let chunks = await eventStreamChunks(lane: info.id, hub: hub)
                // An endless stream would hold the server open past SIGTERM: end it on graceful shutdown.
                for await chunk in chunks.cancelOnGracefulShutdown() {
                    try await writer.write(ByteBuffer(string: chunk))
                }
                try await writer.finish(nil)
            })
    }

    /// The text of one page's event stream: the retry hint and a first heartbeat, the lane's replayed and live
    /// events as `data:` lines, and a heartbeat every second. Ends when the hub ends the lane's stream.
    static func eventStreamChunks(lane: String, hub: LaneEventHub) async -> AsyncStream<String> {
        let events = await hub.subscribe(lane: lane)
        let (chunks, sink) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(256))
        sink.yield("retry: 1000\n\n" + heartbeat())
        let feeder = Task {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    for await event in events {
                        guard let data = try? encoder.encode(event) else { continue }
                        sink.yield("data: \(String(decoding: data, as: UTF8.self))\n\n")
                    }
                    sink.finish()
                }
                group.addTask {
                    while true {
                        do { try await Task.sleep(for: heartbeatInterval) } catch { return }
                        sink.yield(heartbeat())
                    }
                }
            }
        }
        sink.onTermination = { _ in feeder.cancel() }
        return chunks
    }

    static func heartbeat() -> String {
        "event: alive\ndata: {\"at\":\"\(Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)))\"}\n\n"
    }

    static func thermal(_ lanes: [LaneInfo], index: Int, frames: LatestFrames) throws -> Response {
        let info = try lane(lanes, index)
        guard let frame = frames.frame(lane: info.id) else {
            throw HTTPError(.notFound, message: "no frame from lane \(index)'s camera yet")
        }
        return Response(
            status: .ok, headers: [.contentType: "image/bmp", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: ThermalImage.bmp(frame))))
    }

    static func metricsResponse(_ metrics: LaneMetrics) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
    }

    static func json(_ value: some Encodable) throws -> Response {
        let data = try JSONEncoder().encode(value)
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
