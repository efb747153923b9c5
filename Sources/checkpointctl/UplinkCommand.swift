import Appliance
import ArgumentParser
import Foundation
import LaneControl
import Store
import Uplink
import UplinkProtocol

/// The provincial link from a technician's shell: what waits, what failed, and sending now.
struct UplinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uplink",
        abstract: "Show or drive the sending of passages to the provincial hub.",
        subcommands: [Status.self, Flush.self, Retry.self])

    struct Options: ParsableArguments {
        @Option(help: "Configuration file.")
        var config = "/etc/checkpoint-lane/checkpoint.toml"

        @Option(help: "State directory holding passages.sqlite (default: the configuration's).")
        var state: String?
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per lane: passages waiting, the oldest, passages set aside, last success and last error.")

        @OptionGroup var options: Options

        @Flag(help: "One JSON object per lane.")
        var json = false

        func run() async throws {
            let appliance = try? ApplianceConfig.load(path: options.config)
            let store = try existingStore(config: options.config, state: options.state)
            let statuses = try await store.uplinkStatus(lanes: appliance?.lanes.map(\.id) ?? [])
            if appliance?.uplink == nil { note("uplink: not configured in \(options.config) ([uplink] table); passages wait in the outbox") }
            for status in statuses {
                if json {
                    print(try jsonText(status))
                    continue
                }
                let provincial = appliance?.uplink?.provincialLane(status.lane) ?? status.lane
                print("\(status.lane) (\(provincial)): \(status.waiting) waiting\(status.oldestWaiting.map { ", oldest from \($0)" } ?? ""), \(status.setAside) set aside, \(status.sentTotal) sent")
                print("  last success: \(status.lastSuccessAt ?? "never")")
                if let error = status.lastError, let at = status.lastErrorAt {
                    let current = status.lastSuccessAt.map { at > $0 } ?? true
                    print("  last error:   \(at) \(error)\(current ? "" : " (since recovered)")")
                }
            }
            let aside = try await store.setAsidePassages()
            if !aside.isEmpty && !json {
                print("set aside (the hub refused them; `checkpointctl uplink retry` sends them again once the province has fixed the cause):")
                for item in aside { print("  #\(item.passageID) \(item.lane): \(item.reason)") }
            }
        }
    }

    struct Flush: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send everything waiting now, lane by lane, and say how it went (exit 1 if a lane could not finish).",
            discussion: "Safe while checkpointd runs: the hub stores each passage once, whoever sends it.")

        @OptionGroup var options: Options

        @Option(help: "Only this lane.")
        var lane: String?

        @Flag(help: "One JSON object per lane.")
        var json = false

        struct LaneResult: Encodable {
            var lane: String
            var ok: Bool
            var sent: Int
            var waiting: Int
            var seconds: Double
            var error: String?
        }

        func run() async throws {
            let appliance: ApplianceConfig
            do { appliance = try ApplianceConfig.load(path: options.config) } catch { throw ControlFailure(.badConfiguration, "\(options.config): \(error)") }
            guard let settings = appliance.uplink else { throw ControlFailure(.cannotRun, "\(options.config) has no [uplink] table: there is nowhere to send to") }
            let store = try existingStore(config: options.config, state: options.state)
            let lanes = appliance.lanes.map(\.id).filter { lane == nil || $0 == lane }
            guard !lanes.isEmpty else { throw ControlFailure(.cannotRun, "no lane '\(lane ?? "")' in \(options.config)") }
            let transport: HTTPSUplinkTransport
            do { transport = try HTTPSUplinkTransport(settings: settings) } catch { throw ControlFailure(.badConfiguration, "\(error)") }
            var failed = false
            for id in lanes {
                let started = Date()
                let drainer = UplinkDrainer(lane: id, settings: settings, store: store, transport: transport)
                let (sent, last) = try await drainer.drain()
                let waiting = try await store.uplinkStatus(lanes: [id]).first { $0.lane == id }?.waiting ?? 0
                let took = (Date().timeIntervalSince(started) * 10).rounded() / 10
                let seconds = String(format: "%.1f s", took)
                var message: String?
                if case .failed(let text) = last { message = text }
                failed = failed || message != nil
                if json {
                    print(try jsonText(LaneResult(lane: id, ok: message == nil, sent: sent, waiting: waiting, seconds: took, error: message)))
                } else if let message {
                    print("\(id): FAIL after \(sent) sent in \(seconds): \(message) (\(waiting) still waiting)")
                } else {
                    print("\(id): OK, \(sent) sent in \(seconds), \(waiting) waiting")
                }
            }
            await transport.shutdown()
            if failed { throw ExitCode(1) }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put the passages the hub refused back in line (they go with the next batch).")

        @OptionGroup var options: Options

        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() async throws {
            let store = try existingStore(config: options.config, state: options.state)
            let released = try await store.releaseSetAside()
            print(json ? "{\"released\":\(released)}" : "\(released) passages back in line")
        }
    }
}
