import Foundation
import Lane
import LaneFeed
import Logging
import ServiceLifecycle
import Store
import Uplink
import UplinkProtocol

/// Sends each lane's outbox to the provincial hub and shows how it goes: on the status strip ("Gửi dữ liệu /
/// Uplink ✔ 0 chờ", or "✖ no link · 120 waiting · 14 min") and in `/metrics` (backlog, oldest age, sent,
/// failures per lane). Every lane drains on its own, with its own backoff, so one lane's refused token does
/// not hold the others. Without `[uplink]` it only reports the outbox as "not set · N waiting".
struct UplinkService: Service {
    let lanes: [String]
    let store: LaneStore
    let hub: LaneEventHub
    let metrics: LaneMetrics
    let settings: UplinkSettings?
    let timeline: @Sendable () -> Double
    let logger: Logger
    static let statusInterval = Duration.seconds(5)

    func run() async throws {
        // The client lives as long as this service: async-http-client must be shut down before it is released.
        let transport = try settings.map { settings throws(UplinkSetupError) in try HTTPSUplinkTransport(settings: settings) }
        await withDiscardingTaskGroup { group in
            group.addTask { await reportStatus() }
            if let settings, let transport {
                for lane in lanes {
                    let drainer = UplinkDrainer(lane: lane, settings: settings, store: store, transport: transport)
                    group.addTask { await drain(drainer, settings: settings) }
                }
            }
        }
        await transport?.shutdown()
    }

    /// One lane's loop: send while there is something to send, wait `interval_s` when idle, back off on failure.
    func drain(_ drainer: UplinkDrainer, settings: UplinkSettings) async {
        var failures = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            var pause: Double = 0
            do {
                // A shutdown cancels an upload in flight: the service stops within its 2 s whatever the hub does.
                let step: UplinkDrainer.Step
                do { step = try await cancelWhenGracefulShutdown { try await drainer.step() } } catch is CancellationError { return }
                switch step {
                case .sent(let n, let duplicates):
                    if failures > 0 { logger.notice("uplink \(drainer.lane): the hub answers again (\(n) passages acknowledged)") }
                    if duplicates > 0 { logger.info("uplink \(drainer.lane): \(duplicates) passages were already at the hub (a lost answer, resent)") }
                    metrics.uplinkSent(lane: drainer.lane, n)
                    failures = 0
                case .narrowed(let setAside):
                    if setAside > 0 { logger.error("uplink \(drainer.lane): the hub refused \(setAside) passages; they are set aside (checkpointctl uplink status)") }
                case .idle:
                    failures = 0
                    pause = settings.idleInterval
                case .failed(let message):
                    failures += 1
                    metrics.uplinkFailure(lane: drainer.lane)
                    // The first failure and then one in ten: a day offline must not fill the journal.
                    if failures == 1 || failures % 10 == 0 { logger.warning("uplink \(drainer.lane): \(message) (\(failures) in a row; passages wait)") }
                    pause = settings.backoff.delay(afterFailures: failures, random: { Double.random(in: 0..<1) })
                }
            } catch {
                failures += 1
                logger.error("uplink \(drainer.lane): the outbox cannot be read: \(error)")
                pause = settings.backoff.delay(afterFailures: failures, random: { Double.random(in: 0..<1) })
            }
            if pause > 0 {
                let wait = Duration.milliseconds(Int64(pause * 1000))
                do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) } } catch { return }
            }
        }
    }

    /// Publishes each lane's uplink state to the strip and the gauges.
    func reportStatus() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let now = Date()
                let statuses = try await store.uplinkStatus(lanes: lanes)
                await hub.publish(statuses.filter { lanes.contains($0.lane) }.map { status in
                    let age = status.oldestWaiting.flatMap(UplinkValidation.parseTimestamp).map { now.timeIntervalSince($0) }
                    metrics.uplinkBacklog(lane: status.lane, passages: status.waiting, oldestSeconds: age ?? 0)
                    let (state, reason) = UplinkStrip.state(status, configured: settings != nil, oldestAge: age)
                    return LaneEvent.device("uplink", state, lane: status.lane, t: timeline(), reason: reason)
                })
            } catch {
                logger.warning("cannot read the uplink status: \(error)")
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.statusInterval) } } catch { return }
        }
    }
}

/// The status strip's uplink cell: healthy when the last attempt succeeded (or nothing was ever due), else "no link",
/// with the count waiting and, from a minute on, the age of the oldest (Vietnamese first).
public enum UplinkStrip {
    public static func state(_ s: UplinkLaneStatus, configured: Bool, oldestAge: Double?) -> (DeviceStatus?, String) {
        let waiting = "\(s.waiting) chờ / waiting" + (oldestAge.map { $0 >= 60 ? " · \(minutes($0))" : "" } ?? "")
        guard configured else { return (nil, "chưa cài / not set · \(waiting)") }
        let failing = s.lastErrorAt != nil && (s.lastSuccessAt == nil || s.lastErrorAt! > s.lastSuccessAt!)
        if failing && (s.waiting > 0 || s.lastSuccessAt == nil) {
            return (.offline, "mất kết nối / no link · \(waiting)")
        }
        return (.online, waiting)
    }

    static func minutes(_ seconds: Double) -> String {
        seconds < 3600 ? "\(Int(seconds / 60)) phút / min" : String(format: "%.1f giờ / h", seconds / 3600)
    }
}
