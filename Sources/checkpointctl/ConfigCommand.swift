import Appliance
import ConfigFile
import ArgumentParser
import Foundation
import ScannerProtocols
import Lane
import Screening
import Uplink

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with the configuration file.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a configuration file without starting the service.",
            discussion: """
                Prints 'ok' and a summary of the lanes when the file is valid. Otherwise prints the first problem
                on one line, naming the key and its line number, and exits 78 — exactly what checkpointd would
                refuse to start with.
                """)

        @Argument(help: "The configuration file (TOML).")
        var file: String

        @Flag(help: "Print the result as one JSON object: {\"ok\": true, \"lanes\": […]} or {\"ok\": false, \"key\", \"line\", \"message\"}.")
        var json = false

        struct Summary: Encodable {
            struct Lane: Encodable {
                var id: String, name: String, mode: String, thresholdC: Double, reference: String, scanners: Int
            }
            var ok = true
            var file: String
            var lanes: [Lane]
            var lanePage: String
            var supervisorPage: String?
            var uplink: String?
        }

        struct Refusal: Encodable {
            var ok = false
            var file: String
            var key: String
            var line: Int?
            var message: String
        }

        func run() async throws {
            do {
                let config = try ApplianceConfig.load(path: file)
                if json {
                    let lanes = config.lanes.map { lane in
                        let reference = switch lane.screening.reference {
                        case .none: "none"
                        case .auto: "auto"
                        case .region(let x, let y, let r): "region \(x),\(y),\(r)"
                        }
                        return Summary.Lane(
                            id: lane.id, name: lane.name, mode: lane.pairing.mode.rawValue, thresholdC: lane.screening.thresholdC,
                            reference: reference, scanners: lane.scanners.count)
                    }
                    return print(try jsonText(Summary(
                        file: file, lanes: lanes, lanePage: "http://\(config.displayHost):\(config.displayPort)/",
                        supervisorPage: config.supervisor.map { "http://\($0.host):\($0.port)/supervisor" }, uplink: config.uplink?.url)))
                }
                print("ok: \(file)")
                for lane in config.lanes {
                    print(
                        "  lane \(lane.id) (\(lane.name)): \(lane.pairing.mode.rawValue), threshold \(lane.screening.thresholdC) °C, \(lane.screening.reference == .none ? "no reference" : lane.screening.reference == .auto ? "blackbody reference (found automatically)" : "blackbody reference")"
                    )
                    let scanners = lane.scanners.map { scanner -> String in
                        switch scanner {
                        case .simulated: "simulated"
                        case .usb(let selector, let framing): "usb \(selector) (\(framing.layout.rawValue) keyboard layout if a wedge)"
                        case .serial(let path, let baud, _): "serial \(path) at \(baud) baud"
                        }
                    }
                    print("    scanners: " + (scanners.isEmpty ? "none (readings are stored without a declaration)" : scanners.joined(separator: "; ")))
                }
                print("  lane page: http://\(config.displayHost):\(config.displayPort)/")
                if let uplink = config.uplink {
                    print("  uplink: \(uplink.url) as \(uplink.checkpointID), \(uplink.caFile.map { "trusting only \($0)" } ?? "trusting the system's CAs")\(uplink.clientCertificateFile == nil ? "" : ", with a client certificate"), batches of \(uplink.batchSize)")
                } else {
                    print("  uplink: not set (passages wait in the outbox)")
                }
            } catch {
                if json {
                    let refusal = (error as? ConfigError).map { Refusal(file: file, key: $0.key, line: $0.line, message: $0.message) }
                        ?? Refusal(file: file, key: "", line: nil, message: "\(error)")
                    print((try? jsonText(refusal)) ?? "{\"ok\":false}")
                }
                FileHandle.standardError.write(Data("\(file): \(error)\n".utf8))
                throw ExitCode(78)
            }
        }
    }
}
