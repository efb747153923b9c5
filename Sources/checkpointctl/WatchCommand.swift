import Appliance
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Lane
import LaneControl
import NIOCore
import NIOHTTP1
import Synchronization

/// `checkpointctl watch`: a lane, live, over SSH — what its page shows, one line per event in local time.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a lane live: verdicts, retries, pauses, device changes and stored passages, in local time.",
        discussion: """
            Reads the running service's lane page stream (the [display] listener), so it works beside the service.
            It starts with the devices' current states and the lane's last events. Names and ID numbers appear
            only masked, as on the lane page. Ctrl-C stops it. Exit 2 when the service cannot be reached or stops
            answering (no heartbeat for 5 s).
            """)

    @Option(help: "The configuration file.")
    var config = "/etc/checkpoint-lane/checkpoint.toml"

    @Option(help: "The lane's id (default: the first lane).")
    var lane: String?

    @Option(help: "The lane page's address instead of the configuration's (e.g. http://127.0.0.1:8080/lane/2).")
    var url: String?

    @Option(help: "Stop after this many events.")
    var count: Int?

    @Flag(help: "One JSON object per event, as the page receives them.")
    var json = false

    static let silenceLimit = Duration.seconds(5)

    func run() async throws {
        let events = try eventsURL()
        var request = HTTPClientRequest(url: events)
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response: HTTPClientResponse
        do { response = try await HTTPClient.shared.execute(request, timeout: .seconds(5)) } catch {
            throw ControlFailure(.cannotRun, "cannot reach the service at \(events): \(error) (is checkpointd running? systemctl status checkpointd)")
        }
        guard response.status == .ok else {
            throw ControlFailure(.cannotRun, "\(events) answered \(response.status.code): is that lane on this box? (checkpointctl config check)")
        }
        let lastHeard = LastHeard()
        let (count, json, body) = (count, json, response.body)
        let printed = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                var parser = EventStreamParser()
                var shown = 0
                for try await buffer in body {
                    lastHeard.time.withLock { $0 = .now }
                    for message in parser.feed(Array(buffer.readableBytesView)) where message.event == nil {
                        guard let event = try? JSONDecoder().decode(LaneEvent.self, from: Data(message.data.utf8)) else { continue }
                        print(json ? message.data : WatchLine.text(event))
                        fflush(nil)
                        shown += 1
                        if let count, shown >= count { return shown }
                    }
                }
                throw ControlFailure(.cannotRun, "the service closed the stream (stopped or restarting)")
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: .seconds(1))
                    if ContinuousClock.now - lastHeard.time.withLock({ $0 }) > WatchCommand.silenceLimit {
                        throw ControlFailure(.cannotRun, "no heartbeat from the service for 5 s: it hangs or the network dropped")
                    }
                }
            }
            let first = try await group.next() ?? 0
            group.cancelAll()
            return first
        }
        if printed == 0 { note("no events") }
    }

    /// The lane's event stream on the configured lane page listener.
    func eventsURL() throws(ControlFailure) -> String {
        if let url { return url.hasSuffix("/events") ? url : url.trimmingSuffix("/") + "/events" }
        let context = try LaneContext(configPath: config, laneID: lane)
        let index = (context.config.lanes.firstIndex { $0.id == context.lane.id } ?? 0) + 1
        guard context.config.displayPort != 0 else {
            throw ControlFailure(.usage, "[display] port = 0 picks a port at start: give --url (the service logs 'lane page at …')")
        }
        let host = switch context.config.displayHost {
        case "0.0.0.0", "": "127.0.0.1"
        case "::": "[::1]"
        case let host where host.contains(":"): "[\(host)]"
        case let host: host
        }
        return "http://\(host):\(context.config.displayPort)\(index == 1 ? "" : "/lane/\(index)")/events"
    }
}

private final class LastHeard: Sendable {
    let time = Mutex(ContinuousClock.now)
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
