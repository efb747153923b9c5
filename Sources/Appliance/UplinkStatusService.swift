import Foundation
import Lane
import LaneDisplay
import Logging
import ServiceLifecycle
import Store

/// Reports the outbox (passages not yet acknowledged by the province) on the status strip and in `/metrics`,
/// every 15 s. The uplink itself is not built yet, so every lane shows it as not configured with the count
/// waiting: staff can see that nothing has left the box.
struct UplinkStatusService: Service {
    let lanes: [String]
    let store: LaneStore
    let hub: LaneEventHub
    let metrics: LaneMetrics
    let now: @Sendable () -> Double
    let logger: Logger
    static let interval = Duration.seconds(15)

    func run() async throws {
        repeat {
            do {
                let waiting = try await store.outboxCount()
                metrics.uplinkBacklog(waiting)
                await hub.publish(lanes.map { lane in
                    var event = LaneEvent(type: .device, lane: lane, t: now())
                    event.device = "uplink"
                    event.reason = "chưa cài / not set · \(waiting) chờ / waiting"
                    return event
                })
            } catch {
                logger.warning("cannot count the outbox: \(error)")
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) } } catch { return }
        } while !Task.isCancelled
    }
}
