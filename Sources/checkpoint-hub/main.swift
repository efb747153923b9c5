import Foundation
import Hub
import Logging
import ServiceLifecycle

// checkpoint-hub: the province's receiver of every lane's passages (see docs/hub.md).
//   checkpoint-hub [--config /etc/checkpoint-hub/hub.toml]   run the service
//   checkpoint-hub check-config [--config FILE]              parse the configuration and say what it holds
//   checkpoint-hub hash-token                                read a token on stdin, print its SHA-256 for token_sha256
let usage = "usage: checkpoint-hub [run|check-config|hash-token] [--config FILE]"
var arguments = Array(CommandLine.arguments.dropFirst())
var configPath = "/etc/checkpoint-hub/hub.toml"
if let i = arguments.firstIndex(of: "--config") {
    guard i + 1 < arguments.count else { FileHandle.standardError.write(Data((usage + "\n").utf8)); exit(2) }
    configPath = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
}
let command = arguments.first ?? "run"

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("checkpoint-hub: \(message)\n".utf8))
    exit(1)
}

func loadConfig(_ path: String) -> HubConfig {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
    do { return try HubConfig.parse(text) } catch { fail("\(path): \(error)") }
}

switch command {
case "hash-token":
    guard let token = readLine(strippingNewline: true), token.count >= 16 else { fail("give a token of at least 16 characters on stdin") }
    print(HubConfig.hash(token: token))
case "check-config":
    let config = loadConfig(configPath)
    print("\(configPath): OK · \(config.lanesByTokenHash.count) lanes · \(config.districts.count) districts · database \(config.database.name) · \(config.tls == nil ? "plain HTTP" : "TLS") on \(config.host):\(config.port)")
case "run":
    let config = loadConfig(configPath)
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = .info
        return handler
    }
    let logger = Logger(label: "checkpoint-hub")
    do { try await HubService(config: config, logger: logger).serviceGroup().run() } catch { fail("\(error)") }
case "-h", "--help", "help":
    print(usage)
default:
    fail("unknown command '\(command)'\n\(usage)")
}
