import ArgumentParser
import Devices

struct UdevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udev-rules",
        abstract: "Print the udev rules for every supported camera and scanner (installed as 70-checkpoint-lane.rules).")

    func run() async throws { print(UdevRules.generate(), terminator: "") }
}
