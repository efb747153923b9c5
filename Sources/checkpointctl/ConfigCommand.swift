import Appliance
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

        func run() async throws {
            do {
                let config = try ApplianceConfig.load(path: file)
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
                FileHandle.standardError.write(Data("\(file): \(error)\n".utf8))
                throw ExitCode(78)
            }
        }
    }
}
