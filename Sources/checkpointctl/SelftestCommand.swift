import Appliance
import ArgumentParser
import Devices
import Foundation
import LaneControl
import Lane
import Screening
import Store
import Thermal

/// `checkpointctl selftest`: the installation checked end to end, one line per test, for the technician's
/// checklist. While the service runs, device tests ask it (`/api/health`: a V4L2 camera streams to one process);
/// when it is stopped, they open the devices themselves.
struct SelftestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Check camera, scanners, reference, storage, speaker, lane page, clock and disk: one line per test.",
        discussion: """
            Prints `test NAME: OK|FAIL (reason)` for each test, then the totals. Exit 0 when every test passed, 1
            when one failed, 78 when the configuration cannot be read. The speaker test plays the chime.
            """)

    @Option(help: "The configuration file.")
    var config = "/etc/checkpoint-lane/checkpoint.toml"

    @Option(help: "State directory holding passages.sqlite (default: $STATE_DIRECTORY or the configuration's).")
    var state: String?

    @Flag(help: "Do not play the chime (a quiet test at night).")
    var quiet = false

    @Option(help: "Seconds to watch each camera when the service is not running.")
    var seconds: Double = 4

    @Flag(help: "One JSON object per test ({\"name\", \"ok\", \"detail\"}); the count goes to standard error.")
    var json = false

    func run() async throws {
        let context = try LaneContext(configPath: config, state: state)
        let json = self.json
        let selftest = Selftest(config: context.config, configPath: config, stateDirectory: context.stateDirectory, quiet: quiet, seconds: seconds)
        let results = await selftest.run { result in
            print(json ? ((try? jsonText(result)) ?? "{}") : "test \(result.name): \(result.ok ? "OK" : "FAIL") (\(result.detail))")
        }
        let failed = results.filter { !$0.ok }.count
        let total = "\(results.count - failed) passed, \(failed) failed"
        if json { note(total) } else { print(total) }
        if failed > 0 { throw ExitCode(ExitStatus.notAcceptable.rawValue) }
    }
}
