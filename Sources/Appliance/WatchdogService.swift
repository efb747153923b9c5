import Devices
import Logging
import ServiceLifecycle

/// Feeds systemd's watchdog while every lane's loop is alive, and says STOPPING=1 when the service stops. A lane
/// whose loop has not taken an input (frames, scans or its 250 ms tick) for `stallLimit` stops the feeding, and
/// systemd restarts the service after `WatchdogSec`.
struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Duration
    let lanes: [LaneRunner]
    let logger: Logger
    static let stallLimit = Duration.seconds(5)

    func run() async throws {
        var reported = false
        while !Task.isCancelled {
            let stalled = lanes.filter { $0.sinceLastInput > Self.stallLimit }
            if stalled.isEmpty {
                notifier.send("WATCHDOG=1")
                reported = false
            } else if !reported {
                logger.critical("lane(s) \(stalled.map(\.laneID).joined(separator: ", ")) stuck: not feeding the watchdog, systemd will restart the service")
                reported = true
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { break }
            if Task.isShuttingDownGracefully { break }
        }
        notifier.send("STOPPING=1")
    }
}
